import type { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { GithubAppCredentials } from '../config/env.ts';
import { createAppOctokit, describeGithubError } from '../github-app/github-app-octokit.ts';
import { redeliverFailedDeliveries } from '../github-app/redeliver-failed-deliveries.ts';

export interface RedeliveryLoopOptions {
  github: Octokit;
  intervalMs: number;
  logger: Logger;
  /** How far back each round looks; default the larger of 1 hour and three intervals. */
  lookBackMs?: number;
}

/**
 * Runs `redeliverFailedDeliveries` every `intervalMs` (the worker's `GITHUB_REDELIVER_INTERVAL`), so
 * events lost while the API was down reach their jobs without anyone clicking "Redeliver". Rounds
 * never overlap; `stop()` waits for the one in flight.
 */
export function startRedeliveryLoop(options: RedeliveryLoopOptions): { stop(): Promise<void> } {
  const lookBackMs = options.lookBackMs ?? Math.max(3_600_000, options.intervalMs * 3);
  const log = options.logger.child({ component: 'webhook-redelivery' });
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = async () => {
    try {
      const report = await redeliverFailedDeliveries(options.github, { sinceMs: Date.now() - lookBackMs, backoffMs: options.intervalMs, logger: log });
      const redelivered = report.outcomes.filter((o) => o.result === 'redelivered').length;
      if (redelivered > 0) log.info({ redelivered, examined: report.examined }, 'redelivered failed webhook deliveries');
    } catch (error) {
      log.warn({ err: describeGithubError(error).message }, 'could not list webhook deliveries');
    }
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = round().finally(() => {
      running = undefined;
    });
  }, options.intervalMs);
  timer.unref();
  log.info({ intervalMs: options.intervalMs, lookBackMs }, 'webhook redelivery enabled');
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * The worker's `GITHUB_REDELIVER_INTERVAL` (validated by the env schema: unset or `0`/`off` = off, the default, else at
 * least 10s, as GitHub's delivery list is rate limited). Needs the App credentials: deliveries are listed and
 * redelivered as the App.
 */
export function startConfiguredRedelivery(options: {
  intervalMs: number | undefined;
  apiUrl: string;
  app: GithubAppCredentials | undefined;
  logger: Logger;
}): { stop(): Promise<void> } | undefined {
  if (options.intervalMs === undefined) return undefined;
  if (!options.app) {
    options.logger.warn('GITHUB_REDELIVER_INTERVAL is set but the GitHub App credentials are not: webhook redelivery stays off');
    return undefined;
  }
  return startRedeliveryLoop({ github: createAppOctokit(options.apiUrl, options.app), intervalMs: options.intervalMs, logger: options.logger });
}
