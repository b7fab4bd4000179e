import { allHandlersFinished, CancellationScope, condition, continueAsNew, log, workflowInfo } from '@temporalio/workflow';
import type { CtrlplaneJobStatus } from '../domain/ctrlplane-status.ts';
import { carriedJob, type JobWorkflowInput } from '../domain/job.ts';
import { firstThatFits, MAX_CONTINUE_AS_NEW_BYTES } from './continue-as-new-size.ts';
import type { CtrlplaneReporter } from './ctrlplane-reporter.ts';
import type { JobState } from './job-state.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import type { jobWorkflow, JobWorkflowArgs } from './job-workflow.ts';
import type { ContinueIfLong, WaitProgress } from './wait-for-final-status.ts';

export interface ContinueWhenLongOptions {
  /** What this run of the workflow was started with. */
  args: JobWorkflowArgs;
  input: JobWorkflowInput;
  state: JobState;
  timeouts: JobTimeouts;
  /** The job's Ctrlplane reporter, once started (jobs pulled from Ctrlplane only). */
  reporter: () => CtrlplaneReporter | undefined;
}

/**
 * Continues the job's workflow as new, carrying all its state, once its history passes `historyEventLimit` events or
 * Temporal suggests it: only between events (no update half-answered, no Ctrlplane report in flight) and never with a
 * cancel pending, which belongs to this run (it cancels the GitHub run). A job that would carry more than Temporal
 * accepts goes on waiting in this run.
 */
export function continueWhenLong({ args, input, state, timeouts, reporter }: ContinueWhenLongOptions): ContinueIfLong {
  let tooLargeToContinue = false;
  return async (wait) => {
    const info = workflowInfo();
    if (tooLargeToContinue) return;
    if (!info.continueAsNewSuggested && info.historyLength < (timeouts.historyEventLimit ?? Number.POSITIVE_INFINITY)) return;
    if (CancellationScope.current().consideredCancelled) return;
    // An update's handler is done before its bookkeeping is: the wait, woken by the change it made, can get here first.
    if (!allHandlersFinished()) await condition(allHandlersFinished);
    const ctrlplane = reporter();
    if (!allHandlersFinished() || (ctrlplane && !ctrlplane.idle())) return;
    const next = continueArgs(args, input, state, wait, input.ctrlplane ? (ctrlplane?.reported() ?? null) : undefined);
    if (!next) {
      tooLargeToContinue = true;
      return;
    }
    log.info('history has grown long; continuing as new', { historyLength: info.historyLength, historySize: info.historySize });
    await continueAsNew<typeof jobWorkflow>(next);
  };
}

/**
 * What the next run of a job's workflow starts with, checked against MAX_CONTINUE_AS_NEW_BYTES before the call, so
 * Temporal never refuses it (a refused continue terminates the workflow). The input is carried once. Past the limit,
 * the de-duplication memory and events held for an unconfirmed run are left behind (a repeated event changes nothing;
 * a run not yet confirmed is found by the next look-up); if it is still too large, undefined: the job does not
 * continue and goes on in this run, whose history Temporal lets grow to 51,200 events, 25 times the 2,000 at which a
 * job continues (docs/architecture.md "Invariants").
 */
function continueArgs(
  args: JobWorkflowArgs,
  input: JobWorkflowInput,
  state: JobState,
  wait: WaitProgress,
  ctrlplaneReported: CtrlplaneJobStatus | null | undefined,
): JobWorkflowArgs | undefined {
  const carried = state.carry();
  const resumeWith = (carriedState: typeof carried): JobWorkflowArgs => ({
    ...args,
    resume: { job: carriedJob(state.job, input), state: carriedState, wait, ctrlplaneReported },
  });
  const fit = firstThatFits([() => resumeWith(carried), () => resumeWith({ ...carried, deliveryDigests: [], held: [] })]);
  if (fit.choice === 0) return fit.args;
  const details = { bytes: fit.bytes, limit: MAX_CONTINUE_AS_NEW_BYTES };
  if (fit.args) log.warn('continuing as new without remembered deliveries and held events: the job would carry too much', details);
  else log.warn('not continuing as new: the job would carry more than Temporal accepts; it goes on in this run', details);
  return fit.args;
}
