import { parseArgs } from 'node:util';
import { loadConfig } from '../config/env.ts';
import { listInstallations } from '../doctor/check-installations.ts';
import { formatTable } from '../doctor/format-table.ts';
import { createAppOctokit } from '../github-app/github-app-octokit.ts';
import { listDispatchableWorkflows } from '../doctor/list-dispatchable-workflows.ts';
import { parseDuration } from '../config/parse-duration.ts';
import { redeliverFailedDeliveries } from '../github-app/redeliver-failed-deliveries.ts';
import { missingPermissions } from '../doctor/required-permissions.ts';

export const GITHUB_USAGE = `usage: gha-agent github <subcommand>

  installations                          the App's installation IDs (for jobAgentConfig.installationId)
  workflows --repo owner/repo [--installation <id>]
                                         the repository's workflow IDs and files, and whether a job can be dispatched to each
  redeliver [--since 1h] [--dry-run] [--max-attempts 5]
                                         ask GitHub to redeliver the App's webhook deliveries that failed (e.g. while the API was down)

Uses GITHUB_BOT_APP_ID, GITHUB_BOT_PRIVATE_KEY and GITHUB_URL / GITHUB_API_URL.
`;

/** Runs a `gha-agent github` subcommand and returns the exit code; output goes to `write`. */
export async function runGithubCli(args: string[], env: NodeJS.ProcessEnv, write: (text: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === 'help' || sub === '--help') {
    write(GITHUB_USAGE);
    return sub ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      repo: { type: 'string' },
      installation: { type: 'string' },
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'max-attempts': { type: 'string' },
    },
  });
  const config = loadConfig(env);
  if (!config.githubApp) throw new Error('GITHUB_BOT_APP_ID and GITHUB_BOT_PRIVATE_KEY must be set (run `gha-agent doctor` to see why not)');
  const app = createAppOctokit(config.githubApiUrl, config.githubApp);

  if (sub === 'installations') {
    const installations = await listInstallations(app);
    if (installations.length === 0) {
      write('The App is not installed anywhere: App settings → Install App.\n');
      return 1;
    }
    const rows = [['ID', 'ACCOUNT', 'REPOSITORIES', 'PERMISSIONS', 'NOTE']];
    for (const i of installations) {
      const missing = missingPermissions(i.permissions);
      const perms = Object.entries(i.permissions)
        .map(([k, v]) => `${k}:${v}`)
        .join(',');
      rows.push([
        String(i.id),
        i.account,
        i.repositorySelection,
        perms,
        i.suspended ? 'suspended' : missing.length ? `missing ${missing.map((m) => m.split(' (')[0]).join(', ')}` : '',
      ]);
    }
    write(formatTable(rows));
    return 0;
  }

  if (sub === 'workflows') {
    const [owner, repo] = (values.repo ?? '').split('/');
    if (!owner || !repo) throw new Error('workflows needs --repo owner/repo');
    const installationId = values.installation
      ? Number(values.installation)
      : (
          await app.request('GET /repos/{owner}/{repo}/installation', { owner, repo }).catch(() => {
            throw new Error(`the App is not installed on ${owner}/${repo} (App settings → Install App → Repository access)`);
          })
        ).data.id;
    const workflows = await listDispatchableWorkflows(createAppOctokit(config.githubApiUrl, config.githubApp, installationId), owner, repo);
    const rows = [['ID', 'FILE', 'NAME', 'STATE', 'DISPATCH']];
    for (const w of workflows) rows.push([String(w.id), w.path.split('/').pop() ?? w.path, w.name, w.state, w.dispatch]);
    write(`${owner}/${repo} (installation ${installationId})\n${formatTable(rows)}`);
    return 0;
  }

  if (sub === 'redeliver') {
    const sinceMs = Date.now() - parseDuration(values.since ?? '1h');
    const maxAttempts = values['max-attempts'] ? Number(values['max-attempts']) : undefined;
    const report = await redeliverFailedDeliveries(app, { sinceMs, dryRun: values['dry-run'] ?? false, ...(maxAttempts ? { maxAttempts } : {}) });
    if (report.outcomes.length === 0) {
      write(`No failed deliveries since ${new Date(sinceMs).toISOString()} (${report.examined} examined).\n`);
      return 0;
    }
    const rows = [['DELIVERY', 'GUID', 'EVENT', 'LAST STATUS', 'ATTEMPTS', 'RESULT']];
    for (const o of report.outcomes) {
      rows.push([
        String(o.deliveryId),
        o.guid,
        `${o.event}${o.action ? `.${o.action}` : ''}`,
        o.lastStatus,
        String(o.attempts),
        o.error ? `${o.result}: ${o.error}` : o.result,
      ]);
    }
    write(formatTable(rows));
    return report.outcomes.some((o) => o.result === 'error') ? 1 : 0;
  }

  write(GITHUB_USAGE);
  return 2;
}

/** `gha-agent github ...` */
export async function githubCommand(args: string[]): Promise<void> {
  process.exitCode = await runGithubCli(args, process.env, (text) => process.stdout.write(text));
}
