import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppOctokit } from '../../src/github-app/github-app-octokit.ts';
import { redeliverFailedDeliveries } from '../../src/github-app/redeliver-failed-deliveries.ts';
import { type E2eStack, startE2eStack } from '../support/e2e-stack.ts';
import { jobWithFailedDeliveries } from '../support/undelivered-job.ts';

let env: E2eStack;
beforeAll(async () => {
  // No polling fallback within the test's time: only webhooks can move the job.
  env = await startE2eStack({ jobTimeouts: { quietPeriod: '10 minutes', pollInterval: '10 minutes', discoveryTimeout: '10 minutes' } });
});
afterAll(async () => {
  await env?.stop();
});

describe('missed webhook deliveries', () => {
  it('a job whose deliveries failed while the API was unreachable completes once they are redelivered', async () => {
    // The run goes requested → in_progress → completed on GitHub; every delivery fails.
    const { job, runId, apiWebhook } = await jobWithFailedDeliveries(env);
    const failed = env.sandbox.deliveries.filter((d) => d.runId === runId);
    expect(failed.map((d) => [d.action, d.status])).toEqual([
      ['requested', 'network-error'],
      ['in_progress', 'network-error'],
      ['completed', 'network-error'],
    ]);
    expect((await env.getJob(job.id)).status).not.toBe('successful');

    env.sandbox.setWebhookUrl(apiWebhook);
    const app = createAppOctokit(env.sandbox.url, { appId: env.sandbox.appId, privateKey: env.sandbox.privateKey });
    const report = await redeliverFailedDeliveries(app, { sinceMs: Date.now() - 3_600_000 });
    expect(report.outcomes.filter((o) => failed.some((d) => d.id === o.guid)).map((o) => o.result)).toEqual(['redelivered', 'redelivered', 'redelivered']);

    const done = await env.waitForStatus(job.id, ['successful', 'failure', 'external_run_not_found'], 30_000);
    expect(done.status).toBe('successful');
    expect(done.externalId).toBe(String(runId));
    const redelivered = env.sandbox.deliveries.filter((d) => d.runId === runId && d.redelivery);
    expect(redelivered).toHaveLength(3);
    expect(redelivered.every((d) => typeof d.status === 'number' && d.status >= 200 && d.status < 300)).toBe(true);
  });
});
