import { setTimeout as delay } from 'node:timers/promises';
import { createAppAuth } from '@octokit/auth-app';
import Bottleneck from 'bottleneck';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { GithubAppCredentials } from '../config/env.ts';
import { DEFAULT_MUTATION_INTERVAL_MS } from '../domain/github-limits.ts';
import type { InstallationBudget, RateLimitHeaders } from './installation-budget.ts';

/** Octokit with GitHub's recommended retry (5xx, network) and throttling (429, secondary limits) plugins. */
export const GithubClient = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof GithubClient>;

export interface GithubClientFactoryOptions {
  apiUrl: string;
  app?: GithubAppCredentials;
  logger: Logger;
  /** Rate-limit retries before giving up (each honours `retry-after`). */
  maxRateLimitRetries?: number;
  /** Longest `retry-after` waited out inside a call (default 10 s); longer waits go back to Temporal. */
  maxInProcessRateLimitWaitSeconds?: number;
  /**
   * Minimum gap between two mutating requests (dispatch, cancel) of one installation. GitHub asks for one
   * second to stay clear of secondary rate limits; default 1000. 0 turns the spacing off.
   */
  mutationIntervalMs?: number;
  /** Called with `x-ratelimit-remaining` of every GitHub response (success or error), for the worker's metrics. */
  onRateLimitRemaining?: (resource: string, remaining: number) => void;
  /**
   * Each installation's request budget (GITHUB_REQUEST_BUDGET): fed with GitHub's count from every response; dispatches
   * and cancels past it wait for GitHub's window to reset. Look-ups consult it themselves (WorkflowRunListings).
   */
  budget?: InstallationBudget;
}

export interface GithubClientFactory {
  readonly configured: boolean;
  /** One client per installation, reused, so auth-app's token cache means one token mint per hour. */
  forInstallation(installationId: number): GithubClient;
  /**
   * Runs `send` (a mutating request: dispatch, cancel) in the installation's turn: one at a time, `mutationIntervalMs`
   * apart. `onTurn` is called when the wait is over, just before `send`. A request whose activity attempt ended while
   * it waited (`signal` aborted: timed out, cancelled, worker shutting down) is never sent, so no request outlives
   * the attempt that made it (docs/architecture.md "Invariants"). `urgent` requests (cancels) go before waiting
   * dispatches.
   */
  mutate<T>(installationId: number, turn: MutationTurn, send: () => Promise<T>): Promise<T>;
  /** The budget the factory's clients feed, when it has one. */
  readonly budget?: InstallationBudget;
}

export interface MutationTurn {
  signal?: AbortSignal;
  onTurn?: () => void;
  urgent?: boolean;
}

export class GithubBotNotConfiguredError extends Error {
  constructor() {
    super('GitHub bot not configured: set GITHUB_BOT_APP_ID and GITHUB_BOT_PRIVATE_KEY on the worker');
    this.name = 'GithubBotNotConfiguredError';
  }
}

export function createGithubClientFactory(options: GithubClientFactoryOptions): GithubClientFactory {
  const clients = new Map<number, GithubClient>();
  const maxRetries = options.maxRateLimitRetries ?? 3;
  const maxWait = options.maxInProcessRateLimitWaitSeconds ?? 10;
  // The plugin's default limiters are shared by every client in the process under one key; ours are keyed by
  // installation so one busy installation never slows another down.
  // With spacing on, one mutating request at a time per installation (GitHub: "avoid concurrent requests");
  // with it off (0), no limit at all.
  const interval = options.mutationIntervalMs ?? DEFAULT_MUTATION_INTERVAL_MS;
  const mutations = interval > 0 ? new Bottleneck.Group({ maxConcurrent: 1, minTime: interval }) : undefined;
  // The plugin's own write limiter would queue a request where no activity sees it wait: mutations take their turn
  // in `mutate` instead, and pass through the plugin unspaced.
  const write = new Bottleneck.Group({ maxConcurrent: null, minTime: 0 });
  const log = options.logger.child({ component: 'github' });
  const budget = options.budget;
  return {
    configured: options.app !== undefined,
    budget,
    mutate(installationId, { signal, onTurn, urgent }, send) {
      const inTurn = async () => {
        // Past the budget, the turn waits for GitHub's window to reset (still heartbeating: onTurn has not run).
        for (let wait = budget?.mutationWait(installationId) ?? 0; wait > 0; wait = budget?.mutationWait(installationId) ?? 0) {
          log.warn({ installationId, waitMs: wait }, "GitHub request budget spent: dispatches and cancels wait for GitHub's window to reset");
          await delay(wait, undefined, { signal });
        }
        onTurn?.();
        signal?.throwIfAborted();
        return send();
      };
      if (!mutations) return inTurn();
      return mutations.key(String(installationId)).schedule({ priority: urgent ? 1 : 5 }, inTurn);
    },
    forInstallation(installationId) {
      const app = options.app;
      if (!app) throw new GithubBotNotConfiguredError();
      let client = clients.get(installationId);
      if (!client) {
        client = new GithubClient({
          baseUrl: options.apiUrl,
          userAgent: 'github-actions-agent',
          authStrategy: createAppAuth,
          auth: { appId: app.appId, privateKey: app.privateKey, installationId },
          log: {
            debug: () => {},
            info: () => {},
            warn: (message: string) => log.warn(message),
            error: (message: string) => log.error(message),
          },
          throttle: {
            id: `installation-${installationId}`,
            write,
            // Short waits happen here; longer ones fail the call, and the activity is retried by Temporal after
            // GitHub's wait (github-failure.ts), rather than idling inside an activity against its timeout.
            onRateLimit: (retryAfter, requestOptions, _octokit, retryCount) => {
              log.warn({ retryAfter, url: requestOptions.url, retryCount }, 'GitHub rate limit hit');
              return retryCount < maxRetries && retryAfter <= maxWait;
            },
            onSecondaryRateLimit: (retryAfter, requestOptions, _octokit, retryCount) => {
              log.warn({ retryAfter, url: requestOptions.url, retryCount }, 'GitHub secondary rate limit hit');
              return retryCount < maxRetries && retryAfter <= maxWait;
            },
          },
        });
        observeRateLimit(client, (headers) => {
          budget?.observe(installationId, headers);
          const remaining = Number(headers?.['x-ratelimit-remaining']);
          if (options.onRateLimitRemaining && headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) {
            options.onRateLimitRemaining(String(headers['x-ratelimit-resource'] ?? 'core'), remaining);
          }
        });
        if (budget) {
          client.hook.before('request', (requestOptions) => {
            if (!APP_REQUEST.test(requestOptions.url)) budget.sending(installationId);
          });
        }
        clients.set(installationId, client);
      }
      return client;
    },
  };
}

/** The App's own requests (as the App, with its JWT: minting an installation token) count against the App's limit. */
const APP_REQUEST = /\/app\/installations\/\d+\/access_tokens/;

function observeRateLimit(client: GithubClient, read: (headers: RateLimitHeaders | undefined) => void): void {
  client.hook.after('request', (response, options) => {
    if (!APP_REQUEST.test(options.url)) read(response.headers as RateLimitHeaders);
  });
  client.hook.error('request', (error, options) => {
    if (!APP_REQUEST.test(options.url)) read((error as { response?: { headers?: RateLimitHeaders } }).response?.headers);
    throw error;
  });
}
