import { expect, vi } from 'vitest';
import type { Job } from '../../src/domain/job.ts';
import { closedPort } from '../unit/doctor/doctor-fixture.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO } from './e2e-stack.ts';

export interface UndeliveredJob {
  job: Job;
  /** The GitHub run the job dispatched. */
  runId: number;
  /** The API's webhook URL, to point the App back at once the API is reachable again. */
  apiWebhook: string;
}

/**
 * Points the sandbox App's webhook at a closed port (the API unreachable), creates a job, and waits until its run's
 * three deliveries (requested, in_progress, completed) have all failed.
 */
export async function jobWithFailedDeliveries(env: E2eStack): Promise<UndeliveredJob> {
  const apiWebhook = env.sandbox.webhookConfig.url as string;
  env.sandbox.setWebhookUrl(`http://127.0.0.1:${await closedPort()}/api/github/webhook`);
  const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101 } });
  const runId = await vi.waitFor(
    () => {
      const id = env.sandbox.dispatches.find((d) => d.inputs.job_id === job.id)?.runId;
      if (!id) throw new Error(`job ${job.id} not dispatched yet`);
      expect(env.sandbox.deliveries.filter((d) => d.runId === id)).toHaveLength(3);
      return id;
    },
    { timeout: 30_000, interval: 50 },
  );
  return { job, runId, apiWebhook };
}
