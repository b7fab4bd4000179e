import { describe, expect, it } from 'vitest';
import { toJobResponse, toWorkspaceJob } from '../../../src/api/job-views.ts';
import { createPendingJob } from '../../../src/domain/job.ts';

const job = createPendingJob({
  id: '6f1c1a52-5b1e-4c57-9a39-0d9d1c0e3b11',
  jobAgentConfig: { installationId: 1 },
  deployment: { id: 'd1', name: 'api-service', slug: 'api-service' },
  environment: { id: 'e1', name: 'production' },
  resource: { identifier: 'cluster-1', config: { namespace: 'prod' } },
  version: { tag: 'v1.2.3' },
  variables: { replicas: 3 },
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('job views', () => {
  it('adds job_id and the job’s variables as the deployment’s variables', () => {
    const view = toJobResponse(job);
    expect(view.job_id).toBe(job.id);
    expect(view.deployment).toEqual({ id: 'd1', name: 'api-service', slug: 'api-service', variables: { replicas: 3 } });
    expect(view.variables).toEqual({ replicas: 3 });
  });

  it('keeps variables a caller gave the deployment itself', () => {
    const own = { ...job, deployment: { ...job.deployment, variables: { region: 'eu' } } };
    expect(toJobResponse(own).deployment.variables).toEqual({ region: 'eu' });
  });

  it('moves the context under dispatchContext for the workspace route', () => {
    const view = toWorkspaceJob(job, 'w1');
    expect(view).not.toHaveProperty('resource');
    expect(view).not.toHaveProperty('variables');
    expect(view).toMatchObject({ id: job.id, job_id: job.id, workspaceId: 'w1', status: 'pending' });
    expect(view.dispatchContext).toMatchObject({
      resource: { identifier: 'cluster-1' },
      variables: { replicas: 3 },
      deployment: { name: 'api-service', variables: { replicas: 3 } },
    });
  });
});
