// What one successful job costs: Temporal history events, workflow tasks, billable actions (as Temporal Cloud
// counts them), visibility writes and GitHub requests, for quick runs (BENCH_QUICK_JOBS of them, one at a time) and
// for a run the sandbox holds in progress for BENCH_LONG_JOB_MINUTES (default 60), with the production deadlines
// and poll settings.
import type { BenchRow } from './bench-row.ts';
import { apiRequest, createJob, startBenchStack, waitUntil, WORKFLOW, type BenchStack } from './support/bench-stack.ts';
import { historyCost, type HistoryCost } from './support/history-cost.ts';
import { envNumber } from './support/load.ts';
import { jobWorkflowId } from '../src/domain/job-id.ts';
import { DEFAULT_JOB_TIMEOUTS } from '../src/domain/job-timeouts.ts';

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

/**
 * A job's figures, or several jobs' means with their range: how a run's webhooks fall into workflow tasks depends
 * on timing (a quick job takes 4 or 5 tasks), so one job alone may show either.
 */
function rows(name: string, jobs: Array<{ cost: HistoryCost; github: number }>): BenchRow[] {
  const figure = (metric: string, unit: string, of: (job: { cost: HistoryCost; github: number }) => number): BenchRow => {
    const values = jobs.map(of);
    const mean = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
    const [min, max] = [Math.min(...values), Math.max(...values)];
    return { name, metric, value: mean, unit: min === max ? unit : `${unit} (${min}–${max})` };
  };
  return [
    figure('history events', 'events', (j) => j.cost.events),
    figure('workflow tasks', 'tasks', (j) => j.cost.workflowTasks),
    figure('billable actions (Temporal Cloud)', 'actions', (j) => j.cost.billableActions),
    figure('visibility writes', 'writes', (j) => j.cost.visibilityWrites),
    figure('GitHub requests', 'req', (j) => j.github),
    figure('runs (continue-as-new)', 'runs', (j) => j.cost.runs),
  ];
}

/**
 * The quick job, and the held job up to its run in progress, with the machine to itself (how webhooks fall into
 * workflow tasks depends on timing); then the hour, which is spent waiting and yields counts: bench/run.ts runs
 * the other modules beside it.
 */
export async function start(): Promise<{ finish: Promise<BenchRow[]> }> {
  const holdMinutes = envNumber('BENCH_LONG_JOB_MINUTES', 60, 1);
  const quickJobs = envNumber('BENCH_QUICK_JOBS', 5, 3);
  // Production deadlines and poll settings: the costs are the ones a deployment pays.
  const env = await startBenchStack({ jobTimeouts: DEFAULT_JOB_TIMEOUTS, stepDelayMs: 1000 });
  try {
    const held = await createJob(env, WORKFLOW.hold);
    const quick: Array<{ cost: HistoryCost; github: number }> = [];
    for (let i = 0; i < quickJobs; i++) {
      const id = await createJob(env, WORKFLOW.quick);
      await waitUntil('quick job successful', async () => (await status(env, id)) === 'successful', 120_000, 250);
      quick.push({ cost: await historyCost(env.stack.client, jobWorkflowId(id)), github: githubRequests(env, id, WORKFLOW.quick) });
    }
    await waitUntil('held job in progress', async () => (await status(env, held)) === 'in_progress', 120_000, 250);
    const heldRun = env.sandbox.dispatches.find((d) => d.inputs.job_id === held)?.runId as number;
    const finish = (async () => {
      try {
        await new Promise((resolve) => setTimeout(resolve, holdMinutes * 60_000));
        await env.sandbox.completeRun(heldRun, 'success');
        await waitUntil('held job successful', async () => (await status(env, held)) === 'successful', 120_000, 250);
        const heldCost = await historyCost(env.stack.client, jobWorkflowId(held));
        if (process.env.BENCH_COST_DETAIL) console.log(JSON.stringify({ quick: quick.map((q) => q.cost), held: heldCost }, null, 2));
        return [
          ...rows(`cost per job (quick run, mean of ${quickJobs})`, quick),
          ...rows(`cost per job (run held ${holdMinutes} min)`, [{ cost: heldCost, github: githubRequests(env, held, WORKFLOW.hold) }]),
        ];
      } finally {
        await env.stop();
      }
    })();
    return { finish };
  } catch (error) {
    await env.stop();
    throw error;
  }
}

export async function run(): Promise<BenchRow[]> {
  return (await start()).finish;
}
