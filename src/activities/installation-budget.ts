import { DEFAULT_GITHUB_REQUEST_BUDGET, MUTATION_RESERVE_SHARE } from '../domain/github-limits.ts';

/** A look-up slot set aside for a workflow that nobody came for within this long is given up. */
const UNCLAIMED_SLOT_MS = 60_000;

/**
 * The longest GitHub's window is believed to last from now: an hour, and a margin. A reset further off (a broken
 * header, a clock far behind) is read as this; one already past by our clock (a clock ahead of GitHub's) as a second
 * from now, so the count GitHub gave still holds until the next answer.
 */
const LONGEST_WINDOW_MS = 65 * 60_000;

/** What GitHub last said of an installation's primary rate limit (`x-ratelimit-*`). */
interface Observed {
  limit: number;
  remaining: number;
  /** Epoch ms at which GitHub's window resets. */
  resetMs: number;
}

interface InstallationState {
  observed?: Observed;
  /** Requests this replica sent since the observation, not yet counted by a response. */
  sentSince: number;
  /** When the next look-up may go (epoch ms): look-ups are spread evenly over what is left of GitHub's window. */
  nextLookUpAt: number;
  /** Look-up slots set aside for the workflows whose jobs were told to come back then (key → epoch ms). */
  slots: Map<string, number>;
  deferred: number;
}

/** A look-up may go now (undefined), or not before `until` (epoch ms), for `reason`. */
export type LookUpDecision = undefined | { until: number; reason: string };

export interface InstallationBudgetSnapshot {
  installationId: number;
  /** GitHub's limit for the installation's window. */
  limit: number;
  /** Requests the agent may spend per window: the limit × GITHUB_REQUEST_BUDGET. */
  budget: number;
  /** Requests spent in the current window, by every replica and anything else using the installation (GitHub's count). */
  used: number;
  /** Requests of the budget look-ups leave to dispatches and cancels. */
  reserve: number;
  /** Look-ups told to wait for the budget since the worker started. */
  deferred: number;
}

export type RateLimitHeaders = Record<string, string | number | undefined>;

/**
 * The request budget of each installation (docs/architecture.md "GitHub's request budget"). Its count is GitHub's own
 * (`x-ratelimit-remaining` and `-reset` of every response), so every worker replica reads the same count without
 * sharing state of its own: a replica spending the budget lowers what the others see in their next answer.
 *
 * - Look-ups of runs (the fallback when webhooks stay away) stop where `reserve` of the budget is left, and are spread
 *   evenly over what is left of GitHub's window rather than spent at once: a look-up that would come sooner than its
 *   share is told when to come back, and every look-up of one workflow is told the same time, so one listing answers
 *   them all when they return.
 * - Dispatches and cancels may spend the whole budget; past it they wait for GitHub's window to reset.
 */
export class InstallationBudget {
  private readonly installations = new Map<number, InstallationState>();

  constructor(
    readonly share = DEFAULT_GITHUB_REQUEST_BUDGET,
    private readonly now: () => number = Date.now,
  ) {
    if (!(share > 0 && share <= 1)) throw new Error(`the GitHub request budget must be a share of the rate limit in (0, 1], not ${share}`);
  }

  /** Reads GitHub's count from a response's headers (success or error). Ignores responses without them. */
  observe(installationId: number, headers: RateLimitHeaders | undefined): void {
    const limit = Number(headers?.['x-ratelimit-limit']);
    const remaining = Number(headers?.['x-ratelimit-remaining']);
    const reset = Number(headers?.['x-ratelimit-reset']);
    const resource = headers?.['x-ratelimit-resource'];
    if (resource !== undefined && resource !== 'core') return;
    if (!(limit > 0) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return;
    const state = this.state(installationId);
    const now = this.now();
    state.observed = { limit, remaining, resetMs: Math.min(Math.max(reset * 1000, now + 1000), now + LONGEST_WINDOW_MS) };
    state.sentSince = 0;
  }

  /** Counts a request about to be sent, until its answer brings GitHub's count. */
  sending(installationId: number): void {
    this.state(installationId).sentSince++;
  }

  /**
   * Whether a look-up of `key` (one workflow's runs) may go now. A look-up that may go takes its slot; one that may not
   * is told when its workflow's slot comes.
   */
  lookUp(installationId: number, key: string): LookUpDecision {
    const state = this.state(installationId);
    const now = this.now();
    const window = this.window(state, now);
    if (!window) return undefined;
    for (const [other, at] of state.slots) if (now >= at + UNCLAIMED_SLOT_MS) state.slots.delete(other);
    const available = window.remaining - window.lookUpFloor;
    const slot = state.slots.get(key);
    if (slot !== undefined && (now < slot || available > 0)) {
      if (now >= slot) {
        state.slots.delete(key);
        return undefined;
      }
      state.deferred++;
      return { until: slot, reason: this.describeWait(installationId, window) };
    }
    // No slot, or its time came with the budget spent meanwhile (dispatches, other replicas): wait for the reset.
    state.slots.delete(key);
    if (available <= 0) {
      // Spent down to the reserve: every workflow comes back when the window resets, a little apart.
      const until = Math.max(window.resetMs, state.nextLookUpAt) + 1000;
      state.nextLookUpAt = until;
      state.slots.set(key, until);
      state.deferred++;
      return { until, reason: this.describeWait(installationId, window) };
    }
    const spacing = Math.max(0, window.resetMs - now) / available;
    if (now >= state.nextLookUpAt) {
      state.nextLookUpAt = now + spacing;
      return undefined;
    }
    const until = state.nextLookUpAt;
    state.nextLookUpAt += spacing;
    state.slots.set(key, until);
    state.deferred++;
    return { until, reason: this.describeWait(installationId, window) };
  }

  /**
   * Whether a look-up's follow-up request (a run the shared listing did not hold, read alone) may go: undefined while
   * look-ups have budget left, else when the window resets. Not spaced: the listing it follows took the slot.
   */
  followUp(installationId: number): LookUpDecision {
    const state = this.state(installationId);
    const window = this.window(state, this.now());
    if (!window || window.remaining > window.lookUpFloor) return undefined;
    state.deferred++;
    return { until: window.resetMs + 1000, reason: this.describeWait(installationId, window) };
  }

  /** How long a dispatch or cancel must wait for GitHub's window to reset (ms; 0 = it may go now). */
  mutationWait(installationId: number): number {
    const state = this.state(installationId);
    const now = this.now();
    const window = this.window(state, now);
    if (!window || window.remaining > window.floor) return 0;
    return Math.max(0, window.resetMs - now) + 1000;
  }

  snapshots(): InstallationBudgetSnapshot[] {
    return [...this.installations].flatMap(([installationId, state]) => {
      const observed = state.observed;
      if (!observed) return [];
      const budget = Math.floor(observed.limit * this.share);
      // A window that has reset holds nothing spent yet, as far as anyone knows until GitHub answers again.
      const remaining = this.now() >= observed.resetMs ? observed.limit : observed.remaining;
      return [
        {
          installationId,
          limit: observed.limit,
          budget,
          used: observed.limit - remaining,
          reserve: Math.ceil(budget * MUTATION_RESERVE_SHARE),
          deferred: state.deferred,
        },
      ];
    });
  }

  /** GitHub's window as this replica knows it now; undefined when unknown (no answer yet, or the window has reset). */
  private window(state: InstallationState, now: number) {
    const observed = state.observed;
    if (!observed || now >= observed.resetMs) return undefined;
    const budget = Math.floor(observed.limit * this.share);
    const floor = observed.limit - budget;
    return {
      resetMs: observed.resetMs,
      remaining: observed.remaining - state.sentSince,
      floor,
      lookUpFloor: floor + Math.ceil(budget * MUTATION_RESERVE_SHARE),
    };
  }

  private describeWait(installationId: number, window: { resetMs: number }): string {
    return `waiting for GitHub's request budget of installation ${installationId} (GITHUB_REQUEST_BUDGET; the window resets at ${new Date(window.resetMs).toISOString()})`;
  }

  private state(installationId: number): InstallationState {
    let state = this.installations.get(installationId);
    if (!state) {
      state = { sentSince: 0, nextLookUpAt: 0, slots: new Map(), deferred: 0 };
      this.installations.set(installationId, state);
    }
    return state;
  }
}
