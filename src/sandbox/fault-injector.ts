/**
 * A failure to play on the next matching request(s), so tests can drive retry paths:
 * - `server-error`: 500 `{"message":"Server Error"}` without doing the work;
 * - `secondary-rate-limit`: 403 with GitHub's secondary-rate-limit message and `retry-after`;
 * - `rate-limit`: 403 with `x-ratelimit-remaining: 0` (primary limit) and a reset time;
 * - `too-many-requests`: 429 with `retry-after`;
 * - `connection-reset`: the socket is destroyed before the request is handled;
 * - `lost-response`: the request IS handled (a dispatch starts its run) and then the socket is
 *   destroyed, the "unknown outcome" a client must recover from without acting twice;
 * - `delay`: the request is handled normally after `delayMs` (a slow GitHub; lets a test act mid-request).
 */
export interface SandboxFault {
  kind: 'server-error' | 'secondary-rate-limit' | 'rate-limit' | 'too-many-requests' | 'connection-reset' | 'lost-response' | 'delay';
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Path (no query) to match exactly, or a pattern; any when absent. */
  path?: string | RegExp;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** `retry-after` for the rate limits; default 1. */
  retryAfterSeconds?: number;
  /** For `delay`: how long the request waits before it is handled; default 1000. */
  delayMs?: number;
}

/** Hands out injected faults to the requests they match, first injected first. */
export class FaultInjector {
  private readonly faults: Array<SandboxFault & { left: number }> = [];

  add(fault: SandboxFault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  take(method: string, path: string): SandboxFault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index] as SandboxFault & { left: number };
    fault.left -= 1;
    if (fault.left <= 0) this.faults.splice(index, 1);
    return fault;
  }

  clear(): void {
    this.faults.length = 0;
  }
}

/** The answer GitHub gives for a fault that produces a response. */
export function faultResponse(fault: SandboxFault, nowMs = Date.now()): { status: number; body: object; headers: Record<string, string> } | undefined {
  const retryAfter = String(fault.retryAfterSeconds ?? 1);
  switch (fault.kind) {
    case 'server-error':
      return { status: 500, body: { message: 'Server Error' }, headers: {} };
    case 'secondary-rate-limit':
      return {
        status: 403,
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: '403',
        },
        headers: { 'retry-after': retryAfter },
      };
    case 'rate-limit':
      return {
        status: 403,
        body: {
          message: 'API rate limit exceeded for installation.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
          status: '403',
        },
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(Math.floor(nowMs / 1000) + Number(retryAfter)),
        },
      };
    case 'too-many-requests':
      return {
        status: 429,
        body: { message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest', status: '429' },
        headers: { 'retry-after': retryAfter },
      };
    default:
      return undefined;
  }
}
