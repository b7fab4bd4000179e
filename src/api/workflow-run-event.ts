import { workflowPageUrl } from '../domain/github-links.ts';
import { jobIdsInRunTitle } from '../domain/job-id.ts';
import type { WorkflowRunEvent } from '../contract/workflow-contract.ts';

interface WorkflowRunPayload {
  action?: string;
  workflow_run?: {
    id?: number;
    name?: string | null;
    display_title?: string | null;
    status?: string | null;
    conclusion?: string | null;
    html_url?: string;
    updated_at?: string;
    run_attempt?: number;
    path?: string;
    event?: string;
    workflow_id?: number;
    created_at?: string;
    repository?: { full_name?: string; html_url?: string };
  };
  repository?: { full_name?: string; html_url?: string };
  installation?: { id?: number };
}

export interface ParsedWorkflowRunDelivery {
  /** Job IDs found in the run-name, then the workflow name, in order (at most MAX_JOB_IDS_PER_RUN, two spellings each). */
  candidateJobIds: string[];
  event: WorkflowRunEvent;
}

/** Reads a `workflow_run` payload; undefined when it has no run to speak of. */
export function parseWorkflowRunDelivery(payload: unknown, deliveryId: string): ParsedWorkflowRunDelivery | undefined {
  const body = payload as WorkflowRunPayload;
  const run = body?.workflow_run;
  if (!run || typeof run.id !== 'number') return undefined;
  // As written (a job created with an upper-case ID keeps it: workflow IDs are case-sensitive), then lower case.
  const candidateJobIds = [...new Set(jobIdsInRunTitle([run.display_title, run.name]).flatMap((id) => [id, id.toLowerCase()]))];
  const repository = run.repository ?? body.repository;
  return {
    candidateJobIds,
    event: {
      deliveryId,
      action: body.action ?? 'unknown',
      runId: run.id,
      runAttempt: run.run_attempt,
      status: run.status ?? null,
      conclusion: run.conclusion ?? null,
      htmlUrl: run.html_url,
      updatedAt: run.updated_at,
      repository: repository?.full_name,
      workflowUrl: workflowPageUrl(repository?.html_url, run.path),
      installationId: typeof body.installation?.id === 'number' ? body.installation.id : undefined,
      triggerEvent: run.event,
      workflowId: typeof run.workflow_id === 'number' ? run.workflow_id : undefined,
      workflowPath: run.path,
      createdAt: run.created_at,
    },
  };
}
