import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import { spawnWorker } from '../support/spawned-worker.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
});
afterAll(async () => {
  await env?.stop();
});

describe('a worker process that dies', () => {
  it('leaves the job to the next worker: it still ends right, with one run', async () => {
    const first = await spawnWorker(env);
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    const running = await env.waitForStatus(job.id, 'in_progress');
    await first.kill();

    // The run finishes while no worker is alive; the webhook is accepted and kept in the job's history.
    await env.sandbox.completeRun(Number(running.externalId), 'success');
    const completedDelivery = env.relay.forwarded.find((f) => f.runId === Number(running.externalId) && f.action === 'completed');
    expect(completedDelivery?.status).toBe(200);

    const second = await spawnWorker(env);
    try {
      const done = await env.waitForStatus(job.id, ['successful', 'failure', 'cancelled'], 60_000);
      expect(done.status).toBe('successful');
      expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(1);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
