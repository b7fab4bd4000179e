import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

// A job whose run outlasts its deadline while no webhook ever arrives. Every poll costs the history a timer, an
// activity and a workflow task (about 8 events). At a fixed interval a day of the default 1-minute polls is 1,440
// polls, some 11,500 events, past Temporal's 10,240-event warning; backing off to 16 × the interval it is about
// 95 polls (under 800 events). Temporal timers tick in whole seconds, so the test runs the same shape at a
// 1-second interval for 40 seconds: 40 polls at a fixed interval, 6 or 7 backed off.
const SCALE_POLL = '1 second';
const SCALE_DAY = '40 seconds';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ jobTimeouts: { quietPeriod: SCALE_POLL, pollInterval: SCALE_POLL, discoveryTimeout: '20 seconds', jobTimeout: SCALE_DAY } });
});
afterAll(async () => {
  await env?.stop();
});

describe('a job whose run lasts a day', () => {
  it('keeps its history far below the event cap while it polls a run that does not change', { timeout: 120_000 }, async () => {
    env.relay.setMode({ drop: true });
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const done = await env.waitForStatus(job.id, ['failure'], 90_000);
    expect(done.message).toContain('no final status from GitHub within 40s of dispatch');
    const history = await env.stack.client.workflow.getHandle(`job-${job.id}`).fetchHistory();
    const events = history.events?.length ?? 0;
    const polls = env.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/repos/${OWNER}/${REPO}/actions/runs/`)).length;
    // Backed off: 1, 2, 4, 8, 16, 16 s…, not one a second.
    expect(polls).toBeLessThanOrEqual(10);
    expect(events).toBeLessThan(150);
  });
});
