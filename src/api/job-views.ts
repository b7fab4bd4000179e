import type { Job } from '../domain/job.ts';

/**
 * What the API returns for a job. Two compatibility fields make the get-job-inputs action's flattening yield
 * every output Ctrlplane's guide names: `job_id` (the job's `id` again) and `deployment.variables` (the job's
 * variables, unless the caller sent the deployment with variables of its own) → `deployment_variables`.
 */
export function toJobResponse(job: Job) {
  const own = job.deployment.variables;
  const variables = own && typeof own === 'object' && !Array.isArray(own) ? (own as Record<string, unknown>) : job.variables;
  return { ...job, job_id: job.id, deployment: { ...job.deployment, variables } };
}

/** The current get-job-inputs generation's shape: the job with its context under `dispatchContext`. */
export function toWorkspaceJob(job: Job, workspaceId: string) {
  const { deployment, environment, resource, version, variables, release, inputs, ...rest } = toJobResponse(job);
  return {
    ...rest,
    workspaceId,
    dispatchContext: { deployment, environment, resource, version, variables, release, inputs },
  };
}
