import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

/** A durable timer the wait loop watches; `fired` turns true when it fires. */
export interface ArmedTimer {
  readonly due: number;
  fired: boolean;
}

/**
 * The timer of a job's wait for its run (docs/architecture.md, "Waiting for the run"). Each webhook pushes the next
 * poll back by the quiet period; rather than cancel the timer and start another for every event (two history events
 * and a billable action each), the timer already set is kept while it is due no later than the new poll, and the wait
 * sets one for the rest when it fires. Only a poll due sooner than the timer set (an event after a backed-off poll
 * brings the quiet period back) cancels it for a new one. A timer still set when the job ends is left to the
 * workflow's completion, which drops it without a cancel.
 */
export class QuietTimer {
  private current: (ArmedTimer & { scope: CancellationScope }) | undefined;

  /** A timer that fires no later than `due` (workflow time, ms): the one set, when it does, else a new one. */
  armFor(due: number): ArmedTimer {
    const current = this.current;
    if (current && !current.fired && current.due <= due) return current;
    if (current && !current.fired) current.scope.cancel();
    const scope = new CancellationScope();
    const timer = { due, fired: false, scope };
    this.current = timer;
    scope
      .run(() => sleep(Math.max(1, due - Date.now())))
      .then(
        () => {
          timer.fired = true;
        },
        (error: unknown) => {
          // Cancelled: replaced by a sooner timer, or the job was cancelled (the wait's own condition sees that).
          if (!isCancellation(error)) throw error;
        },
      );
    return timer;
  }
}
