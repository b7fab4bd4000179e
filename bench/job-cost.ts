// What one successful job costs: Temporal history events, workflow tasks, billable actions (as Temporal Cloud
// counts them), visibility writes and GitHub requests, for a quick run and for a run the sandbox holds in progress
// for BENCH_LONG_JOB_MINUTES (default 60), with the production deadlines and poll settings.
import type { BenchRow } from './bench-row.ts';
import { apiRequest, createJob, startBenchStack, waitUntil, WORKFLOW, type BenchStack } from './support/bench-stack.ts';
import { historyCost, type HistoryCost } from './support/history-cost.ts';
import { envNumber } from './support/load.ts';
import { jobWorkflowId } from '../src/shared/workflow-contract.ts';
import { DEFAULT_JOB_TIMEOUTS } from '../src/workflows/job-timeouts.ts';

async function status(env: BenchStack, id: string): Promise<string> {
  return ((await (await apiRequest(env, `/api/v1/jobs/${id}`)).json()) as { status: string }).status;
}

/**
 * GitHub requests made for one job: its dispatch, and every call naming its run or listing its workflow's runs
 * (the two jobs here use different workflows). Installation tokens are shared by all jobs (about one an hour).
 */
function githubRequests(env: BenchStack, id: string, workflowId: number): number {
  const runId = env.sandbox.dispatches.find((d) => d.inputs.job_id === id)?.runId;
  return env.sandbox.requests.filter(
    (r) =>
      (r.method === 'POST' && r.path.endsWith('/dispatches') && (r.body as { inputs?: { job_id?: string } } | undefined)?.inputs?.job_id === id) ||
      (runId !== undefined && r.path.includes(`/actions/runs/${runId}`)) ||
      (r.method === 'GET' && r.path.includes(`/actions/workflows/${workflowId}/runs`)),
  ).length;
}

function rows(name: string, cost: HistoryCost, github: number): BenchRow[] {
  return [
    { name, metric: 'history events', value: cost.events, unit: 'events' },
    { name, metric: 'workflow tasks', value: cost.workflowTasks, unit: 'tasks' },
    { name, metric: 'billable actions (Temporal Cloud)', value: cost.billableActions, unit: 'actions' },
    { name, metric: 'visibility writes', value: cost.visibilityWrites, unit: 'writes' },
    { name, metric: 'GitHub requests', value: github, unit: 'req' },
    { name, metric: 'runs (continue-as-new)', value: cost.runs, unit: 'runs' },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const holdMinutes = envNumber('BENCH_LONG_JOB_MINUTES', 60, 1);
  // Production deadlines and poll settings: the costs are the ones a deployment pays.
  const env = await startBenchStack({ jobTimeouts: DEFAULT_JOB_TIMEOUTS, stepDelayMs: 1000 });
  try {
    const held = await createJob(env, WORKFLOW.hold);
    const quick = await createJob(env, WORKFLOW.quick);
    await waitUntil('quick job successful', async () => (await status(env, quick)) === 'successful', 120_000, 250);
    const quickCost = await historyCost(env.stack.client, jobWorkflowId(quick));
    const quickGithub = githubRequests(env, quick, WORKFLOW.quick);
    await waitUntil('held job in progress', async () => (await status(env, held)) === 'in_progress', 120_000, 250);
    const heldRun = env.sandbox.dispatches.find((d) => d.inputs.job_id === held)?.runId as number;
    await new Promise((resolve) => setTimeout(resolve, holdMinutes * 60_000));
    await env.sandbox.completeRun(heldRun, 'success');
    await waitUntil('held job successful', async () => (await status(env, held)) === 'successful', 120_000, 250);
    const heldCost = await historyCost(env.stack.client, jobWorkflowId(held));
    const heldGithub = githubRequests(env, held, WORKFLOW.hold);
    if (process.env.BENCH_COST_DETAIL) console.log(JSON.stringify({ quick: quickCost, held: heldCost }, null, 2));
    return [...rows('cost per job (quick run)', quickCost, quickGithub), ...rows(`cost per job (run held ${holdMinutes} min)`, heldCost, heldGithub)];
  } finally {
    await env.stop();
  }
}
