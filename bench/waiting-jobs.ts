// Many jobs dispatched and waiting on runs that do not end (sandbox `hold`), then all completed at once:
// worker RSS (its own process) and Temporal server RSS while they wait, and time until every job ends. The worker
// runs with production's GitHub limits: one dispatch a second per installation, so 10,000 jobs waiting at once are
// many organizations' (BENCH_INSTALLATIONS, round-robin); on one installation their dispatches alone take 10,000 s.
import type { BenchRow } from './bench-row.ts';
import { createJob, waitUntil, WORKFLOW } from './support/bench-stack.ts';
import { concurrently, envNumber } from './support/load.ts';
import { percentOf, rawSignalRate, rawStartRate } from './support/engine-ceiling.ts';
import { rssMiB, startStackWithWorkerChild } from './support/worker-child.ts';
import { chartDefaults } from '../drill/support/chart-defaults.ts';
import { parseWorkflowRunDelivery } from '../src/api/workflow-run-event.ts';
import { jobWorkflowId } from '../src/domain/job-id.ts';

const round = (n: number) => Math.round(n * 10) / 10;

export async function run(): Promise<BenchRow[]> {
  const total = envNumber('BENCH_WAITING_JOBS', 10_000, 100);
  const installations = envNumber('BENCH_INSTALLATIONS', 200);
  const stack = await startStackWithWorkerChild({ stepDelayMs: 20, installations });
  const { env, worker } = stack;
  try {
    const workerIdle = await rssMiB(worker.child.pid);
    const createConcurrency = 32;
    // The engine's ceiling for creating: raw SDK starts at the same concurrency, on the empty server. They end by
    // themselves within seconds; the jobs are created once they have.
    const rawStarts = await rawStartRate(env.stack.client, 5, createConcurrency);
    await new Promise((r) => setTimeout(r, 10_000));
    const createStarted = performance.now();
    await concurrently(total, createConcurrency, async () => {
      await createJob(env, WORKFLOW.hold);
    });
    const createRate = total / ((performance.now() - createStarted) / 1000);
    await waitUntil('all jobs dispatched', () => env.sandbox.dispatches.length >= total, 1_800_000, 500);
    // Every run has reached in_progress and the jobs know it.
    await waitUntil(
      'all jobs in_progress',
      async () => (await env.stack.client.workflow.count(`TaskQueue = "${env.stack.taskQueue}" AND CtrlplaneJobStatus = "in_progress"`)).count >= total,
      1_800_000,
      1000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const workerWaiting = await rssMiB(worker.child.pid);
    const temporalWaiting = await rssMiB(env.temporal.process.pid);
    // The engine's ceiling on this server, with these jobs in it: raw SDK signals into 64 of the waiting jobs.
    const sample = env.sandbox.dispatches.slice(0, 64).map((d) => {
      const payload = { action: 'in_progress', workflow_run: env.sandbox.getRun(d.runId), installation: { id: d.installationId } };
      return { workflowId: jobWorkflowId(d.inputs.job_id as string), event: parseWorkflowRunDelivery(payload, 'ceiling')!.event };
    });
    const raw = await rawSignalRate(env.stack.client, sample, 5, 64);

    const start = performance.now();
    const runIds = env.sandbox.dispatches.map((d) => d.runId);
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (cursor < runIds.length) await env.sandbox.completeRun(runIds[cursor++]!, 'success');
      }),
    );
    await waitUntil(
      'all jobs complete',
      async () => (await env.stack.client.workflow.count(`TaskQueue = "${env.stack.taskQueue}" AND ExecutionStatus = "Completed"`)).count >= total,
      1_800_000,
      500,
    );
    const seconds = (performance.now() - start) / 1000;
    const { count: successful } = await env.stack.client.workflow.count(`TaskQueue = "${env.stack.taskQueue}" AND CtrlplaneJobStatus = "successful"`);
    const workerAfter = await rssMiB(worker.child.pid);
    const dispatched = new Set(env.sandbox.dispatches.map((d) => d.inputs.job_id));
    const chart = await chartDefaults();
    const settings = `cache ${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? chart.maxCachedWorkflows}, ${process.env.BENCH_WORKER_NODE_OPTIONS ?? chart.workerNodeOptions}`;
    const name = `${total} waiting jobs on ${installations} installations (worker: ${settings})`;
    return [
      {
        name: 'engine ceiling: raw SDK workflow starts',
        metric: `starts/s (concurrency ${createConcurrency}, 5 s, empty server)`,
        value: round(rawStarts.perSecond),
        unit: '/s',
      },
      { name, metric: `create rate (API, ${createConcurrency} at a time)`, value: round(createRate), unit: 'jobs/s' },
      { name, metric: 'create rate as a fraction of the raw-start ceiling', value: percentOf(createRate, rawStarts.perSecond), unit: '%' },
      { name, metric: 'worker RSS idle', value: workerIdle, unit: 'MiB' },
      { name, metric: 'worker RSS, all waiting', value: workerWaiting, unit: 'MiB', target: '< 1024', met: workerWaiting < 1024 },
      { name, metric: 'worker RSS after all ended', value: workerAfter, unit: 'MiB' },
      { name, metric: 'Temporal dev server RSS, all waiting', value: temporalWaiting, unit: 'MiB' },
      { name, metric: 'time until all complete after webhooks flow', value: round(seconds), unit: 's' },
      { name, metric: 'completed deliveries applied per second', value: round(total / seconds), unit: '/s' },
      {
        name: 'engine ceiling: raw SDK signals into 64 of the waiting jobs',
        metric: 'signals/s (concurrency 64, 5 s)',
        value: round(raw.perSecond),
        unit: '/s',
      },
      { name, metric: 'completion rate as a fraction of the raw-signal ceiling', value: percentOf(total / seconds, raw.perSecond), unit: '%' },
      { name, metric: 'jobs ended successful', value: successful, unit: 'count', target: String(total), met: successful === total },
      {
        name,
        metric: 'dispatches / jobs',
        value: env.sandbox.dispatches.length,
        unit: 'count',
        target: String(total),
        met: env.sandbox.dispatches.length === total && dispatched.size === total,
      },
    ];
  } finally {
    await stack.stop();
  }
}
