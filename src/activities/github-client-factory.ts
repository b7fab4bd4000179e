import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { GithubAppCredentials } from '../config/env.ts';

/** Octokit with GitHub's recommended retry (5xx, network) and throttling (429, secondary limits) plugins. */
export const GithubClient = Octokit.plugin(retry, throttling);
export type GithubClient = InstanceType<typeof GithubClient>;

export interface GithubClientFactoryOptions {
  apiUrl: string;
  app?: GithubAppCredentials;
  logger: Logger;
  /** Rate-limit retries before giving up (each honours `retry-after`). */
  maxRateLimitRetries?: number;
}

export interface GithubClientFactory {
  readonly configured: boolean;
  /** One client per installation, reused, so auth-app's token cache means one token mint per hour. */
  forInstallation(installationId: number): GithubClient;
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
  const log = options.logger.child({ component: 'github' });
  return {
    configured: options.app !== undefined,
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
            onRateLimit: (retryAfter, requestOptions, _octokit, retryCount) => {
              log.warn({ retryAfter, url: requestOptions.url, retryCount }, 'GitHub rate limit hit');
              return retryCount < maxRetries;
            },
            onSecondaryRateLimit: (retryAfter, requestOptions, _octokit, retryCount) => {
              log.warn({ retryAfter, url: requestOptions.url, retryCount }, 'GitHub secondary rate limit hit');
              return retryCount < maxRetries;
            },
          },
        });
        clients.set(installationId, client);
      }
      return client;
    },
  };
}
