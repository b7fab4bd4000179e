// Jobs created through the API at a steady rate, dispatched to the sandbox and completed by its webhooks:
// end-to-end throughput beside the engine's ceiling (the minimal job shape on the same server, same rate),
// create→dispatch latency, webhook→status-visible latency, and GitHub API cost per job. The worker runs with
// production's GitHub limits: one dispatch a second per installation, so the jobs are spread over many installations
// (organizations), as a load of a hundred jobs a second would be.
import { randomUUID } from 'node:crypto';
import type { BenchRow } from './bench-row.ts';
import { apiRequest, createJob, waitUntil, WORKFLOW, type BenchStack } from './support/bench-stack.ts';
import { startStackWithWorkerChild } from './support/worker-child.ts';
import { percentOf, startMinimalShape } from './support/engine-ceiling.ts';
import { envNumber, Latencies, openLoop } from './support/load.ts';

const round = (n: number) => Math.round(n * 10) / 10;

/** Creates `count` jobs at `perSecond` (an open loop); returns create times by id. */
async function createAtRate(env: BenchStack, count: number, perSecond: number): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  await openLoop(count, perSecond, async () => {
    const id = randomUUID();
    created.set(id, Date.now());
    await createJob(env, WORKFLOW.quick, id);
  });
  return created;
}

async function completedCount(env: BenchStack): Promise<number> {
  const { count } = await env.stack.client.workflow.count(`TaskQueue = "${env.stack.taskQueue}" AND ExecutionStatus = "Completed"`);
  return count;
}

/** Endpoint as a template: owners (one per installation), numbers and UUIDs replaced, so requests group by route. */
function endpoint(method: string, path: string): string {
  const route = path.replace(/^\/(repos|orgs)\/[^/]+/, '/$1/{owner}');
  return `${method} ${route.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '{id}').replace(/\/\d+(?=\/|$)/g, '/{n}')}`;
}

export async function run(): Promise<BenchRow[]> {
  // Even: the throughput phase runs in two halves.
  const total = 2 * Math.floor(envNumber('BENCH_JOBS', 2000, 100) / 2);
  const rate = envNumber('BENCH_JOB_RATE', 100);
  const latencyJobs = envNumber('BENCH_LATENCY_JOBS', Math.min(500, Math.max(50, Math.floor(total / 4))), 25);
  // One installation dispatches a job a second: twice the offered rate in installations leaves each a job every 2 s.
  const installations = envNumber('BENCH_INSTALLATIONS', 2 * rate);
  const stack = await startStackWithWorkerChild({ installations });
  const { env } = stack;
  try {
    // Warm-up, not measured: one job per installation, so every installation's token is minted (one an hour, as in an
    // agent that has served these organizations within the hour) and the worker has run jobs before the figures.
    const warmJobs = installations;
    await createAtRate(env, warmJobs, rate);
    await waitUntil('warm-up jobs complete', async () => (await completedCount(env)) >= warmJobs, 300_000, 250);

    // Phase 0, one job at a time (5/s): the latency of a job on its own, without queueing behind others.
    const soloJobs = 20;
    const solo = await createAtRate(env, soloJobs, 5);
    await waitUntil('solo dispatches', () => env.sandbox.dispatches.length >= warmJobs + soloJobs, 120_000);
    const soloToDispatch = new Latencies();
    for (const d of env.sandbox.dispatches) {
      const at = solo.get(d.inputs.job_id ?? '');
      if (at !== undefined) soloToDispatch.add(d.at - at);
    }
    await waitUntil('solo jobs complete', async () => (await completedCount(env)) >= warmJobs + soloJobs, 120_000, 250);

    // Phase 1, latency at 50 jobs/s: create → dispatch received by GitHub.
    const created = await createAtRate(env, latencyJobs, 50);
    await waitUntil('latency-phase dispatches', () => env.sandbox.dispatches.length >= warmJobs + soloJobs + latencyJobs, 300_000);
    const toDispatch = new Latencies();
    for (const d of env.sandbox.dispatches) {
      const at = created.get(d.inputs.job_id ?? '');
      if (at !== undefined) toDispatch.add(d.at - at);
    }
    // Webhook accepted (the API answered the `completed` delivery after signalling) → status visible through the API.
    const toVisible = new Latencies();
    const sample = [...created.keys()].slice(-Math.min(50, latencyJobs));
    await Promise.all(
      sample.map(async (id) => {
        const runId = env.sandbox.dispatches.find((d) => d.inputs.job_id === id)?.runId;
        let accepted: number | undefined;
        await waitUntil(
          `completed delivery for ${id}`,
          () => {
            accepted = env.sandbox.deliveries.find((x) => x.runId === runId && x.action === 'completed' && x.status === 200)?.at;
            return accepted !== undefined;
          },
          120_000,
          2,
        );
        for (;;) {
          const job = (await (await apiRequest(env, `/api/v1/jobs/${id}`)).json()) as { status: string };
          if (job.status === 'successful') break;
          await new Promise((r) => setTimeout(r, 2));
        }
        toVisible.add(Date.now() - accepted!);
      }),
    );
    await waitUntil('latency-phase jobs complete', async () => (await completedCount(env)) >= warmJobs + soloJobs + latencyJobs, 300_000, 250);

    // Phase 2, throughput beside the engine's ceiling on the same server (the minimal job shape, as many jobs,
    // offered at the same rate). On shared cores the machine's speed drifts over minutes, so the two are measured
    // in halves, ours–ceiling–ceiling–ours: a drift that is steady over the phase weighs on both alike.
    const requestsBefore = env.sandbox.requests.length;
    const dispatchesBefore = env.sandbox.dispatches.length;
    const half = total / 2;
    const createdAll = new Map<string, number>();
    let seconds = 0;
    let createSeconds = 0;
    let done = warmJobs + soloJobs + latencyJobs;
    const ours = async () => {
      const start = performance.now();
      for (const [id, at] of await createAtRate(env, half, rate)) createdAll.set(id, at);
      createSeconds += (performance.now() - start) / 1000;
      done += half;
      await waitUntil('all jobs complete', async () => (await completedCount(env)) >= done, 900_000, 250);
      seconds += (performance.now() - start) / 1000;
    };
    const shape = await startMinimalShape(env.temporal.address, env.temporal.namespace, env.stack.client);
    let ceilingSeconds = 0;
    const ceilingHalf = async () => {
      ceilingSeconds += half / (await shape.rate(half, rate)).perSecond;
    };
    try {
      await shape.rate(20, 5); // warm-up: the worker's connection, the bundle, the JIT
      await ours();
      await ceilingHalf();
      await ceilingHalf();
      await ours();
    } finally {
      await shape.stop();
    }
    const ceilingPerSecond = total / ceilingSeconds;

    // Every job ended right, each with one dispatch.
    const { count: successful } = await env.stack.client.workflow.count(`TaskQueue = "${env.stack.taskQueue}" AND CtrlplaneJobStatus = "successful"`);
    const dispatchesPerJob = new Map<string, number>();
    for (const d of env.sandbox.dispatches.slice(dispatchesBefore))
      dispatchesPerJob.set(d.inputs.job_id ?? '', (dispatchesPerJob.get(d.inputs.job_id ?? '') ?? 0) + 1);
    const duplicateDispatches = [...dispatchesPerJob.values()].filter((n) => n > 1).length;
    const missing = [...createdAll.keys()].filter((id) => !dispatchesPerJob.has(id)).length;

    // GitHub API cost per job, by endpoint, over the throughput phase.
    const byEndpoint = new Map<string, number>();
    for (const r of env.sandbox.requests.slice(requestsBefore))
      byEndpoint.set(endpoint(r.method, r.path), (byEndpoint.get(endpoint(r.method, r.path)) ?? 0) + 1);
    // Run look-ups: by run ID (`/actions/runs/{n}`) or by listing a workflow's runs (`/workflows/{n}/runs`).
    const polls = [...byEndpoint.entries()].filter(([k]) => k.startsWith('GET ') && /\/runs(\/|$)/.test(k)).reduce((n, [, v]) => n + v, 0);
    const mints = env.sandbox.tokenMints();
    const used = new Set(env.sandbox.dispatches.map((d) => d.installationId)).size;
    const perSecond = total / seconds;
    const name = `job throughput (jobs spread over ${installations} installations)`;
    return [
      {
        name: 'engine ceiling: minimal job shape (start, 1 activity, 3 signals, complete)',
        metric: `jobs/s end to end (${total} offered at ${rate}/s, in two halves)`,
        value: round(ceilingPerSecond),
        unit: '/s',
      },
      { name, metric: `jobs/s end to end (${total} jobs offered at ${rate}/s, in two halves)`, value: round(perSecond), unit: '/s' },
      {
        name,
        metric: 'fraction of the minimal-shape ceiling',
        value: percentOf(perSecond, ceilingPerSecond),
        unit: '%',
        target: '≥ 75',
        met: perSecond >= 0.75 * ceilingPerSecond,
      },
      { name, metric: 'create rate achieved', value: round(total / createSeconds), unit: '/s' },
      {
        name,
        metric: 'jobs ended successful',
        value: successful,
        unit: 'count',
        target: `${warmJobs + soloJobs + latencyJobs + total}`,
        met: successful === warmJobs + soloJobs + latencyJobs + total,
      },
      {
        name,
        metric: 'jobs with >1 dispatch / none',
        value: duplicateDispatches + missing,
        unit: 'count',
        target: '0',
        met: duplicateDispatches + missing === 0,
      },
      { name, metric: 'create→dispatch p50, one job at a time', value: round(soloToDispatch.percentile(50)), unit: 'ms' },
      { name, metric: 'create→dispatch p50 @50/s', value: round(toDispatch.percentile(50)), unit: 'ms', target: '< 100', met: toDispatch.percentile(50) < 100 },
      { name, metric: 'create→dispatch p99 @50/s', value: round(toDispatch.percentile(99)), unit: 'ms', target: '< 300', met: toDispatch.percentile(99) < 300 },
      { name, metric: `webhook→status visible p50 (${toVisible.count} jobs)`, value: round(toVisible.percentile(50)), unit: 'ms' },
      { name, metric: 'webhook→status visible p99', value: round(toVisible.percentile(99)), unit: 'ms' },
      ...[...byEndpoint.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]): BenchRow => {
          const perJob = Math.round((v / total) * 1000) / 1000;
          const dispatch = k.startsWith('POST') && k.endsWith('/dispatches');
          return { name: 'GitHub API cost', metric: `${k} per job`, value: perJob, unit: 'req', ...(dispatch ? { target: '1', met: v === total } : {}) };
        }),
      { name: 'GitHub API cost', metric: `run look-ups while webhooks flow (${total} jobs)`, value: polls, unit: 'req', target: '0', met: polls === 0 },
      {
        name: 'GitHub API cost',
        metric: `token mints (${warmJobs + soloJobs + latencyJobs + total} jobs on ${used} installations)`,
        value: mints,
        unit: 'count',
        target: '1 per installation per hour',
        met: mints === used,
      },
    ];
  } finally {
    await stack.stop();
  }
}
