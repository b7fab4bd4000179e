import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiKeyEntry, apiKeyText } from '../auth/api-keys.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { loadConfig } from '../config/env.ts';
import { type DemoCtrlplane, queueDemoJob, startDemoCtrlplane, watchCtrlplaneJob } from '../dev/demo-ctrlplane.ts';
import { DEMO_INSTALLATION_ID, DEMO_OWNER, DEMO_REPO, startDemoSandbox } from '../dev/demo-sandbox.ts';
import { startLocalStack } from '../dev/local-stack.ts';
import { createLogger } from '../logging/create-logger.ts';
import type { GithubSandbox } from '../sandbox/github-sandbox.ts';
import { findFreePort } from '../temporal/free-port.ts';
import { startTemporalDevServer } from '../temporal/dev-server.ts';
import { installRuntimeLogger } from '../worker/install-runtime-logger.ts';
import { jobTimeoutsFromEnv } from './job-timeouts-from-env.ts';
import { onShutdownSignal } from './shutdown.ts';

const DATA_DIR = fileURLToPath(new URL('../../.data', import.meta.url));

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => findFreePort().then(resolvePort));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolvePort(preferred)));
  });
}

/**
 * `gha-agent dev` (`npm run dev`): Temporal dev server (SQLite under .data/, Web UI), worker and API in this
 * process, and the GitHub sandbox when no GitHub App is configured. Ctrl-C stops all of it.
 */
export async function devCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL === 'info' ? 'warn' : config.env.LOG_LEVEL, name: 'gha-agent-dev' });
  const say = (line = '') => process.stdout.write(`${line}\n`);
  installRuntimeLogger(logger);
  // Before anything starts: a broken CONFIG_FILE should stop `dev` at once, with file, document and field.
  const declarative = await loadDeclarativeConfigFromEnv(config.env.CONFIG_FILE, logger);

  const temporal = await startTemporalDevServer({
    dbFile: join(DATA_DIR, 'temporal.db'),
    port: await portOr(7233),
    uiPort: await portOr(8233),
    log: say,
  });
  const webhookSecret = config.env.GITHUB_WEBHOOK_SECRET ?? randomBytes(24).toString('hex');
  const apiKeys = config.apiKeys.length ? config.apiKeys : ['dev-api-key'];
  const firstKey = apiKeyText(apiKeys[0] as ApiKeyEntry);
  // Job tokens work in dev out of the box: a secret for this run unless JOB_TOKEN_SECRET is set.
  const jobTokenSecrets = config.jobTokenSecrets ?? [randomBytes(32).toString('hex')];
  let sandbox: GithubSandbox | undefined;
  if (!config.githubApp) sandbox = await startDemoSandbox(webhookSecret, logger);
  // With the GitHub sandbox and no Ctrlplane configured, a Ctrlplane sandbox too: the whole http-pull loop runs locally.
  let demoCtrlplane: DemoCtrlplane | undefined;
  if (sandbox && !config.ctrlplane) demoCtrlplane = await startDemoCtrlplane(logger);
  const ctrlplaneSettings = config.ctrlplane ?? demoCtrlplane?.settings;

  const stack = await startLocalStack({
    temporal: { address: temporal.address, namespace: temporal.namespace },
    taskQueue: config.env.TEMPORAL_TASK_QUEUE,
    githubApiUrl: sandbox?.url ?? config.githubApiUrl,
    githubApp: sandbox ? { appId: sandbox.appId, privateKey: sandbox.privateKey } : config.githubApp,
    githubMutationIntervalMs: config.env.GITHUB_MUTATION_INTERVAL_MS,
    webhookSecret,
    apiKeys,
    jobTokenSecrets,
    jobTokenGracePeriodMs: config.env.JOB_TOKEN_GRACE_PERIOD,
    host: '127.0.0.1',
    port: await portOr(config.env.PORT),
    jobTimeouts: jobTimeoutsFromEnv(config.env),
    workflowBundlePath: config.env.WORKFLOW_BUNDLE_PATH,
    config: declarative,
    ctrlplane: ctrlplaneSettings,
    logger,
  });
  sandbox?.setWebhookUrl(`${stack.apiUrl}/api/github/webhook`);

  const demoJob = JSON.stringify({
    jobAgentConfig: { installationId: DEMO_INSTALLATION_ID, owner: '{{.variables.github_org}}', repo: DEMO_REPO, workflowId: 'deploy.yml', ref: 'main' },
    deployment: { name: 'api-service', slug: 'api-service' },
    environment: { name: 'production' },
    resource: { identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod' } },
    version: { tag: 'v1.2.3', name: 'Release 1.2.3' },
    variables: { github_org: DEMO_OWNER },
  });
  say();
  say('github-actions-agent is running');
  say(`  API           ${stack.apiUrl}   (API key: ${config.apiKeys.length ? 'from API_KEYS' : firstKey})`);
  say(`  Temporal UI   ${temporal.uiUrl}`);
  say(`  Temporal gRPC ${temporal.address}   (state in .data/temporal.db)`);
  say(
    sandbox
      ? `  GitHub        sandbox at ${sandbox.url} (no GitHub App configured)`
      : `  GitHub        ${config.githubApiUrl} as App ${config.githubApp?.appId}`,
  );
  if (stack.ctrlplane) {
    const where = demoCtrlplane ? `sandbox at ${demoCtrlplane.sandbox.url} (no CTRLPLANE_URL configured)` : config.ctrlplane?.apiUrl;
    say(`  Ctrlplane     ${where}, agent ${stack.ctrlplane.origin.agentId} (http-pull)`);
  }
  say();
  if (demoCtrlplane && stack.ctrlplane) {
    const job = queueDemoJob(demoCtrlplane.sandbox, stack.ctrlplane.origin.agentId);
    say(`A demo job from Ctrlplane: ${job.id}`);
    watchCtrlplaneJob(demoCtrlplane.sandbox, job.id, (status) => say(`  Ctrlplane job ${job.id.slice(0, 8)}: ${status}`));
  }
  if (sandbox) {
    say('Create a demo job (it reaches "successful" in a few seconds):');
    say(`  curl -s -X POST ${stack.apiUrl}/api/v1/jobs -H 'x-api-key: ${firstKey}' -H 'content-type: application/json' -d '${demoJob}'`);
    say('Then follow it:');
    say(`  curl -s ${stack.apiUrl}/api/v1/jobs/<id> -H 'x-api-key: ${firstKey}'`);
  }
  say('Ctrl-C stops everything.');

  onShutdownSignal(logger, async () => {
    say('\nstopping...');
    await stack.stop();
    await sandbox?.close();
    await demoCtrlplane?.sandbox.close();
    await temporal.stop();
  });
}
