import { ApplicationFailure, type Context } from '@temporalio/activity';
import proto from '@temporalio/proto';

const { PendingActivityState } = proto.temporal.api.enums.v1;

/** How long Temporal is given to say whether an attempt is still current; no answer in time means it cannot say. */
const CONFIRM_DEADLINE_MS = 5_000;

/** A request not sent because its attempt could not be confirmed as the current one: retried like any other failure. */
const NOT_CONFIRMED = 'AttemptNotConfirmed';

/**
 * When the current attempt began as the server may count it: when it was scheduled (the server's clock) or, if that
 * reads later, now. Taken before the attempt waits; the earlier of the two makes the wait look longer, never shorter.
 */
export function attemptStart(context: Context): number {
  return Math.min(Date.now(), context.info.currentAttemptScheduledTimestampMs);
}

/**
 * Confirms, before a mutation that waited for its turn is sent, that its attempt is still the one the server runs, so no
 * request outlives its attempt (docs/architecture.md "Invariants": a job dispatches at most one GitHub run).
 *
 * The attempt's cancellation signal does not say so on its own: it fires when a heartbeat is answered "not found", and a
 * worker that cannot reach Temporal (a network partition, GitHub still reachable) gets no answer at all. Its heartbeats
 * stop reaching the server, which times the attempt out and retries it on another worker; that retry finds no run (the
 * request still waits here) and dispatches. So a request whose attempt has lived long enough for the server to have
 * timed it out (half its heartbeat or start-to-close timeout: the server needs the whole timeout without a heartbeat)
 * is sent only if Temporal, asked now, lists the activity as started with this very attempt number. Any other answer,
 * an error or no answer within a few seconds, and the request is not sent: the attempt fails with a retryable error.
 * Quick waits ask nothing: no server can have timed out an attempt younger than its timeout.
 */
export async function confirmAttemptStillCurrent(context: Context, startedAt: number): Promise<void> {
  const { info } = context;
  const timeouts = [info.heartbeatTimeoutMs, info.startToCloseTimeoutMs].filter((ms): ms is number => ms !== undefined && ms > 0);
  if (timeouts.length === 0 || Date.now() - startedAt < Math.min(...timeouts) / 2) return;

  const execution = info.workflowExecution;
  if (!execution) throw notConfirmed('it was not scheduled by a workflow');
  let pending;
  try {
    const client = context.client;
    const described = await withinDeadline(CONFIRM_DEADLINE_MS, (deadline) =>
      client.withDeadline(deadline, () =>
        client.workflowService.describeWorkflowExecution({
          namespace: info.namespace,
          execution: { workflowId: execution.workflowId, runId: execution.runId },
        }),
      ),
    );
    pending = described.pendingActivities?.find((activity) => activity.activityId === info.activityId);
  } catch (error) {
    throw notConfirmed(`Temporal could not be asked (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!pending) throw notConfirmed('its activity is no longer pending');
  if (pending.attempt !== info.attempt || pending.state !== PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) {
    throw notConfirmed(`the server runs attempt ${pending.attempt ?? '?'} (${PendingActivityState[pending.state ?? 0] ?? pending.state})`);
  }
}

function notConfirmed(reason: string): ApplicationFailure {
  return ApplicationFailure.retryable(`request not sent: its attempt could not be confirmed as still current, ${reason}`, NOT_CONFIRMED);
}

/** `ask`, given up after `ms` even when the connection does not enforce the deadline it is given. */
function withinDeadline<T>(ms: number, ask: (deadline: number) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  const answer = ask(Date.now() + ms);
  // An answer after the deadline is of no use; nothing waits for it.
  answer.catch(() => undefined);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}
