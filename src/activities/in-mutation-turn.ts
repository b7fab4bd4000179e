import { Context } from '@temporalio/activity';
import { attemptStart, confirmAttemptStillCurrent } from './attempt-still-current.ts';
import type { GithubClientFactory } from './github-client-factory.ts';

/** Heartbeats while a mutation waits for its turn: well inside the activities' 30 s heartbeat timeout. */
const WAITING_HEARTBEAT_MS = 5_000;

/**
 * Runs a mutating GitHub request of the current activity in its installation's turn (`GithubClientFactory.mutate`),
 * waiting where Temporal sees it: the activity heartbeats while it waits, so a long queue (a burst of dispatches on
 * one installation) never times the attempt out, and stops once its turn comes, so a request that hangs is caught by
 * the heartbeat timeout. When the attempt ends while waiting (cancelled, timed out, worker shut down), it
 * stops waiting at once and its request is never sent (its place in the queue passes when reached): a retry can never
 * race an earlier attempt's request still waiting to go out. An attempt that waited long enough for the server to have
 * timed it out unheard (its worker cut off from Temporal) sends only once Temporal confirms it is still the current
 * attempt (`confirmAttemptStillCurrent`; docs/architecture.md "Invariants").
 */
export function inMutationTurn<T>(
  github: GithubClientFactory,
  installationId: number,
  send: (signal: AbortSignal) => Promise<T>,
  options: { urgent?: boolean } = {},
): Promise<T> {
  const context = Context.current();
  const signal = context.cancellationSignal;
  const startedAt = attemptStart(context);
  context.heartbeat();
  const beat = setInterval(() => context.heartbeat(), WAITING_HEARTBEAT_MS);
  const turn = github.mutate(installationId, { signal, urgent: options.urgent, onTurn: () => clearInterval(beat) }, async () => {
    await confirmAttemptStillCurrent(context, startedAt);
    signal.throwIfAborted();
    return send(signal);
  });
  const ended = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    else signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  // The queued request settles later (unsent, when its turn comes): nothing waits for it.
  turn.catch(() => undefined);
  return Promise.race([turn, ended]).finally(() => clearInterval(beat));
}
