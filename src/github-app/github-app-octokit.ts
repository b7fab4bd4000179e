import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { GithubAppCredentials } from '../config/env.ts';

/** A hung GitHub (or proxy) must not hang the doctor or the redelivery loop. */
const REQUEST_TIMEOUT_MS = 15_000;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const fetchWithTimeout: typeof fetch = (input, init) =>
  fetch(input, {
    ...init,
    signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

/**
 * Octokit authenticated as the App itself (a JWT per request) or, with `installationId`, as one
 * installation. No retry plugin: the tools here report a failure instead of waiting it out.
 */
export function createAppOctokit(apiUrl: string, app: GithubAppCredentials, installationId?: number): Octokit {
  return new Octokit({
    baseUrl: apiUrl,
    userAgent: 'github-actions-agent',
    authStrategy: createAppAuth,
    auth: { appId: app.appId, privateKey: app.privateKey, ...(installationId !== undefined ? { installationId } : {}) },
    log: quiet,
    request: { fetch: fetchWithTimeout },
  });
}

/** The HTTP status and GitHub's message of an Octokit error; status 0 when no answer came. */
export function describeGithubError(error: unknown): { status: number; message: string } {
  const e = error as { status?: number; message?: string; response?: { data?: { message?: string } } };
  // Octokit reports a failed fetch as status 500 without a response.
  const status = typeof e.status === 'number' && e.response ? e.status : 0;
  const message = e.response?.data?.message ?? e.message ?? String(error);
  return { status, message: status === 0 ? `no answer: ${message}` : `${status} ${message}` };
}
