import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiKeyEntry, apiKeyText } from '../auth/api-keys.ts';
import { createPayloadCodecs } from '../codec/create-payload-codecs.ts';
import { loadDeclarativeConfigFromEnv } from '../config/load-declarative-config-from-env.ts';
import { type AppConfig, loadConfig } from '../config/env.ts';
import { type DemoCtrlplane, queueDemoJob, startDemoCtrlplane, watchCtrlplaneJob } from '../dev/demo-ctrlplane.ts';
import { DEMO_INSTALLATION_ID, DEMO_OWNER, DEMO_REPO, startDemoSandbox } from '../dev/demo-sandbox.ts';
import { startLocalStack } from '../dev/local-stack.ts';
import { createLogger } from '../logging/create-logger.ts';
import type { GithubSandbox } from '../sandbox/github-sandbox.ts';
import { findFreePort } from '../temporal/free-port.ts';
import { startTemporalDevServer } from '../dev/temporal/dev-server.ts';
import { onShutdownSignal } from './shutdown.ts';

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
/** Where dev keeps Temporal's state and `dev.env` (GHA_AGENT_DEV_DATA_DIR, default `.data/` in the checkout). */
const DATA_DIR = process.env.GHA_AGENT_DEV_DATA_DIR ?? join(CHECKOUT, '.data');
/** The CONFIG_FILE dev loads when none is set and it runs the GitHub sandbox: its Deployments target the sandbox. */
const EXAMPLE_CONFIG_FILE = join(CHECKOUT, 'examples', 'config.yaml');

/** `preferred` when it is free, else a free port, and a warning that names both (an API elsewhere is easy to miss). */
async function portOr(preferred: number, what: string, warn: (line: string) => void): Promise<number> {
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => findFreePort().then(resolvePort));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolvePort(preferred)));
  });
  if (port !== preferred) warn(`!! port ${preferred} is busy: ${what} listens on ${port} instead (dev.env below says so to the CLI)`);
  return port;
}

/** A path as the user would type it: relative when it is below the working directory, else absolute. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** `KEY='value'` lines a shell can source (`set -a; . .data/dev.env; set +a`). */
function envFileText(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}='${value.replace(/'/g, `'\\''`)}'`)
    .join('\n');
}

/**
 * `gha-agent dev` (`npm run dev`): Temporal dev server (SQLite under .data/, Web UI), worker and API in this
 * process, and the GitHub sandbox when no GitHub App is configured. Ctrl-C stops all of it.
 */
export async function devCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL === 'info' ? 'warn' : config.env.LOG_LEVEL, name: 'gha-agent-dev' });
  const say = (line = '') => process.stdout.write(`${line}\n`);
  // Before anything starts: a broken CONFIG_FILE should stop `dev` at once, with file, document and field.
  // With the GitHub sandbox, the example Deployments (they target it) unless a CONFIG_FILE is given.
  const configFile = config.env.CONFIG_FILE ?? (config.githubApp ? undefined : EXAMPLE_CONFIG_FILE);
  const declarative = await loadDeclarativeConfigFromEnv(configFile, logger);
  // Bad encryption keys stop dev before Temporal starts, as they stop the API and the worker.
  const payloadCodecs = createPayloadCodecs(config.env.PAYLOAD_ENCRYPTION_KEYS);
  const metricsPort = config.env.API_METRICS_PORT;

  const temporal = await startTemporalDevServer({
    dbFile: join(DATA_DIR, 'temporal.db'),
    port: await portOr(7233, 'Temporal', say),
    uiPort: await portOr(8233, 'the Temporal UI', say),
    log: say,
  });
  const webhookSecret = config.env.GITHUB_WEBHOOK_SECRET ?? randomBytes(24).toString('hex');
  const apiKeys = config.apiKeys.length ? config.apiKeys : ['dev-api-key'];
  const firstKey = apiKeyText(apiKeys[0] as ApiKeyEntry);
  let sandbox: GithubSandbox | undefined;
  if (!config.githubApp) sandbox = await startDemoSandbox(webhookSecret, logger);
  // With the GitHub sandbox and no Ctrlplane configured, a Ctrlplane sandbox too: the whole http-pull loop runs locally.
  let demoCtrlplane: DemoCtrlplane | undefined;
  if (sandbox && !config.ctrlplane) demoCtrlplane = await startDemoCtrlplane(logger);

  // The settings `gha-agent api` and `worker` read, with what dev supplies when they are unset (an API key, a webhook
  // secret, a job token secret for this run, the sandboxes) and its listeners on 127.0.0.1, each on its port or,
  // when that is busy, a free one.
  const devConfig: AppConfig = {
    ...config,
    githubApiUrl: sandbox?.url ?? config.githubApiUrl,
    githubApp: sandbox ? { appId: sandbox.appId, privateKey: sandbox.privateKey } : config.githubApp,
    apiKeys,
    jobTokenSecrets: config.jobTokenSecrets ?? [randomBytes(32).toString('hex')],
    ctrlplane: config.ctrlplane ?? demoCtrlplane?.settings,
    env: {
      ...config.env,
      GITHUB_WEBHOOK_SECRET: webhookSecret,
      HOST: '127.0.0.1',
      PORT: await portOr(config.env.PORT, 'the API', say),
      API_METRICS_PORT: typeof metricsPort === 'number' ? await portOr(metricsPort, 'the API metrics', say) : metricsPort,
      WORKER_METRICS_PORT: await portOr(config.env.WORKER_METRICS_PORT, 'the worker metrics', say),
      CONFIG_FILE: configFile,
    },
  };
  const stack = await startLocalStack({
    config: devConfig,
    temporal: { connectionOptions: { address: temporal.address }, namespace: temporal.namespace },
    declarative,
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
  const apiMetrics = metricsPort === 'off' ? 'off' : `${stack.metricsUrl ?? stack.apiUrl}/metrics`;
  say(`  Metrics       ${apiMetrics} (API)   ${stack.workerMetricsUrl}/metrics (worker)`);
  if (config.env.DISPATCH_ALLOWLIST) say(`  Allow-list    ${config.env.DISPATCH_ALLOWLIST.map((rule) => rule.text).join(', ')} (DISPATCH_ALLOWLIST)`);
  if (payloadCodecs.length) say('  Encryption    payloads encrypted in Temporal (PAYLOAD_ENCRYPTION_KEYS); the UI decodes through /codec');
  say(`  Temporal UI   ${temporal.uiUrl}`);
  say(`  Temporal gRPC ${temporal.address}   (state in ${shown(join(DATA_DIR, 'temporal.db'))})`);
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
  // Everything a second shell needs for `gha-agent jobs|doctor|github` against this stack.
  const envFile = join(DATA_DIR, 'dev.env');
  await mkdir(DATA_DIR, { recursive: true });
  await writeFile(
    envFile,
    envFileText({
      GHA_AGENT_API_URL: stack.apiUrl,
      GHA_AGENT_API_KEY: firstKey,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      CONFIG_FILE: configFile,
      GITHUB_API_URL: sandbox?.url,
      GITHUB_BOT_APP_ID: sandbox ? String(sandbox.appId) : undefined,
      GITHUB_BOT_PRIVATE_KEY: sandbox?.privateKey,
      GITHUB_WEBHOOK_SECRET: sandbox ? webhookSecret : undefined,
      GITHUB_WEBHOOK_URL: sandbox ? `${stack.apiUrl}/api/github/webhook` : undefined,
    }) + '\n',
    { mode: 0o600 },
  );
  say();
  if (declarative.deployments.size > 0) {
    say(`Deployments from ${shown(configFile ?? '')}: ${[...declarative.deployments.keys()].join(', ')}`);
  }
  say(`In another shell, the CLI and doctor talk to this stack (${sandbox ? 'its GitHub sandbox included' : 'your GitHub App'}):`);
  say(`  set -a; . ${shown(envFile)}; set +a`);
  if (declarative.deployments.has('api-service')) {
    say(
      '  npm run gha-agent -- jobs create --deployment api-service --environment production --resource cluster-1 --version v1.2.3 --var github_org=acme --watch',
    );
  }
  say('  npm run gha-agent -- jobs create --file examples/job.json --watch');
  say('  npm run gha-agent -- doctor');
  say('Ctrl-C stops everything.');

  onShutdownSignal(logger, async () => {
    say('\nstopping...');
    await stack.stop();
    await sandbox?.close();
    await demoCtrlplane?.sandbox.close();
    await temporal.stop();
  });
}
