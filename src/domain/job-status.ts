/** The statuses a job can leave: waiting, running, waiting for approval. */
const ACTIVE_STATUSES = ['pending', 'in_progress', 'action_required'] as const;
/** The statuses a job ends in; it never leaves one. */
const TERMINAL_STATUSES = ['successful', 'failure', 'cancelled', 'skipped', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'] as const;

/** Ctrlplane's job statuses (snake_case, as the jobs API speaks them). */
export const JOB_STATUSES = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(TERMINAL_STATUSES);

/** Once a job is in a terminal status it never changes again. */
export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Progress rank used to refuse backwards moves: a job never goes from in_progress back to pending, and
 * nothing leaves a terminal status. in_progress and action_required share a rank because a run that waited
 * for approval goes on running once approved.
 */
export function statusRank(status: JobStatus): number {
  if (status === 'pending') return 0;
  if (isTerminalStatus(status)) return 2;
  return 1;
}

const BY_LOOSE_NAME = new Map<string, JobStatus>(JOB_STATUSES.map((status) => [status.replaceAll('_', '').toLowerCase(), status]));

/** Accepts the snake_case names and their camelCase spellings (`inProgress`, `invalidJobAgent`, ...). */
export function parseJobStatus(input: string): JobStatus | undefined {
  if ((JOB_STATUSES as readonly string[]).includes(input)) return input as JobStatus;
  if (!/^[a-z][a-zA-Z]*$/.test(input)) return undefined;
  return BY_LOOSE_NAME.get(input.toLowerCase());
}
