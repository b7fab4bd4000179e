import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, startE2eStack } from '../support/e2e-stack.ts';
import { jobWithFailedDeliveries } from '../support/undelivered-job.ts';

let env: E2eStack;
beforeAll(async () => {
  // No polling fallback within the test's time: only webhooks can move the job. The worker redelivers every 10 s,
  // the shortest interval the setting allows.
  env = await startE2eStack({
    jobTimeouts: { quietPeriod: '10 minutes', pollInterval: '10 minutes', discoveryTimeout: '10 minutes' },
    env: { GITHUB_REDELIVER_INTERVAL: '10s' },
  });
});
afterAll(async () => {
  await env?.stop();
});

describe("the worker's GITHUB_REDELIVER_INTERVAL", () => {
  it('has GitHub redeliver the deliveries that failed while the API was unreachable, and the job completes', { timeout: 90_000 }, async () => {
    const { job, runId, apiWebhook } = await jobWithFailedDeliveries(env);
    expect(env.sandbox.deliveries.filter((d) => d.runId === runId).map((d) => d.status)).toEqual(['network-error', 'network-error', 'network-error']);

    // The API is reachable again; nobody asks GitHub to redeliver but the worker's loop.
    env.sandbox.setWebhookUrl(apiWebhook);
    const done = await env.waitForStatus(job.id, ['successful', 'failure', 'external_run_not_found'], 75_000);
    expect(done.status).toBe('successful');
    // Each failed delivery (its guid) reached the API on a redelivery the worker asked for.
    const accepted = (d: { status: number | 'network-error' }) => typeof d.status === 'number' && d.status >= 200 && d.status < 300;
    const failedGuids = env.sandbox.deliveries.filter((d) => d.runId === runId && !d.redelivery).map((d) => d.id);
    const redeliveredGuids = new Set(env.sandbox.deliveries.filter((d) => d.runId === runId && d.redelivery && accepted(d)).map((d) => d.id));
    expect(failedGuids.filter((guid) => !redeliveredGuids.has(guid))).toEqual([]);
  });
});
