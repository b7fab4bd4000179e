import { DeclarativeConfigError, loadDeclarativeConfig } from '../config/declarative-config.ts';
import { githubApiBaseUrl, loadConfig, parseEnv } from '../config/env.ts';
import { checkCtrlplane } from './check-ctrlplane.ts';
import type { TemporalConnectConfig } from '../temporal/connection-options.ts';
import { checkAppCredentials } from './check-app-credentials.ts';
import { checkDeployment } from './check-deployment.ts';
import { checkGithubApp } from './check-github-app.ts';
import { checkInstallations } from './check-installations.ts';
import { checkRecentDeliveries } from './check-recent-deliveries.ts';
import { ok, problem, skipped, type CheckResult } from './check-result.ts';
import { checkTemporal, checkWebhookSecretEnv } from './check-service.ts';
import { deploymentTargetsFromConfig, type DeploymentTarget } from './deployment-targets.ts';
import { createAppOctokit } from '../github-app/github-app-octokit.ts';

export interface DoctorOptions {
  /** The environment to check, as the worker and API would read it. */
  env: NodeJS.ProcessEnv;
  /** Deployments given on the command line, checked besides those of CONFIG_FILE. */
  targets?: DeploymentTarget[];
  /** Temporal to check; `undefined` skips those checks (`--skip-temporal`). */
  temporal?: TemporalConnectConfig;
}

export interface DoctorReport {
  githubApiUrl: string;
  results: CheckResult[];
  /** True when any check found a problem (warnings do not count). */
  failed: boolean;
}

/**
 * Every check of the guide's troubleshooting section, in the order a newcomer would fix them: App
 * credentials, the App on GitHub (JWT, events, permissions, webhook), its installations, each
 * Deployment's repository and workflow, then the API's own side (webhook secret, Temporal). A check
 * that depends on a failed one is reported as skipped rather than as a second, misleading failure.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  const parsed = parseEnv(options.env);
  const env = parsed.success ? parsed.data : undefined;
  const raw = options.env;
  const githubApiUrl = githubApiBaseUrl({ GITHUB_API_URL: raw.GITHUB_API_URL?.trim() || undefined, GITHUB_URL: raw.GITHUB_URL?.trim() || undefined });
  if (!parsed.success) {
    results.push(
      problem(
        'env',
        'Environment',
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        'fix the variables named; see .env.example',
      ),
    );
  }

  const { results: credentialResults, credentials } = checkAppCredentials(raw);
  results.push(...credentialResults);

  const targets: DeploymentTarget[] = [...(options.targets ?? [])];
  const configFile = env?.CONFIG_FILE ?? raw.CONFIG_FILE?.trim();
  if (configFile) {
    try {
      const config = await loadDeclarativeConfig(configFile);
      const fromConfig = deploymentTargetsFromConfig(config);
      results.push(ok('config', 'CONFIG_FILE', `${configFile}: ${config.deployments.size} Deployment(s), ${config.jobAgents.size} JobAgent(s)`));
      results.push(...fromConfig.results);
      targets.push(...fromConfig.targets);
    } catch (error) {
      const detail = error instanceof DeclarativeConfigError ? error.problems.join('; ') : (error as Error).message;
      results.push(problem('config', 'CONFIG_FILE', detail, "fix the documents named (see the guide's Configuration section)"));
    }
  }

  if (credentials) {
    const app = createAppOctokit(githubApiUrl, credentials);
    const appCheck = await checkGithubApp(app, githubApiUrl);
    results.push(...appCheck.results);
    if (appCheck.app) {
      results.push(await checkRecentDeliveries(app));
      results.push(...(await checkInstallations(app)));
      for (const target of targets) results.push(...(await checkDeployment(target, { app, apiUrl: githubApiUrl, credentials })));
    } else {
      results.push(skipped('installations', 'Installations', 'needs a JWT GitHub accepts'));
      for (const target of targets) results.push(skipped(`deployment.${target.name}`, `Deployment ${target.name}`, 'needs a JWT GitHub accepts'));
    }
  } else {
    results.push(skipped('app.jwt', 'App JWT', 'needs GITHUB_BOT_APP_ID and GITHUB_BOT_PRIVATE_KEY'));
    for (const target of targets) results.push(skipped(`deployment.${target.name}`, `Deployment ${target.name}`, 'needs the App credentials'));
  }
  if (targets.length === 0 && !configFile) {
    results.push(skipped('deployments', 'Deployments', 'none given: set CONFIG_FILE or pass --repo owner/repo --workflow <id|file> [--ref <branch>]'));
  }

  if (raw.CTRLPLANE_URL?.trim()) {
    let settings;
    try {
      settings = loadConfig(raw).ctrlplane;
    } catch (error) {
      results.push(problem('ctrlplane', 'Ctrlplane', (error as Error).message, 'set the CTRLPLANE_* variables named (see docs/ctrlplane.md)'));
    }
    if (settings) results.push(...(await checkCtrlplane(settings)));
  } else {
    results.push(...(await checkCtrlplane(undefined)));
  }

  results.push(checkWebhookSecretEnv(env?.GITHUB_WEBHOOK_SECRET ?? (raw.GITHUB_WEBHOOK_SECRET?.trim() || undefined)));
  if (options.temporal) results.push(...(await checkTemporal(options.temporal)));
  else results.push(skipped('temporal.reachable', 'Temporal', 'not checked (--skip-temporal)'));

  return { githubApiUrl, results, failed: results.some((r) => r.status === 'problem') };
}
