import type { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { describeGithubError } from './github-app-octokit.ts';
import { attemptsByGuid, isFailedDelivery, listHookDeliveries, type HookDelivery } from './list-hook-deliveries.ts';

export interface RedeliverOptions {
  /** Only deliveries first attempted at or after this instant (GitHub keeps them for 3 days). */
  sinceMs: number;
  /** List what would be redelivered without asking GitHub to. */
  dryRun?: boolean;
  /** A delivery that already failed this many times within the window is left alone; default 5. */
  maxAttempts?: number;
  /**
   * Per-delivery backoff (the worker's loop passes its interval): a delivery that failed `n` times is sent again only
   * once its last attempt is `backoffMs × 2^(n−1)` old. Every worker replica runs the loop and sees the others'
   * attempts, so together they redeliver once per gap instead of once per replica and round, and the attempts last
   * through an outage of about 15 intervals instead of a few rounds. Absent: no wait (the CLI's one-off run).
   */
  backoffMs?: number;
  logger?: Logger;
}

export interface RedeliveryOutcome {
  guid: string;
  /** The failed attempt that was redelivered. */
  deliveryId: number;
  event: string;
  action: string | null;
  /** GitHub's status text of that attempt, e.g. `Invalid HTTP Response: 503`. */
  lastStatus: string;
  attempts: number;
  /** `waiting`: its last attempt is younger than the backoff asks; a later round sends it. */
  result: 'redelivered' | 'would-redeliver' | 'gave-up' | 'waiting' | 'error';
  error?: string;
}

export interface RedeliveryReport {
  /** Distinct deliveries (guids) in the window. */
  examined: number;
  outcomes: RedeliveryOutcome[];
}

/**
 * Finds the App's webhook deliveries whose latest attempt failed (the API was down, answered non-2xx,
 * or could not be reached) and asks GitHub to send each again, oldest first. A delivery that later
 * succeeded is left alone, so running this again, or from several workers, does no harm: a
 * redelivery keeps its delivery ID, which the job workflow deduplicates on.
 */
export async function redeliverFailedDeliveries(github: Octokit, options: RedeliverOptions): Promise<RedeliveryReport> {
  const maxAttempts = options.maxAttempts ?? 5;
  const items = await listHookDeliveries(github, options.sinceMs);
  const groups = attemptsByGuid(items);
  const outcomes: RedeliveryOutcome[] = [];
  for (const [guid, attempts] of groups) {
    const latest = attempts[0] as HookDelivery;
    if (!isFailedDelivery(latest)) continue;
    const base = { guid, deliveryId: latest.id, event: latest.event, action: latest.action, lastStatus: latest.status, attempts: attempts.length };
    if (attempts.length >= maxAttempts) {
      outcomes.push({ ...base, result: 'gave-up' });
      continue;
    }
    if (options.backoffMs !== undefined && Date.now() - Date.parse(latest.delivered_at) < options.backoffMs * 2 ** (attempts.length - 1)) {
      outcomes.push({ ...base, result: 'waiting' });
      continue;
    }
    if (options.dryRun) {
      outcomes.push({ ...base, result: 'would-redeliver' });
      continue;
    }
    try {
      await github.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: latest.id });
      outcomes.push({ ...base, result: 'redelivered' });
      options.logger?.info(
        { guid, deliveryId: latest.id, event: latest.event, action: latest.action, lastStatus: latest.status },
        'asked GitHub to redeliver a failed webhook delivery',
      );
    } catch (error) {
      const { message } = describeGithubError(error);
      outcomes.push({ ...base, result: 'error', error: message });
      options.logger?.warn({ guid, deliveryId: latest.id, err: message }, 'GitHub refused to redeliver a webhook delivery');
    }
  }
  return { examined: groups.size, outcomes };
}
