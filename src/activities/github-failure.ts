import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../contract/workflow-contract.ts';
import { GithubBotNotConfiguredError } from './github-client-factory.ts';

interface RequestErrorLike {
  status: number;
  message: string;
  request?: { url?: string };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as RequestErrorLike).status === 'number';
}

function githubMessage(error: RequestErrorLike): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : error.message;
}

/** Seconds GitHub asks us to wait: `retry-after`, else until `x-ratelimit-reset`, else a minute (GitHub's advice). */
export function rateLimitWaitSeconds(headers: Record<string, string | undefined> = {}, nowMs = Date.now()): number {
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.ceil(retryAfter);
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset)) return Math.max(1, Math.ceil(reset - nowMs / 1000));
  return 60;
}

/**
 * A rate limit longer than the throttling plugin waits for in-process: the activity fails and Temporal retries
 * it after GitHub's wait (`nextRetryDelay`), so no activity sits idle against its timeout.
 */
function rateLimited(error: RequestErrorLike, message: string): ApplicationFailure {
  const seconds = rateLimitWaitSeconds(error.response?.headers);
  return ApplicationFailure.create({
    type: FailureType.RateLimited,
    message: `GitHub rate limit (HTTP ${error.status}): ${message}; retrying in ${seconds} s`,
    nonRetryable: false,
    nextRetryDelay: `${seconds} seconds`,
  });
}

/** Statuses where a retry cannot help: the request is wrong, or we are not allowed to make it. */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 410, 422]);

/**
 * Turns an error from a GitHub call into what Temporal should do with it: a non-retryable
 * `InvalidIntegration` failure with a message a person can act on (401/403/404/422, missing credentials), or the
 * original error, which the activity's retry policy retries (network errors, 5xx, exhausted rate-limit retries).
 * `describe` words the message for a 404/422 on the call itself.
 */
export function toGithubFailure(error: unknown, describe: (status: number, githubMessage: string) => string): unknown {
  if (error instanceof GithubBotNotConfiguredError) {
    return ApplicationFailure.create({
      type: FailureType.InvalidIntegration,
      message: 'GitHub bot not configured',
      nonRetryable: true,
      details: [error.message],
    });
  }
  if (!isRequestError(error)) return error;
  const message = githubMessage(error);
  if (error.status === 429 || (error.status === 403 && /rate limit/i.test(message))) return rateLimited(error, message);
  if (!FINAL_STATUSES.has(error.status)) return error;
  const url = error.request?.url ?? '';
  const text = /\/app\/installations\/\d+\/access_tokens|\/app\b/.test(url)
    ? `failed to get installation token: ${message} (HTTP ${error.status}; check GITHUB_BOT_APP_ID, GITHUB_BOT_PRIVATE_KEY and that the App is installed with this installationId)`
    : error.status === 401
      ? `GitHub rejected the installation token: ${message} (HTTP 401)`
      : describe(error.status, message);
  return ApplicationFailure.create({ type: FailureType.InvalidIntegration, message: text, nonRetryable: true });
}
