import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/domain/job.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack();
});
afterAll(async () => {
  await env?.stop();
});

const updateEvents = async (jobId: string) => {
  const history = await env.stack.client.workflow.getHandle(`job-${jobId}`).fetchHistory();
  return (history.events ?? []).filter((event) => event.workflowExecutionUpdateCompletedEventAttributes);
};

describe('manual status reports and the job history', () => {
  it('answers a report of the status the job already has without touching its history, and keeps real changes small', async () => {
    const job = await env.createJob({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 103 } });
    await env.waitForStatus(job.id, 'in_progress');
    const same = await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: { status: 'inProgress' } });
    expect(same.status).toBe(200);
    expect(((await same.json()) as Job).status).toBe('in_progress');
    expect(await updateEvents(job.id)).toHaveLength(0);

    const changed = await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: { status: 'action_required', message: 'waiting for approval' } });
    expect(changed.status).toBe(200);
    // The response is the whole job…
    expect(await changed.json()).toMatchObject({ id: job.id, status: 'action_required', message: 'waiting for approval', version: { tag: 'v1.2.3' } });
    const [completed] = await updateEvents(job.id);
    // …but the history keeps only what changed, not the job with its context.
    const outcome = JSON.stringify(completed?.workflowExecutionUpdateCompletedEventAttributes?.outcome);
    expect(outcome.length).toBeLessThan(1200);
    expect(Buffer.from(JSON.parse(outcome).success.payloads[0].data, 'base64').toString()).not.toContain('v1.2.3');
  });
});
