import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../src/domain/job-status.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../../support/e2e-stack.ts';
import { expectEndedRight, waitAllTerminal } from './drill-checks.ts';

let env: E2eStack;
beforeAll(async () => {
  // Short quiet period and poll interval, so the lost-webhook path shows within the drill.
  env = await startE2eStack({ jobTimeouts: { quietPeriod: '3 seconds', pollInterval: '2 seconds', discoveryTimeout: '60 seconds', jobTimeout: '3 minutes' } });
});
afterAll(async () => {
  await env?.stop();
});

describe('fault drill: the API is unreachable while runs report', () => {
  it('GitHub records failed deliveries and the lost-webhook polling ends every job right', { timeout: 180_000 }, async () => {
    const expected = new Map<string, JobStatus>();
    const kinds: Array<[number, JobStatus]> = [
      [101, 'successful'],
      [102, 'failure'],
      [103, 'cancelled'],
    ];
    // Every delivery fails as if the API were down (GitHub gets a 502), from before the first dispatch.
    env.relay.setMode({ drop: true });
    for (let i = 0; i < 15; i++) {
      const [workflowId, status] = kinds[i % 3]!;
      expected.set((await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId } })).id, status);
    }
    // Bounded only by the test's own timeout.
    await expect.poll(() => env.sandbox.dispatches.length, { timeout: 180_000, interval: 100 }).toBeGreaterThanOrEqual(expected.size);
    for (const d of env.sandbox.dispatches.filter((x) => x.workflowId === 103)) await env.sandbox.completeRun(d.runId, 'cancelled');
    // The API comes back only after every run has ended: no delivery ever reached it.
    const jobs = await waitAllTerminal(env.getJob, [...expected.keys()], 150_000);
    expectEndedRight(jobs, expected, env.sandbox);
    expect(env.relay.forwarded).toHaveLength(0);
    expect(env.sandbox.deliveries.filter((d) => d.status === 502).length).toBeGreaterThanOrEqual(expected.size);
    env.relay.setMode({});
  });
});
