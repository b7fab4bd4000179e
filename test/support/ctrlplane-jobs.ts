import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CtrlplaneJob, CtrlplaneJobStatus } from '../../src/ctrlplane/ctrlplane-job.ts';
import type { CtrlplaneSandbox } from '../../src/sandbox/ctrlplane/ctrlplane-sandbox.ts';
import { CTRLPLANE_WORKSPACE_ID, INSTALLATION_ID, OWNER, REPO } from './e2e-stack.ts';

/**
 * Queues a job for our agent in the Ctrlplane sandbox the way a deployment would: the job agent config comes from
 * the deployment (templated) and the version, merged by Ctrlplane; the dispatch context is a release target.
 */
export function queueCtrlplaneJob(
  ctrlplane: CtrlplaneSandbox,
  agentId: string,
  options: { workflowId?: number | string; deploymentConfig?: Record<string, unknown>; variables?: Record<string, unknown> } = {},
): CtrlplaneJob {
  return ctrlplane.createJob({
    workspaceId: CTRLPLANE_WORKSPACE_ID,
    jobAgentId: agentId,
    deploymentJobAgentConfig: {
      installationId: '{{.variables.installation}}',
      owner: '{{.variables.github_org}}',
      repo: REPO,
      workflowId: options.workflowId ?? 101,
      ref: '{{ .variables.settings.branch }}',
      ...options.deploymentConfig,
    },
    dispatchContext: {
      deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
      environment: { id: randomUUID(), name: 'production' },
      resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod' } },
      version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3' },
      // Ctrlplane sends object values wrapped as {"object": ...}.
      variables: { github_org: OWNER, installation: INSTALLATION_ID, settings: { object: { branch: 'main' } }, ...options.variables },
    },
  });
}

/** Waits until Ctrlplane shows the job in one of these statuses. */
export async function waitForCtrlplaneStatus(
  ctrlplane: CtrlplaneSandbox,
  jobId: string,
  statuses: CtrlplaneJobStatus | CtrlplaneJobStatus[],
  timeout = 60_000,
): Promise<void> {
  const wanted = Array.isArray(statuses) ? statuses : [statuses];
  await expect.poll(() => ctrlplane.job(jobId)?.status, { timeout, interval: 100 }).toSatisfy((status) => wanted.includes(status as CtrlplaneJobStatus));
}

/** The statuses Ctrlplane accepted for the job, in order. */
export function reportedStatuses(ctrlplane: CtrlplaneSandbox, jobId: string): CtrlplaneJobStatus[] {
  return ctrlplane.statusReports(jobId).map((report) => report.status);
}
