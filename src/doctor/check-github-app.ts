import type { Octokit } from '@octokit/rest';
import { ok, problem, warn, type CheckResult } from './check-result.ts';
import { describeGithubError } from '../github-app/github-app-octokit.ts';
import { missingPermissions } from './required-permissions.ts';

/** The path the API serves GitHub's deliveries on (docs/architecture.md, "Webhook path"). */
export const WEBHOOK_PATH = '/api/github/webhook';

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
}

function settingsPage(app: AppInfo | undefined): string {
  return `GitHub → Settings → Developer settings → GitHub Apps → ${app?.name ?? 'your App'}`;
}

/**
 * Guide: "`failed to get installation token`" (the JWT) and "Job status not updating automatically"
 * (events, webhook URL, secret), from the App's own view: `GET /app` and `GET /app/hook/config`.
 */
export async function checkGithubApp(github: Octokit, apiUrl: string): Promise<{ results: CheckResult[]; app?: AppInfo }> {
  const results: CheckResult[] = [];
  let data: { id: number; slug?: string; name: string; events: string[]; permissions: Record<string, string | undefined> };
  try {
    data = (await github.request('GET /app')).data as typeof data;
  } catch (error) {
    const { status, message } = describeGithubError(error);
    results.push(
      status === 0
        ? problem(
            'app.jwt',
            'App JWT',
            `GitHub API at ${apiUrl} did not answer (${message})`,
            'check GITHUB_URL / GITHUB_API_URL and that this host can reach the GitHub API (proxy, firewall)',
          )
        : problem(
            'app.jwt',
            'App JWT',
            `GitHub refused the App JWT: ${message}`,
            "GITHUB_BOT_APP_ID must be this App's ID and GITHUB_BOT_PRIVATE_KEY one of its current keys (a deleted or regenerated key is refused); the host clock must be right, as JWTs are time-limited",
          ),
    );
    return { results };
  }
  const app: AppInfo = { id: data.id, slug: data.slug ?? String(data.id), name: data.name };
  results.push(ok('app.jwt', 'App JWT', `accepted: App "${app.name}" (id ${app.id})`));

  results.push(
    data.events.includes('workflow_run')
      ? ok('app.events', 'App events', 'subscribed to workflow_run')
      : problem(
          'app.events',
          'App events',
          `not subscribed to workflow_run (events: ${data.events.join(', ') || 'none'}): GitHub never tells the API how runs end`,
          `${settingsPage(app)} → Permissions & events → Subscribe to events → tick "Workflow run" → Save`,
        ),
  );

  const missing = missingPermissions(data.permissions);
  results.push(
    missing.length === 0
      ? ok('app.permissions', 'App permissions', 'Actions: write, Contents: read, Metadata: read')
      : problem(
          'app.permissions',
          'App permissions',
          `the App does not ask for ${missing.join(', ')}`,
          `${settingsPage(app)} → Permissions & events → Repository permissions; then each installation must accept the change (org Settings → GitHub Apps → Review request)`,
        ),
  );

  try {
    const { data: hook } = await github.request('GET /app/hook/config');
    results.push(...webhookConfigResults(hook, app, apiUrl));
  } catch (error) {
    results.push(
      problem(
        'app.webhook-url',
        'Webhook URL',
        `cannot read the App's webhook config: ${describeGithubError(error).message}`,
        `${settingsPage(app)} → Webhook: tick Active and set the URL to https://<your-domain>${WEBHOOK_PATH}`,
      ),
    );
  }
  return { results, app };
}

const isLoopback = (host: string) => host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]';
const isPrivate = (host: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/.test(host);

/**
 * Why GitHub at `apiUrl` cannot deliver to `url`, if it cannot: a loopback address is this machine only (fine
 * when GitHub is a sandbox on it); a private address is out of github.com's reach (a GitHub Enterprise Server
 * inside the same network may reach it).
 */
export function unreachableWebhookReason(url: URL, apiUrl: string): string | undefined {
  const github = new URL(apiUrl).hostname;
  if (isLoopback(github)) return undefined;
  if (isLoopback(url.hostname)) return `${url.hostname} is this machine's loopback address: GitHub cannot deliver there`;
  if (github === 'api.github.com' && isPrivate(url.hostname)) return `${url.hostname} is a private address: github.com cannot deliver there`;
  return undefined;
}

export function webhookConfigResults(
  hook: { url?: string | undefined; content_type?: string | undefined; secret?: string | undefined; insecure_ssl?: string | number | undefined },
  app: AppInfo,
  apiUrl: string,
): CheckResult[] {
  const results: CheckResult[] = [];
  const page = settingsPage(app);
  const url = hook.url?.trim() ?? '';
  let path: string | undefined;
  let unreachable: string | undefined;
  try {
    path = url ? new URL(url).pathname.replace(/\/+$/, '') : undefined;
    unreachable = url ? unreachableWebhookReason(new URL(url), apiUrl) : undefined;
  } catch {
    path = undefined;
  }
  if (!url) {
    results.push(
      problem(
        'app.webhook-url',
        'Webhook URL',
        'no webhook URL: GitHub sends no workflow_run events anywhere',
        `${page} → Webhook: tick Active, URL https://<your-domain>${WEBHOOK_PATH}`,
      ),
    );
  } else if (path !== WEBHOOK_PATH) {
    results.push(
      problem(
        'app.webhook-url',
        'Webhook URL',
        `${url} does not point at ${WEBHOOK_PATH}`,
        `${page} → Webhook URL: https://<your-domain>${WEBHOOK_PATH} (the API serves deliveries on that path only)`,
      ),
    );
  } else if (unreachable) {
    results.push(
      warn(
        'app.webhook-url',
        'Webhook URL',
        `${url}: ${unreachable}`,
        `${page} → Webhook URL: a public HTTPS address of the API (an ingress, a load balancer, or a tunnel while you try it out)`,
      ),
    );
  } else if (String(hook.insecure_ssl ?? '0') === '1') {
    results.push(
      warn(
        'app.webhook-url',
        'Webhook URL',
        `${url}, with SSL verification disabled`,
        `${page} → Webhook → SSL verification: Enable (use a certificate GitHub trusts)`,
      ),
    );
  } else {
    results.push(ok('app.webhook-url', 'Webhook URL', url));
  }
  results.push(
    hook.content_type === 'json'
      ? ok('app.webhook-content-type', 'Webhook content type', 'application/json')
      : warn(
          'app.webhook-content-type',
          'Webhook content type',
          `${hook.content_type ?? 'unknown'}: the API accepts it, but deliveries are larger and the guide sets JSON`,
          `${page} → Webhook → Content type: application/json`,
        ),
  );
  results.push(
    hook.secret
      ? ok('app.webhook-secret', 'Webhook secret', 'set (GitHub never shows it; a mismatch shows up as 401 deliveries)')
      : problem(
          'app.webhook-secret',
          'Webhook secret',
          'no secret: deliveries arrive unsigned and the API refuses them (401)',
          `generate one (openssl rand -hex 32), enter it in ${page} → Webhook secret, and set the same value as GITHUB_WEBHOOK_SECRET on the API`,
        ),
  );
  return results;
}
