// A burst of 500 jobs on one installation (a release fanned out to 500 targets), with the production settings: one
// mutating request a second per installation (GITHUB_MUTATION_INTERVAL_MS), GitHub's 5,000-an-hour limit counted,
// the budget (GITHUB_REQUEST_BUDGET), the production poll schedule, webhooks flowing. The ceiling is GitHub's pace:
// 500 dispatches a second apart take 499 s however fast the engine is.
import type { BenchRow } from './bench-row.ts';
import { createJob, INSTALLATION_ID, startBenchStack, waitUntil, WORKFLOW } from './support/bench-stack.ts';
import { concurrently, envNumber } from './support/load.ts';
import { DEFAULT_MUTATION_INTERVAL_MS } from '../src/domain/github-limits.ts';

export async function run(): Promise<BenchRow[]> {
  const total = envNumber('BENCH_BURST_JOBS', 500, 10);
  const env = await startBenchStack({ githubMutationIntervalMs: DEFAULT_MUTATION_INTERVAL_MS });
  try {
    const started = Date.now();
    const ids = new Set<string>();
    await concurrently(total, 32, async () => {
      ids.add(await createJob(env, WORKFLOW.quick));
    });
    await waitUntil(
      'all jobs successful',
      async () => (await env.stack.client.workflow.count(`TaskQueue = "${env.stack.taskQueue}" AND CtrlplaneJobStatus = "successful"`)).count >= total,
      3_600_000,
      1000,
    );
    const allDone = (Date.now() - started) / 1000;
    const dispatches = env.sandbox.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/dispatches'));
    const perJob = new Map<string, number>();
    for (const dispatch of env.sandbox.dispatches) perJob.set(String(dispatch.inputs.job_id), (perJob.get(String(dispatch.inputs.job_id)) ?? 0) + 1);
    const mostPerJob = Math.max(...[...ids].map((id) => perJob.get(id) ?? 0));
    const lastDispatch = (Math.max(...dispatches.map((request) => request.at)) - started) / 1000;
    const lookUps = env.sandbox.requests.filter((request) => request.method === 'GET' && /\/actions\/(workflows\/\d+\/)?runs/.test(request.path)).length;
    const refused = env.sandbox.rateLimit(INSTALLATION_ID).refused;
    const ceiling = ((total - 1) * DEFAULT_MUTATION_INTERVAL_MS) / 1000;
    const name = `burst of ${total} jobs, one installation`;
    const round = (n: number) => Math.round(n * 10) / 10;
    return [
      { name, metric: 'dispatches', value: dispatches.length, unit: 'requests', target: `${total}`, met: dispatches.length === total },
      { name, metric: 'most dispatches of one job', value: mostPerJob, unit: 'dispatches', target: '1', met: mostPerJob === 1 },
      {
        name,
        metric: 'time to last dispatch',
        value: round(lastDispatch),
        unit: 's',
        target: `≈ ${ceiling} s (GitHub's pace)`,
        met: lastDispatch <= ceiling * 1.1,
      },
      { name, metric: 'time to every job successful', value: round(allDone), unit: 's' },
      { name, metric: 'run look-ups (webhooks flowing)', value: lookUps, unit: 'requests', target: '0', met: lookUps === 0 },
      { name, metric: 'requests refused (403/429)', value: refused, unit: 'requests', target: '0', met: refused === 0 },
    ];
  } finally {
    await env.stop();
  }
}
