import { condition, isCancellation, log } from '@temporalio/workflow';
import { msToNumber as toMs } from '@temporalio/common';
import { formatDuration } from '../domain/format-duration.ts';
import { failureMessage } from './activity-failure.ts';
import { lookUpWorkflowRun } from './github-activities.ts';
import type { JobState } from './job-state.ts';
import type { JobTimeouts } from '../domain/job-timeouts.ts';
import { QuietTimer } from './quiet-timer.ts';
import type { RunBinding } from './run-binding.ts';

/** Where the wait for the run stands; carried into continue-as-new. */
export interface WaitProgress {
  /** When the wait began (ms since epoch, workflow time): the job's deadlines count from here. */
  startedAt: number;
  pollDelayMs: number;
  intervalMs: number;
}

/** Called at each turn of the wait: continues the workflow as new when its history has grown long. */
export type ContinueIfLong = (wait: WaitProgress) => Promise<void>;

/** Shows (or, with undefined, clears) what the job waits for besides its run in its Temporal details. */
export type ShowWaiting = (note: string | undefined) => void;

export interface WaitForFinalStatusOptions {
  state: JobState;
  /** Where the job's run must come from. */
  target: RunBinding;
  timeouts: JobTimeouts;
  continueIfLong: ContinueIfLong;
  showWaiting: ShowWaiting;
  /** Where the previous run of the workflow left the wait (continue-as-new); absent for a wait that starts now. */
  resumed?: WaitProgress;
}

/** Polls back off to this many poll intervals while the run does not change. */
const MAX_POLL_BACKOFF = 16;

/** Longest a look-up waits for the budget before it asks again: whatever GitHub's headers said. */
const MAX_BUDGET_WAIT_MS = 16 * 60_000;

/**
 * Waits for the job's run to reach a final status (docs/architecture.md "Waiting for the run"): webhooks first; when
 * none arrives for the quiet period, a look-up through the API, polled less often while the run does not change. Ends
 * the job `failure` past its deadline, `external_run_not_found` when no run is found within the discovery timeout.
 */
export async function waitForFinalStatus({ state, target, timeouts, continueIfLong, showWaiting, resumed }: WaitForFinalStatusOptions): Promise<void> {
  const started = resumed?.startedAt ?? Date.now();
  const deadline = started + toMs(timeouts.jobTimeout);
  const discoveryDeadline = started + toMs(timeouts.discoveryTimeout);
  const pollInterval = toMs(timeouts.pollInterval);
  const quietTimer = new QuietTimer();
  let pollDelay = resumed?.pollDelayMs ?? pollInterval;
  let interval = resumed?.intervalMs ?? toMs(timeouts.quietPeriod);
  // The poll is due when nothing has arrived for `interval`.
  let pollAt = Date.now() + interval;
  while (!state.terminal) {
    await continueIfLong({ startedAt: started, pollDelayMs: pollDelay, intervalMs: interval });
    const now = Date.now();
    if (now >= deadline) {
      state.finish('failure', `no final status from GitHub within ${formatDuration(toMs(timeouts.jobTimeout))} of dispatch`);
      return;
    }
    // Past the discovery deadline without a run, the job waits for a look-up the budget let through, then ends.
    const limit = state.job.run || now >= discoveryDeadline ? deadline : Math.min(deadline, discoveryDeadline);
    const seen = state.observations;
    const held = state.heldArrivals;
    const changed = () => state.terminal || state.observations !== seen || state.heldArrivals !== held;
    const wakeAt = Math.max(now + 1, Math.min(pollAt, limit));
    const timer = quietTimer.armFor(wakeAt);
    await condition(() => changed() || timer.fired);
    const arrived = changed();
    // Woken by a timer set for an earlier poll than the one now due: set one for the rest.
    if (!arrived && Date.now() < wakeAt) continue;
    if (arrived && state.heldArrivals !== held && !state.job.run && !state.terminal) {
      // An event for a run not yet known to be ours (GHES answers dispatches with 204): confirm it on the job's
      // repository through the API before it counts.
      const outcome = await lookUpRun(state, target, interval, showWaiting);
      pollAt = Date.now() + (typeof outcome === 'object' ? outcome.deferMs : interval);
      continue;
    }
    if (arrived) {
      interval = toMs(timeouts.quietPeriod);
      pollDelay = pollInterval;
      pollAt = Date.now() + interval;
      continue;
    }
    const before = runFingerprint(state);
    const outcome = await lookUpRun(state, target, interval, showWaiting);
    if (typeof outcome === 'object') {
      // The budget said wait: come back then, the poll's interval unchanged.
      pollAt = Date.now() + outcome.deferMs;
      continue;
    }
    // Past the discovery deadline, only a look-up that found no run ends the job (a failed one is not an answer).
    if (outcome === 'seen' && !state.job.run && Date.now() >= discoveryDeadline && !state.terminal) {
      state.finish(
        'external_run_not_found',
        `no GitHub run for job ${state.job.id} found in ${target.owner}/${target.repo} within ${formatDuration(toMs(timeouts.discoveryTimeout))} of dispatch ` +
          `(does the workflow's run-name contain \${{ inputs.job_id }}?)`,
      );
      return;
    }
    // A run that stays as it was is polled less and less often (up to 16 × the poll interval), so a job whose run
    // lasts a day, or whose webhooks never come, keeps a small history; any change brings the interval back.
    pollDelay = runFingerprint(state) === before ? Math.min(pollDelay * 2, pollInterval * MAX_POLL_BACKOFF) : pollInterval;
    interval = pollDelay;
    pollAt = Date.now() + interval;
  }
}

/** What a lookup can change: the job's status and the run as GitHub reports it. */
function runFingerprint(state: JobState): string {
  const run = state.job.run;
  return [state.job.status, run?.id, run?.status, run?.conclusion, run?.attempt, run?.updatedAt].join('|');
}

/** What a look-up found: the run (or none yet), nothing (it failed, and was logged), or when to come back. */
type LookUpOutcome = 'seen' | 'failed' | { deferMs: number };

/**
 * Asks GitHub for the run when webhooks stay away (a listing shared with the worker's other jobs of the workflow may
 * answer, if no older than half the job's `interval`); a failed lookup is logged and left to the next one. When the
 * installation's request budget says wait, says so in the job's details and returns how long (docs/architecture.md
 * "GitHub's request budget").
 */
async function lookUpRun(state: JobState, target: RunBinding, interval: number, showWaiting: ShowWaiting): Promise<LookUpOutcome> {
  try {
    const answer = await lookUpWorkflowRun({ ...target, jobId: state.job.id, runId: state.job.run?.id, maxAgeMs: Math.floor(interval / 2) });
    if ('waitMs' in answer) {
      showWaiting(answer.reason);
      // A relative wait, timed by the workflow's own clock: the worker's may differ from the server's.
      return { deferMs: Math.min(Math.max(1000, answer.waitMs), MAX_BUDGET_WAIT_MS) };
    }
    showWaiting(undefined);
    if (answer.run) {
      state.applyObservation(answer.run);
      state.releaseHeld();
    }
    return 'seen';
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('looking up the GitHub run failed', { error: failureMessage(error) });
    return 'failed';
  }
}
