import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveCtrlplaneAgentId } from '../../../src/ctrlplane/agent-id.ts';
import { queueCtrlplaneJob, reportedStatuses, waitForCtrlplaneStatus } from '../../support/ctrlplane-jobs.ts';
import { type E2eStack, startE2eStack } from '../../support/e2e-stack.ts';
import { spawnWorker } from '../../support/spawned-worker.ts';

let env: E2eStack;
beforeAll(async () => {
  // No in-process worker: `gha-agent worker` child processes pull from Ctrlplane, as in production.
  env = await startE2eStack({ startWorker: false, ctrlplane: true });
});
afterAll(async () => {
  await env?.stop();
});

describe('fault drill: a worker pulling from Ctrlplane is SIGKILLed', () => {
  it('between claim and dispatch: the next worker runs each claimed job once and reports it', { timeout: 240_000 }, async () => {
    const settings = env.ctrlplaneSettings!;
    const agentId = deriveCtrlplaneAgentId(settings.workspaceId, settings.agentName);
    // GitHub answers dispatches slowly, so the worker dies after its claims and before (or during) its dispatches.
    env.sandbox.injectFault({ kind: 'delay', method: 'POST', path: /\/dispatches$/, delayMs: 3000, times: 4 });
    const first = await spawnWorker(env);
    const jobs = Array.from({ length: 4 }, () => queueCtrlplaneJob(env.ctrlplane!, agentId));
    await expect.poll(() => jobs.every((job) => env.ctrlplane!.job(job.id)?.status === 'inProgress'), { timeout: 30_000 }).toBe(true);
    await first.kill();
    const dispatchedAtKill = jobs.filter((job) => env.sandbox.dispatches.some((d) => d.inputs.job_id === job.id)).length;
    expect(dispatchedAtKill).toBeLessThan(jobs.length);
    const second = await spawnWorker(env);
    try {
      for (const job of jobs) await waitForCtrlplaneStatus(env.ctrlplane!, job.id, 'successful', 150_000);
      for (const job of jobs) {
        expect(env.sandbox.dispatches.filter((d) => d.inputs.job_id === job.id)).toHaveLength(1);
        // One claim took; when the kill landed between Ctrlplane's 200 and Temporal hearing of it, the next worker's
        // retry got 409 and knew the claim for its own (an earlier attempt may have reached Ctrlplane).
        const [claimed, ...retried] = env.ctrlplane!.claimAttempts(job.id).map((c) => c.status);
        expect(claimed).toBe(200);
        expect(retried.every((status) => status === 409)).toBe(true);
        expect(reportedStatuses(env.ctrlplane!, job.id)).toEqual(['successful']);
      }
      // The workers logged at info level throughout, and never the Ctrlplane key.
      expect(first.output()).toContain('Ctrlplane job pulled');
      expect(first.output() + second.output()).not.toContain(settings.apiKey);
    } finally {
      await second.stop();
    }
  });
});
