// Signed webhook deliveries at concurrency 64 against the API, each signalling a live job, beside the engine's
// ceiling (the same signals sent straight from the SDK); then deliveries of events the API verifies and ignores; a
// busy organisation's mostly foreign stream; and the same load against a bare node:http receiver as the baseline.
// The load generator runs in a process of its own.
import { createHmac, randomUUID } from 'node:crypto';
import type { BenchRow } from './bench-row.ts';
import { createJob, waitUntil, WORKFLOW } from './support/bench-stack.ts';
import { startStackWithWorkerChild } from './support/worker-child.ts';
import { startBaselineWebhookServer } from './support/baseline-webhook-server.ts';
import { percentOf, rawSignalRate } from './support/engine-ceiling.ts';
import { envNumber, Latencies } from './support/load.ts';
import { runLoadProcess, type LoadSummary } from './support/load-process.ts';
import { parseWorkflowRunDelivery } from '../src/api/workflow-run-event.ts';
import { jobWorkflowId } from '../src/domain/job-id.ts';

const CONCURRENCY = 64;

interface Delivery {
  body: string;
  signature: string;
}

function sign(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What counts as an answered delivery: 200 (signalled) and 202 (accepted and ignored). */
const OK_STATUSES = [200, 202];

/** One closed-loop phase of signed deliveries, from a load generator in its own process. */
function load(url: string, event: string, deliveries: Delivery[], seconds: number, concurrency = CONCURRENCY): Promise<LoadSummary> {
  return runLoadProcess({ url, event, deliveries, seconds, concurrency, okStatuses: OK_STATUSES });
}

/**
 * The foreign stream's concurrency: a foreign delivery waits up to 250 ms for its repository lookup batch, so a
 * closed loop of 64 could never pass 256/s. GitHub delivers open-loop; 1024 in flight lets the rate show.
 */
const FOREIGN_CONCURRENCY = 1024;

function rows(name: string, result: LoadSummary, targets: { rate?: number; p99?: number }): BenchRow[] {
  return [
    {
      name,
      metric: 'deliveries/s',
      value: round(result.perSecond),
      unit: '/s',
      ...(targets.rate ? { target: `≥ ${targets.rate}`, met: result.perSecond >= targets.rate } : {}),
    },
    { name, metric: 'p50 latency', value: round(result.p50), unit: 'ms' },
    {
      name,
      metric: 'p99 latency',
      value: round(result.p99),
      unit: 'ms',
      ...(targets.p99 ? { target: `< ${targets.p99}`, met: result.p99 < targets.p99 } : {}),
    },
    {
      name,
      metric: 'errors',
      value: result.errors,
      unit: errorStatuses(result),
      target: '0',
      met: result.errors === 0,
    },
  ];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** `count`, with the answers that were not OK by status (or error name) when there were any. */
function errorStatuses(result: LoadSummary): string {
  const failed = Object.entries(result.statuses).filter(([status]) => !OK_STATUSES.includes(Number(status)));
  return failed.length === 0 ? 'count' : `count (${failed.map(([status, count]) => `${status}: ${count}`).join(', ')})`;
}

/** `gha_agent_webhook_temporal_calls_total` of the API, by call. */
async function temporalCalls(apiUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^gha_agent_webhook_temporal_calls_total\{call="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

/**
 * A busy organisation's stream: of every 100 deliveries, 95 are manual (workflow_dispatch) runs of 50 repositories
 * where no job runs, named without a job ID, and 5 are our jobs' runs.
 */
function foreignMix(genuine: Delivery[], secret: string, template: Record<string, unknown>): Delivery[] {
  const mix: Delivery[] = [];
  for (let i = 0; i < 100; i++) {
    if (i % 20 === 0) {
      mix.push(genuine[(i / 20) % genuine.length] as Delivery);
      continue;
    }
    const repository = { full_name: `other-org/service-${i % 50}`, html_url: `https://github.com/other-org/service-${i % 50}` };
    const run = { ...template, id: 9_000_000 + i, name: 'Release', display_title: 'Release', event: 'workflow_dispatch', repository };
    const body = JSON.stringify({ action: 'completed', workflow_run: run, repository, installation: { id: 1 } });
    mix.push({ body, signature: sign(secret, body) });
  }
  return mix;
}

export async function run(): Promise<BenchRow[]> {
  const seconds = envNumber('BENCH_SECONDS', 30, 3);
  const liveJobs = envNumber('BENCH_WEBHOOK_JOBS', 64, 16);
  const stack = await startStackWithWorkerChild();
  const { env } = stack;
  try {
    // Live jobs waiting on held runs: every delivery below is a real signal to a running workflow.
    const ids = Array.from({ length: liveJobs }, () => randomUUID());
    for (const id of ids) await createJob(env, WORKFLOW.hold, id);
    await waitUntil('live jobs dispatched', () => env.sandbox.dispatches.length >= liveJobs, 120_000);
    const deliveries: Delivery[] = env.sandbox.dispatches.map((d) => {
      const body = JSON.stringify({
        action: 'in_progress',
        workflow_run: env.sandbox.getRun(d.runId),
        repository: { full_name: `${d.owner}/${d.repo}` },
        installation: { id: d.installationId },
      });
      return { body, signature: sign(env.webhookSecret, body) };
    });
    const url = `${env.stack.apiUrl}/api/github/webhook`;
    await load(url, 'workflow_run', deliveries, Math.min(2, seconds)); // warm up
    // The engine's ceiling for the same work: the same signals into the same workflows, straight from the SDK. On
    // shared cores the machine's speed drifts, so it is measured in two halves, before and after the deliveries: a
    // drift that is steady over the three weighs on both alike.
    const targets = env.sandbox.dispatches.map((d, i) => ({
      workflowId: jobWorkflowId(d.inputs.job_id as string),
      event: parseWorkflowRunDelivery(JSON.parse((deliveries[i] as Delivery).body), 'ceiling')!.event,
    }));
    const rawBefore = await rawSignalRate(env.stack.client, targets, seconds / 2, CONCURRENCY);
    const signalled = await load(url, 'workflow_run', deliveries, seconds);
    if (!signalled.statuses['200']) throw new Error(`no delivery reached a job: ${JSON.stringify(signalled.statuses)}`);
    const rawAfter = await rawSignalRate(env.stack.client, targets, seconds / 2, CONCURRENCY);
    const rawLatencies = Latencies.merged(rawBefore.latencies, rawAfter.latencies);
    const raw = {
      perSecond: (rawBefore.ok + rawAfter.ok) / (rawBefore.seconds + rawAfter.seconds),
      p50: rawLatencies.percentile(50),
      p99: rawLatencies.percentile(99),
    };
    const ignored = await load(url, 'check_suite', deliveries, seconds);
    const mix = foreignMix(deliveries, env.webhookSecret, env.sandbox.getRun(env.sandbox.dispatches[0]!.runId) as unknown as Record<string, unknown>);
    const before = await temporalCalls(env.stack.apiUrl);
    const mixed = await load(url, 'workflow_run', mix, seconds, FOREIGN_CONCURRENCY);
    const after = await temporalCalls(env.stack.apiUrl);
    const delta = (call: string) => (after[call] ?? 0) - (before[call] ?? 0);
    // Every delivery sent, whatever its answer, and which were genuine: the load generator sends the mix in order,
    // and its genuine deliveries are every 20th. Each genuine one signals its job once, even when the signal outlasts
    // the API's Temporal deadline and the delivery is answered 503; a foreign one should signal nothing.
    const sent = Object.values(mixed.statuses).reduce((n, count) => n + count, 0);
    const genuineCount = sent === 0 ? 0 : Math.floor((sent - 1) / 20) + 1;
    const foreignCount = sent - genuineCount;

    const baseline = await startBaselineWebhookServer(env.webhookSecret);
    let bare: LoadSummary;
    try {
      await load(baseline.url, 'workflow_run', deliveries, Math.min(2, seconds));
      bare = await load(baseline.url, 'workflow_run', deliveries, seconds);
    } finally {
      await baseline.close();
    }
    const ceiling = 'engine ceiling: raw SDK signals into the same live jobs';
    return [
      { name: ceiling, metric: `signals/s (concurrency ${CONCURRENCY})`, value: round(raw.perSecond), unit: '/s' },
      { name: ceiling, metric: 'p50 / p99 latency', value: round(raw.p50), unit: `ms (p99 ${round(raw.p99)})` },
      ...rows('webhook ingest (signal a live job)', signalled, {}),
      {
        name: 'webhook ingest (signal a live job)',
        metric: 'fraction of the raw-signal ceiling',
        value: percentOf(signalled.perSecond, raw.perSecond),
        unit: '%',
        target: '≥ 90',
        met: signalled.perSecond >= 0.9 * raw.perSecond,
      },
      ...rows('webhook ingest (verified, ignored event)', ignored, {}),
      ...rows('webhook baseline (bare node:http, HMAC + JSON.parse)', bare, {}),
      ...rows(`webhook ingest (95% foreign, ${FOREIGN_CONCURRENCY} in flight)`, mixed, {}),
      {
        name: `webhook ingest (95% foreign, ${FOREIGN_CONCURRENCY} in flight)`,
        metric: 'visibility queries per foreign delivery',
        value: foreignCount ? Math.round((delta('visibility') / foreignCount) * 10_000) / 10_000 : 0,
        unit: 'per delivery',
        target: '≈ 0 (batched, at most 4/s)',
        met: foreignCount > 0 && delta('visibility') <= 4 * seconds + 2,
      },
      {
        name: `webhook ingest (95% foreign, ${FOREIGN_CONCURRENCY} in flight)`,
        metric: 'signals per foreign delivery',
        value: foreignCount ? Math.max(0, delta('signal') - genuineCount) / foreignCount : 0,
        unit: 'per delivery',
        target: '0',
        met: delta('signal') <= genuineCount,
      },
      {
        name: `webhook ingest (95% foreign, ${FOREIGN_CONCURRENCY} in flight)`,
        metric: 'fraction of the bare node:http baseline',
        value: percentOf(mixed.perSecond, bare.perSecond),
        unit: '%',
      },
      {
        name: 'webhook ingest (verified, ignored event)',
        metric: 'fraction of the bare node:http baseline',
        value: percentOf(ignored.perSecond, bare.perSecond),
        unit: '%',
        target: '≥ 90',
        met: ignored.perSecond >= 0.9 * bare.perSecond,
      },
    ];
  } finally {
    await stack.stop();
  }
}
