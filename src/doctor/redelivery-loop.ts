import type { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { GithubAppCredentials } from '../config/env.ts';
import { createAppOctokit, describeGithubError } from './github-app-octokit.ts';
import { parseDuration } from '../config/parse-duration.ts';
import { redeliverFailedDeliveries } from './redeliver-failed-deliveries.ts';

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
 * The worker's `GITHUB_REDELIVER_INTERVAL` (e.g. `5m`): unset or `0`/`off` = off (the default). Needs the
 * App credentials, as listing and redelivering deliveries is done as the App.
 */
export function startRedeliveryFromEnv(options: {
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  app: GithubAppCredentials | undefined;
  logger: Logger;
}): { stop(): Promise<void> } | undefined {
  const raw = options.env.GITHUB_REDELIVER_INTERVAL?.trim();
  if (!raw || raw === '0' || raw.toLowerCase() === 'off') return undefined;
  // Validated at start-up by the env schema (at least 10s: GitHub's delivery list is rate limited).
  const intervalMs = parseDuration(raw);
  if (intervalMs < 10_000) throw new Error(`GITHUB_REDELIVER_INTERVAL=${raw} is below 10s; GitHub's delivery list is rate limited`);
  if (!options.app) {
    options.logger.warn('GITHUB_REDELIVER_INTERVAL is set but the GitHub App credentials are not: webhook redelivery stays off');
    return undefined;
  }
  return startRedeliveryLoop({ github: createAppOctokit(options.apiUrl, options.app), intervalMs, logger: options.logger });
}
