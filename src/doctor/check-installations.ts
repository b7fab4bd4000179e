import type { Octokit } from '@octokit/rest';
import { ok, problem, type CheckResult } from './check-result.ts';
import { describeGithubError } from '../github-app/github-app-octokit.ts';
import { missingPermissions } from './required-permissions.ts';

export interface InstallationSummary {
  id: number;
  account: string;
  repositorySelection: string;
  permissions: Record<string, string | undefined>;
  suspended: boolean;
}

function accountName(account: unknown): string {
  const a = account as { login?: string; slug?: string } | null;
  return a?.login ?? a?.slug ?? '?';
}

/** Every installation of the App (`GET /app/installations`, all pages). */
export async function listInstallations(github: Octokit): Promise<InstallationSummary[]> {
  const all = await github.paginate('GET /app/installations', { per_page: 100 });
  return all.map((i) => ({
    id: i.id,
    account: accountName(i.account),
    repositorySelection: i.repository_selection,
    permissions: { ...(i.permissions as Record<string, string | undefined>) },
    suspended: Boolean(i.suspended_at),
  }));
}

/**
 * Guide: "`failed to get installation token`" and "Actions: Read and write" — for every installation, the
 * token exchange works and the permissions the account accepted include what dispatching needs.
 */
export async function checkInstallations(github: Octokit): Promise<CheckResult[]> {
  let installations: InstallationSummary[];
  try {
    installations = await listInstallations(github);
  } catch (error) {
    return [problem('installations', 'Installations', `cannot list installations: ${describeGithubError(error).message}`, 'see the App JWT check above')];
  }
  if (installations.length === 0) {
    return [
      problem(
        'installations',
        'Installations',
        'the App is not installed on any account: nothing can be dispatched',
        'App settings → Install App → choose the organization → select the repositories with your deploy workflows',
      ),
    ];
  }
  const results: CheckResult[] = [ok('installations', 'Installations', installations.map((i) => `${i.id} (${i.account})`).join(', '))];
  for (const installation of installations) {
    const id = `installation.${installation.id}`;
    const label = `Installation ${installation.id} (${installation.account})`;
    if (installation.suspended) {
      results.push(
        problem(
          `${id}.token`,
          `${label} token`,
          'the installation is suspended: GitHub refuses its tokens',
          `unsuspend it: ${installation.account} → Settings → GitHub Apps → the App → Unsuspend`,
        ),
      );
      continue;
    }
    let granted: Record<string, string | undefined>;
    try {
      const { data } = await github.request('POST /app/installations/{installation_id}/access_tokens', { installation_id: installation.id });
      granted = { ...(data.permissions as Record<string, string | undefined>) };
      results.push(ok(`${id}.token`, `${label} token`, 'token exchange works'));
    } catch (error) {
      results.push(
        problem(
          `${id}.token`,
          `${label} token`,
          `failed to get installation token: ${describeGithubError(error).message}`,
          `the App must still be installed on ${installation.account} and the private key current; reinstall from the App settings → Install App if it was removed`,
        ),
      );
      continue;
    }
    const missing = missingPermissions(granted);
    results.push(
      missing.length === 0
        ? ok(`${id}.permissions`, `${label} permissions`, 'Actions: write, Contents: read, Metadata: read')
        : problem(
            `${id}.permissions`,
            `${label} permissions`,
            `missing ${missing.join(', ')}`,
            `give the App these repository permissions (App settings → Permissions & events) and have ${installation.account} accept them (${installation.account} → Settings → GitHub Apps → the App → Review request)`,
          ),
    );
  }
  return results;
}
