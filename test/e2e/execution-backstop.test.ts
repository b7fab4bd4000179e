import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import type { JobSummary } from '../../src/api/job-schemas.ts';
import { type E2eStack, startE2eStack } from '../support/e2e-stack.ts';

// The backstop: whatever keeps a job from ending by itself (here: no worker at all), Temporal ends its workflow once
// the job's deadlines and the backstop margin have passed, and the job then reads as a failure that says why.
let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false, jobTimeouts: { jobTimeout: '1 second', discoveryTimeout: '1 second', backstopMargin: '1 second' } });
});
afterAll(async () => {
  await env?.stop();
});

describe('execution-timeout backstop', () => {
  it('ends a job that cannot end by itself, and the API reads it as failure with the reason', async () => {
    const job = await env.createJob();
    const description = await env.stack.client.workflow.getHandle(jobWorkflowId(job.id)).describe();
    expect(description.raw.executionConfig?.workflowExecutionTimeout).toBeTruthy();
    const ended = await env.waitForStatus(job.id, ['failure'], 30_000);
    expect(ended.message).toMatch(/timed out in Temporal \(the backstop of 3s\)/);
    expect(ended.completedAt).toBeDefined();
    expect(ended.version).toMatchObject({ tag: 'v1.2.3' });
    // The list agrees.
    await expect
      .poll(async () => ((await (await env.api('/api/v1/jobs?limit=50')).json()) as { jobs: JobSummary[] }).jobs.find((row) => row.id === job.id)?.status, {
        timeout: 10_000,
      })
      .toBe('failure');
    // A final status is final: no report changes it.
    expect((await env.api(`/api/v1/jobs/${job.id}`, { method: 'PATCH', json: { status: 'successful' } })).status).toBe(409);
  });

  it('reads a job terminated by an operator as failure, saying so', async () => {
    const job = await env.createJob();
    await env.stack.client.workflow.getHandle(jobWorkflowId(job.id)).terminate('stuck; cleaning up');
    const ended = await env.getJob(job.id);
    expect(ended.status).toBe('failure');
    expect(ended.message).toMatch(/was terminated in Temporal: stuck; cleaning up/);
  });
});
