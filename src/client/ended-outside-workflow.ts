import type { WorkflowExecutionStatusName } from '@temporalio/client';
// The default import: under Node's own ESM loader this CommonJS package has no named export `temporal`.
import proto from '@temporalio/proto';
import type { JobStatus } from '../domain/job-status.ts';

/**
 * A job whose workflow closed without returning the job (docs/architecture.md "Invariants": the backstop): Temporal
 * timed it out, an operator terminated it, or it failed. Its last published status may still say it was running;
 * the API reads such a job as this final status instead, so no job shows "running" forever.
 */
const ENDED_OUTSIDE: Partial<Record<WorkflowExecutionStatusName, { status: JobStatus; how: string }>> = {
  TIMED_OUT: { status: 'failure', how: 'timed out in Temporal' },
  TERMINATED: { status: 'failure', how: 'was terminated in Temporal' },
  FAILED: { status: 'failure', how: 'failed in Temporal' },
  CANCELLED: { status: 'cancelled', how: 'was cancelled in Temporal' },
};

const { WorkflowExecutionStatus } = proto.temporal.api.enums.v1;
const NAME_OF_STATUS: Partial<Record<number, WorkflowExecutionStatusName>> = {
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT]: 'TIMED_OUT',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED]: 'TERMINATED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED]: 'FAILED',
  [WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED]: 'CANCELLED',
};

/** The final status and the "how" of a workflow that closed this way without ending its job, if it did. */
export function endedOutsideWorkflow(closeStatus: WorkflowExecutionStatusName | number | null | undefined): { status: JobStatus; how: string } | undefined {
  const name = typeof closeStatus === 'number' ? NAME_OF_STATUS[closeStatus] : closeStatus;
  return name ? ENDED_OUTSIDE[name] : undefined;
}
