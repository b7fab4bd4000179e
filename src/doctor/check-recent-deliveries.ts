import type { Octokit } from '@octokit/rest';
import { ok, problem, type CheckResult } from './check-result.ts';
import { WEBHOOK_PATH } from './check-github-app.ts';
import { describeGithubError } from '../github-app/github-app-octokit.ts';
import { attemptsByGuid, isFailedDelivery, listHookDeliveries, type HookDelivery } from '../github-app/list-hook-deliveries.ts';

const WINDOW_MS = 24 * 3_600_000;
const REDELIVER = 'then run `gha-agent github redeliver --since 24h` to replay what was lost';

/** What a failed delivery's status code says about the cause. */
function causeAndFix(code: number): { cause: string; fix: string } {
  if (code === 0)
    return { cause: 'GitHub could not reach the API', fix: `make ${WEBHOOK_PATH} reachable from GitHub (public DNS, ingress, firewall, TLS certificate)` };
  if (code === 401) return { cause: 'the API refused the signature', fix: "set GITHUB_WEBHOOK_SECRET on the API to exactly the App's webhook secret" };
  if (code === 404 || code === 405)
    return {
      cause: 'nothing serves the webhook URL',
      fix: `point the App's webhook URL at https://<your-domain>${WEBHOOK_PATH} and check the ingress routes it to the API`,
    };
  if (code === 503) return { cause: 'the API could not take it (GITHUB_WEBHOOK_SECRET unset, or Temporal unreachable)', fix: "see the API's log and /readyz" };
  if (code === 413) return { cause: 'a proxy in front of the API refused the body size', fix: 'allow request bodies up to 25 MB on the ingress/proxy' };
  return { cause: `the API or a proxy answered ${code}`, fix: "see the API's log and the App's Advanced → Recent Deliveries page" };
}

/**
 * Guide: "Job status not updating automatically" from GitHub's side: how the App's deliveries of the last
 * 24 hours were answered. A wrong secret, an unreachable API and a wrong path each show up here.
 */
export async function checkRecentDeliveries(github: Octokit, nowMs = Date.now()): Promise<CheckResult> {
  const title = 'Recent webhook deliveries';
  let items: HookDelivery[];
  try {
    items = await listHookDeliveries(github, nowMs - WINDOW_MS);
  } catch (error) {
    return problem(
      'app.deliveries',
      title,
      `cannot list the App's deliveries: ${describeGithubError(error).message}`,
      'the App needs an active webhook (App settings → Webhook → Active)',
    );
  }
  const groups = attemptsByGuid(items);
  if (groups.size === 0) return ok('app.deliveries', title, 'none in the last 24 h');
  const failed = [...groups.values()].map((attempts) => attempts[0] as HookDelivery).filter(isFailedDelivery);
  if (failed.length === 0) return ok('app.deliveries', title, `${groups.size} in the last 24 h, all answered 2xx`);
  const latest = failed.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) ? b : a));
  const { cause, fix } = causeAndFix(latest.status_code);
  return problem(
    'app.deliveries',
    title,
    `${failed.length} of ${groups.size} in the last 24 h failed; latest at ${latest.delivered_at}: "${latest.status}" (${cause})`,
    `${fix}; ${REDELIVER}`,
  );
}
