import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../src/domain/job-status.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../../support/e2e-stack.ts';
import { expectEndedRight, waitAllTerminal } from './drill-checks.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ jobTimeouts: { quietPeriod: '3 seconds', pollInterval: '2 seconds', discoveryTimeout: '90 seconds', jobTimeout: '3 minutes' } });
});
afterAll(async () => {
  await env?.stop();
});

describe('fault drill: GitHub answers 500s and 429s for a while', () => {
  it('retries dispatches and look-ups until GitHub recovers, with one run per job', { timeout: 180_000 }, async () => {
    env.sandbox.injectFault({ kind: 'server-error', method: 'POST', path: /\/dispatches$/, times: 8 });
    env.sandbox.injectFault({ kind: 'too-many-requests', method: 'POST', path: /\/dispatches$/, times: 8, retryAfterSeconds: 1 });
    // Look-ups fail too, while the webhooks are lost, so the polling path has to get through them.
    env.sandbox.injectFault({ kind: 'server-error', method: 'GET', path: /\/actions\/runs/, times: 5 });
    env.sandbox.injectFault({ kind: 'too-many-requests', method: 'GET', path: /\/actions\/runs/, times: 5, retryAfterSeconds: 1 });
    env.relay.setMode({ drop: (d) => d.action === 'completed' && d.runId !== undefined && d.runId % 2 === 0 });
    const expected = new Map<string, JobStatus>();
    for (let i = 0; i < 12; i++) {
      const workflowId = i % 3 === 2 ? 102 : 101;
      expected.set(
        (await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId } })).id,
        workflowId === 102 ? 'failure' : 'successful',
      );
    }
    const jobs = await waitAllTerminal(env.getJob, [...expected.keys()], 150_000);
    expectEndedRight(jobs, expected, env.sandbox);
    const answered = env.sandbox.requests.map((r) => r.status);
    expect(answered.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(answered.filter((s) => s === 429).length).toBeGreaterThan(0);
    env.relay.setMode({});
  });
});
