/** GitHub's primary rate limit for a GitHub App installation's token: 5,000 requests an hour by default. */
export const DEFAULT_INSTALLATION_REQUESTS_PER_HOUR = 5_000;
/** GitHub's window: an hour. */
export const RATE_LIMIT_WINDOW_MS = 60 * 60 * 1000;

export interface RateLimitState {
  limit: number;
  used: number;
  remaining: number;
  /** Unix seconds at which the window resets. */
  reset: number;
}

/** What one installation request gets: allowed or refused, with the `x-ratelimit-*` headers GitHub sends either way. */
export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

/**
 * The primary rate limit of each installation, counted as GitHub does: a window of an hour that starts with the
 * installation's first request, every request made with its token counting once (refused ones do not), and past the
 * limit every request refused until the window resets. App (JWT) requests have a limit of their own, not counted here.
 */
export class PrimaryRateLimit {
  private readonly windows = new Map<number, { used: number; resetMs: number }>();
  /** Requests refused, per installation. */
  readonly refused = new Map<number, number>();

  constructor(
    private readonly limit = DEFAULT_INSTALLATION_REQUESTS_PER_HOUR,
    private readonly now: () => number = Date.now,
    /** GitHub's hour, shrunk by tests that watch the limit reset. */
    private readonly windowMs = RATE_LIMIT_WINDOW_MS,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`rate limit must be a positive integer, not ${limit}`);
    if (!(windowMs >= 1000)) throw new Error(`rate limit window must be at least a second, not ${windowMs} ms`);
  }

  take(installationId: number): RateLimitDecision {
    const window = this.window(installationId);
    const allowed = window.used < this.limit;
    if (allowed) window.used++;
    else this.refused.set(installationId, (this.refused.get(installationId) ?? 0) + 1);
    return { allowed, headers: headersOf(this.stateOf(window)) };
  }

  state(installationId: number): RateLimitState {
    return this.stateOf(this.window(installationId));
  }

  private window(installationId: number): { used: number; resetMs: number } {
    const now = this.now();
    let window = this.windows.get(installationId);
    if (!window || now >= window.resetMs) {
      window = { used: 0, resetMs: now + this.windowMs };
      this.windows.set(installationId, window);
    }
    return window;
  }

  private stateOf(window: { used: number; resetMs: number }): RateLimitState {
    return { limit: this.limit, used: window.used, remaining: Math.max(0, this.limit - window.used), reset: Math.ceil(window.resetMs / 1000) };
  }
}

function headersOf(state: RateLimitState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-used': String(state.used),
    'x-ratelimit-reset': String(state.reset),
    'x-ratelimit-resource': 'core',
  };
}

/** The answer past the limit: 403, GitHub's message and documentation link, `x-ratelimit-remaining: 0`. */
export function rateLimitExceeded(installationId: number): { status: number; body: object } {
  return {
    status: 403,
    body: {
      message: `API rate limit exceeded for installation ID ${installationId}. If you reach out to GitHub Support for help, please include the request ID.`,
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    },
  };
}
