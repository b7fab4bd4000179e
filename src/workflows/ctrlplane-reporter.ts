import { CancellationScope, condition, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CtrlplaneActivities, ReportCtrlplaneJobStatusResult } from '../activities/create-ctrlplane-activities.ts';
import { type CtrlplaneJobStatus, toCtrlplaneStatus } from '../domain/ctrlplane-status.ts';
import type { CtrlplaneOrigin } from '../domain/job.ts';
import { isTerminalStatus } from '../domain/job-status.ts';
import { ctrlplaneTaskQueue, FailureType } from '../contract/workflow-contract.ts';
import { failureMessage } from './activity-failure.ts';
import type { JobState } from './job-state.ts';

/**
 * Ctrlplane calls retry without limit (a Ctrlplane outage of hours only delays them) and back off to one attempt a
 * minute; they run on the Ctrlplane task queue, so however many wait, GitHub activities keep their slots.
 */
function ctrlplaneActivities() {
  return proxyActivities<CtrlplaneActivities>({
    taskQueue: ctrlplaneTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [FailureType.CtrlplaneRejected] },
  });
}

export type ClaimOutcome = { claimed: true } | { claimed: false; reason: string };

/**
 * Claims the job in Ctrlplane before anything else happens. Not cancellable: a claim that may have taken effect
 * must be known, or a job could stay `inProgress` in Ctrlplane with nothing running it.
 */
export async function claimCtrlplaneJob(origin: CtrlplaneOrigin, jobId: string): Promise<ClaimOutcome> {
  try {
    return await CancellationScope.nonCancellable(() => ctrlplaneActivities().claimCtrlplaneJob({ ...origin, jobId }));
  } catch (error) {
    return { claimed: false, reason: `Ctrlplane refused the claim: ${failureMessage(error)}` };
  }
}

/** The status Ctrlplane should show for the job now: a claimed job is `inProgress` there until it is more. */
function wantedStatus(state: JobState): CtrlplaneJobStatus {
  return state.job.status === 'pending' ? 'inProgress' : toCtrlplaneStatus(state.job.status);
}

/**
 * Reports the job's status to Ctrlplane whenever it changes, one report at a time, so reports leave in order and
 * the final status exactly once (docs/architecture.md "Ctrlplane connection"). A final status set in Ctrlplane by
 * someone else is never overwritten: reports stop, and a job cancelled there is cancelled here (`onCancelled`).
 * `flushed()` resolves when reporting is over; the workflow awaits it before completing.
 */
export interface CtrlplaneReporter {
  /** Resolves when reporting is over. */
  flushed(): Promise<void>;
  /** No report in flight and none due: the workflow may continue as new, carrying `reported()`. */
  idle(): boolean;
  /** The status Ctrlplane has from us, or undefined once reports have stopped. */
  reported(): CtrlplaneJobStatus | undefined;
}

export function startCtrlplaneReporter(
  state: JobState,
  origin: CtrlplaneOrigin,
  jobId: string,
  onCancelled: () => void,
  // The claim itself set the job inProgress in Ctrlplane; a continued run goes on from what the last run reported.
  alreadyReported: CtrlplaneJobStatus = 'inProgress',
): CtrlplaneReporter {
  const { reportCtrlplaneJobStatus } = ctrlplaneActivities();
  let reported: CtrlplaneJobStatus = alreadyReported;
  let sending = false;
  let stopped = false;
  const loop = CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => wantedStatus(state) !== reported);
      const status = wantedStatus(state);
      let result: ReportCtrlplaneJobStatusResult;
      try {
        sending = true;
        result = await reportCtrlplaneJobStatus({ ...origin, jobId, status });
      } catch (error) {
        log.error('Ctrlplane refused a status report; reports stop', { jobId, status, error: failureMessage(error) });
        return;
      } finally {
        sending = false;
      }
      if (result.outcome === 'gone') {
        log.warn('Ctrlplane no longer has the job; status reports stop', { jobId, status });
        return;
      }
      if (result.outcome === 'ended') {
        const ctrlplaneStatus = result.ctrlplaneStatus;
        log.info('the job ended in Ctrlplane; not overwriting it', { jobId, ctrlplaneStatus });
        state.job.ctrlplane = { ...origin, reportedStatus: ctrlplaneStatus };
        if (ctrlplaneStatus === 'cancelled') onCancelled();
        return;
      }
      reported = status;
      state.job.ctrlplane = { ...origin, reportedStatus: status };
      if (isTerminalStatus(state.job.status) && wantedStatus(state) === status) return; // terminal never changes
    }
  }).finally(() => {
    stopped = true;
  });
  return {
    flushed: () => loop,
    idle: () => stopped || (!sending && wantedStatus(state) === reported),
    reported: () => (stopped ? undefined : reported),
  };
}
