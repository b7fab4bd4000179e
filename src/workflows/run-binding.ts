import type { WorkflowRunEvent } from '../contract/workflow-contract.ts';

/** Where a job's run must come from: what the job dispatched, and when. */
export interface RunBinding {
  installationId: number;
  owner: string;
  repo: string;
  /** The numeric workflow ID or its file name (`deploy.yml`), as configured. */
  workflowId: number | string;
  /** ISO time of the first dispatch attempt. */
  notBefore: string;
}

/** GitHub's clock and ours may differ; a run created this long before our dispatch can still be ours. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Why a `workflow_run` event cannot be the job's run, or undefined when it can: it must come from the job's
 * repository and installation, be a `workflow_dispatch` run of the dispatched workflow, created after the dispatch
 * (docs/architecture.md "Invariants"). A signed delivery from another repository of the same App is rejected here
 * however its run is titled. A field GitHub always sends that is missing counts against the event.
 */
export function foreignRunReason(event: WorkflowRunEvent, binding: RunBinding): string | undefined {
  const repository = `${binding.owner}/${binding.repo}`;
  if (event.repository?.toLowerCase() !== repository.toLowerCase()) return `repository ${event.repository ?? '(none)'} is not ${repository}`;
  if (event.installationId !== binding.installationId) return `installation ${event.installationId ?? '(none)'} is not ${binding.installationId}`;
  if (event.triggerEvent !== 'workflow_dispatch') return `run started by ${event.triggerEvent ?? '(unknown)'}, not workflow_dispatch`;
  const workflowMatches =
    typeof binding.workflowId === 'number'
      ? event.workflowId === binding.workflowId
      : event.workflowPath !== undefined && (event.workflowPath === binding.workflowId || event.workflowPath.endsWith(`/${binding.workflowId}`));
  if (!workflowMatches) return `workflow ${event.workflowPath ?? event.workflowId ?? '(none)'} is not ${binding.workflowId}`;
  const created = event.createdAt ? Date.parse(event.createdAt) : Number.NaN;
  if (!(created >= Date.parse(binding.notBefore) - CLOCK_SKEW_MS)) return `run created ${event.createdAt ?? '(unknown)'}, before the dispatch`;
  return undefined;
}
