import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { expect } from 'vitest';
import { JOB_ORIGINS, jobWorkflowId } from '../../src/domain/job-id.ts';
import type { E2eStack } from './e2e-stack.ts';

/** Every run of a job's workflow (one per continue-as-new), oldest first, whatever the job's origin. */
export async function runsOfJob(client: Client, jobId: string): Promise<WorkflowExecutionInfo[]> {
  const runs: WorkflowExecutionInfo[] = [];
  for await (const execution of client.workflow.list({ query: JOB_ORIGINS.map((origin) => `WorkflowId = '${jobWorkflowId(jobId, origin)}'`).join(' OR ') }))
    runs.push(execution);
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

/** Reports progress by hand (each PATCH an accepted update) until the job's workflow has continued as new `times` times. */
export async function growHistoryUntilContinued(env: E2eStack, jobId: string, times = 1): Promise<void> {
  for (let step = 1; step <= 200; step++) {
    const response = await env.api(`/api/v1/jobs/${jobId}`, { method: 'PATCH', json: { status: 'in_progress', message: `step ${step}` } });
    expect(response.status).toBe(200);
    if ((await runsOfJob(env.stack.client, jobId)).length > times) return;
  }
  throw new Error('the job never continued as new');
}
