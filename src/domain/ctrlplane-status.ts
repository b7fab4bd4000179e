import { JOB_STATUSES, type JobStatus, isTerminalStatus } from './job-status.ts';

/**
 * Ctrlplane's job statuses as its REST API spells them (camelCase; docs/architecture.md "Ctrlplane connection").
 * `queued` is Ctrlplane's own: an http-pull agent's job waits in it until claimed.
 */
export const CTRLPLANE_JOB_STATUSES = [
  'pending',
  'queued',
  'inProgress',
  'actionRequired',
  'successful',
  'failure',
  'cancelled',
  'skipped',
  'invalidJobAgent',
  'invalidIntegration',
  'externalRunNotFound',
] as const;

export type CtrlplaneJobStatus = (typeof CTRLPLANE_JOB_STATUSES)[number];

/** Our status → Ctrlplane's spelling: the same words, camelCase. */
export function toCtrlplaneStatus(status: JobStatus): CtrlplaneJobStatus {
  return status.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()) as CtrlplaneJobStatus;
}

const FINAL: ReadonlySet<string> = new Set(JOB_STATUSES.filter(isTerminalStatus).map(toCtrlplaneStatus));

/** The statuses a job ends in (ours, spelled Ctrlplane's way): Ctrlplane sets `completedAt` for these. */
export function isFinalCtrlplaneStatus(status: CtrlplaneJobStatus): boolean {
  return FINAL.has(status);
}
