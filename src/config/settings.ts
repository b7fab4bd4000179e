import { DEFAULT_GITHUB_REQUEST_BUDGET, DEFAULT_MUTATION_INTERVAL_MS } from '../domain/github-limits.ts';
import { DEFAULT_JOB_TOKEN_GRACE_MS } from '../auth/job-token.ts';
import { DEFAULT_TASK_QUEUE } from '../contract/workflow-contract.ts';
import { DEFAULT_JOB_TIMEOUTS } from '../domain/job-timeouts.ts';

/**
 * The processes that read settings: `gha-agent api`, `gha-agent worker`, and `gha-agent setup` (which registers the
 * search attributes and reads the Temporal connection only). `gha-agent dev` runs API and worker in one process and
 * reads what either reads.
 */
export type SettingReader = 'api' | 'worker' | 'setup';

/** How the Helm chart sets a setting. */
export interface ChartMapping {
  /** The values.yaml path (dotted) whose value becomes the variable. */
  readonly value: string;
  /**
   * The chart's default, when it differs from the setting's on purpose (an in-cluster address, a boolean for an
   * on/off). Absent: values.yaml holds the setting's default, or leaves it empty so the agent's default applies.
   */
  readonly default?: string;
  /** How the value turns into the variable, when it is not copied as it is. */
  readonly note?: string;
}

/** One env var the agent reads. */
export interface Setting {
  readonly name: string;
  /**
   * What an unset or empty variable means, written as the variable would be. Absent: unset is a state of its own
   * (off, none, derived), said in `meaning`.
   */
  readonly default?: string;
  readonly readBy: readonly SettingReader[];
  /** Its value is a credential: never logged, never a literal in an env file or a manifest. */
  readonly secret: boolean;
  readonly chart?: ChartMapping;
  /** One line: what it sets. */
  readonly meaning: string;
}

const API: readonly SettingReader[] = ['api'];
const WORKER: readonly SettingReader[] = ['worker'];
const BOTH: readonly SettingReader[] = ['api', 'worker'];
/** The Temporal connection: every process, `setup` included. */
const ALL: readonly SettingReader[] = ['api', 'worker', 'setup'];

const TLS_FILES = 'set from `temporal.tls.existingSecret`, mounted at `/etc/temporal-tls`';

/** Every env var the agent reads, in the order the docs list them. */
export const SETTINGS = [
  // GitHub
  {
    name: 'GITHUB_BOT_APP_ID',
    readBy: WORKER,
    secret: false,
    chart: { value: 'global.integrations.github.bot.appId', note: 'inline or `valueFrom`' },
    meaning: 'the GitHub App ID; unset → jobs fail `GitHub bot not configured`',
  },
  {
    name: 'GITHUB_BOT_PRIVATE_KEY',
    readBy: WORKER,
    secret: true,
    chart: { value: 'global.integrations.github.bot.privateKey', note: 'inline or `valueFrom`' },
    meaning: "the App's PEM private key (PKCS#1 or PKCS#8; literal `\\n` accepted)",
  },
  {
    name: 'GITHUB_WEBHOOK_SECRET',
    readBy: API,
    secret: true,
    chart: { value: 'global.integrations.github.bot.webhookSecret', note: 'inline or `valueFrom`' },
    meaning: 'the webhook secret typed into the App; unset → the webhook endpoint answers 503',
  },
  {
    name: 'GITHUB_BOT_NAME',
    readBy: WORKER,
    secret: false,
    chart: { value: 'global.integrations.github.bot.name', note: 'inline or `valueFrom`' },
    meaning: "the App's name, as in Ctrlplane (optional)",
  },
  {
    name: 'GITHUB_BOT_CLIENT_ID',
    readBy: WORKER,
    secret: false,
    chart: { value: 'global.integrations.github.bot.clientId', note: 'inline or `valueFrom`' },
    meaning: "the App's OAuth client ID, as in Ctrlplane (optional)",
  },
  {
    name: 'GITHUB_BOT_CLIENT_SECRET',
    readBy: WORKER,
    secret: true,
    chart: { value: 'global.integrations.github.bot.clientSecret', note: 'inline or `valueFrom`' },
    meaning: "the App's OAuth client secret, as in Ctrlplane (optional)",
  },
  {
    name: 'GITHUB_URL',
    default: 'https://github.com',
    readBy: BOTH,
    secret: false,
    chart: { value: 'global.integrations.github.url', note: 'inline or `valueFrom`' },
    meaning: 'github.com or a GitHub Enterprise Server URL (its API at `<url>/api/v3`)',
  },
  {
    name: 'GITHUB_API_URL',
    readBy: BOTH,
    secret: false,
    chart: { value: 'githubApiUrl' },
    meaning: 'an explicit REST API base, overriding the one derived from `GITHUB_URL`',
  },
  {
    name: 'GITHUB_MUTATION_INTERVAL_MS',
    default: String(DEFAULT_MUTATION_INTERVAL_MS),
    readBy: WORKER,
    secret: false,
    chart: { value: 'worker.githubMutationIntervalMs' },
    meaning: 'minimum gap in milliseconds between two mutating GitHub calls (dispatch, cancel) of one worker process',
  },
  {
    name: 'GITHUB_REQUEST_BUDGET',
    default: String(DEFAULT_GITHUB_REQUEST_BUDGET),
    readBy: WORKER,
    secret: false,
    chart: { value: 'worker.githubRequestBudget' },
    meaning:
      "share (0 < x ≤ 1) of each installation's rate limit the agent may spend, every replica together; run look-ups keep a tenth of it for dispatches and cancels",
  },
  {
    name: 'GITHUB_REDELIVER_INTERVAL',
    readBy: WORKER,
    secret: false,
    chart: { value: 'worker.githubRedeliverInterval' },
    meaning: 'replay webhook deliveries that failed this often (e.g. `5m`, at least 10s); unset, `0` or `off` = never',
  },
  // Jobs API
  {
    name: 'API_KEYS',
    readBy: API,
    secret: true,
    chart: { value: 'apiKeys', note: 'inline or `valueFrom`' },
    meaning: 'comma-separated keys for `/api/v1` and `/codec`; a bare key may do everything, `scope+scope=key` only those scopes',
  },
  {
    name: 'JOB_TOKEN_SECRET',
    readBy: BOTH,
    secret: true,
    chart: { value: 'jobTokens.secret', note: 'inline or `valueFrom`' },
    meaning: 'signs (worker) and verifies (API) per-job tokens; ≥ 32 characters, comma-separated to rotate (the first signs); unset = no job tokens',
  },
  {
    name: 'JOB_TOKEN_GRACE_PERIOD',
    default: `${DEFAULT_JOB_TOKEN_GRACE_MS / 60_000}m`,
    readBy: API,
    secret: false,
    chart: { value: 'jobTokens.gracePeriod' },
    meaning: 'how long a job token still works after its job ended',
  },
  {
    name: 'PORT',
    default: '8080',
    readBy: API,
    secret: false,
    chart: { value: 'api.port' },
    meaning: "the API's listen port",
  },
  {
    name: 'HOST',
    default: '0.0.0.0',
    readBy: BOTH,
    secret: false,
    meaning: "the listen address of the API and of the worker's metrics and health server",
  },
  {
    name: 'API_METRICS_PORT',
    readBy: API,
    secret: false,
    chart: { value: 'api.metricsPort', note: 'a port also names a `metrics` port on the pod and the Service' },
    meaning: 'where the API serves `/metrics`: unset = on `PORT`, a port number = a listener of its own, `off` = nowhere',
  },
  {
    name: 'API_DOCS',
    default: 'on',
    readBy: API,
    secret: false,
    chart: { value: 'api.docs', default: 'true', note: '`false` sets `off`' },
    meaning: '`on` serves `/docs` and `/api/openapi.json`, `off` neither',
  },
  {
    name: 'WEBHOOK_BODY_LIMIT',
    // GitHub's `workflow_run` deliveries are tens of KB; GitHub caps any payload at 25 MB, and nothing the agent
    // handles comes near 1 MiB.
    default: String(1024 * 1024),
    readBy: API,
    secret: false,
    meaning: 'largest webhook body in bytes, refused with 413 while it is read',
  },
  {
    name: 'CODEC_CORS_ORIGINS',
    readBy: API,
    secret: false,
    chart: { value: 'codec.corsOrigins' },
    meaning: 'comma-separated browser origins (the Temporal UI) allowed to call the codec endpoint',
  },
  // Jobs
  {
    name: 'CONFIG_FILE',
    readBy: BOTH,
    secret: false,
    chart: { value: 'config.inline', note: 'or `config.existingConfigMap`; mounted at `/etc/github-actions-agent/config.yaml`' },
    meaning:
      "declarative config (YAML `JobAgent`/`Deployment` documents, a file or a directory); the worker re-checks a configured deployment's locked keys before dispatch",
  },
  {
    name: 'DISPATCH_ALLOWLIST',
    readBy: BOTH,
    secret: false,
    chart: { value: 'dispatchAllowlist' },
    meaning: 'the GitHub workflows jobs may dispatch, `[installationId:]owner/repo[:workflow][@ref]`, comma-separated; unset = any',
  },
  {
    name: 'JOB_WEBHOOK_QUIET_PERIOD',
    default: String(DEFAULT_JOB_TIMEOUTS.quietPeriod),
    readBy: BOTH,
    secret: false,
    chart: { value: 'jobs.webhookQuietPeriod' },
    meaning: "how long a job waits for a webhook before looking its run up through GitHub's API",
  },
  {
    name: 'JOB_POLL_INTERVAL',
    default: String(DEFAULT_JOB_TIMEOUTS.pollInterval),
    readBy: BOTH,
    secret: false,
    chart: { value: 'jobs.pollInterval' },
    meaning: 'how often a running job asks GitHub while no webhook arrives',
  },
  {
    name: 'JOB_RUN_DISCOVERY_TIMEOUT',
    default: String(DEFAULT_JOB_TIMEOUTS.discoveryTimeout),
    readBy: BOTH,
    secret: false,
    chart: { value: 'jobs.runDiscoveryTimeout' },
    meaning: 'how long after dispatch a run may take to appear before the job ends `external_run_not_found`',
  },
  {
    name: 'JOB_TIMEOUT',
    default: String(DEFAULT_JOB_TIMEOUTS.jobTimeout),
    readBy: BOTH,
    secret: false,
    chart: { value: 'jobs.timeout' },
    meaning: "a job's overall deadline; past it the job ends `failure`",
  },
  // Temporal
  {
    name: 'TEMPORAL_ADDRESS',
    default: 'localhost:7233',
    readBy: ALL,
    secret: false,
    chart: { value: 'temporal.address', default: 'temporal-frontend:7233' },
    meaning: 'the Temporal frontend, `host:port`',
  },
  {
    name: 'TEMPORAL_NAMESPACE',
    default: 'default',
    readBy: ALL,
    secret: false,
    chart: { value: 'temporal.namespace' },
    meaning: 'the Temporal namespace',
  },
  {
    name: 'TEMPORAL_API_KEY',
    readBy: ALL,
    secret: true,
    chart: { value: 'temporal.apiKey', note: 'inline or `valueFrom`' },
    meaning: 'a Temporal Cloud API key (implies TLS)',
  },
  {
    name: 'TEMPORAL_TLS',
    readBy: ALL,
    secret: false,
    chart: { value: 'temporal.tls.enabled', default: 'false', note: '`true` sets `true`' },
    meaning: '`true`: connect to Temporal over TLS',
  },
  {
    name: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
    readBy: ALL,
    secret: false,
    meaning: `the client certificate file for mTLS (chart: ${TLS_FILES}, key \`temporal.tls.certKey\`)`,
  },
  {
    name: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
    readBy: ALL,
    secret: false,
    meaning: `the client key file for mTLS (chart: ${TLS_FILES}, key \`temporal.tls.keyKey\`)`,
  },
  {
    name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    readBy: ALL,
    secret: false,
    meaning: `the CA certificate file the server's certificate is checked against (chart: ${TLS_FILES}, key \`temporal.tls.caKey\`)`,
  },
  {
    name: 'TEMPORAL_TLS_SERVER_NAME',
    readBy: ALL,
    secret: false,
    chart: { value: 'temporal.tls.serverName' },
    meaning: "the server name TLS checks, when it differs from the address's host",
  },
  {
    name: 'TEMPORAL_TASK_QUEUE',
    default: DEFAULT_TASK_QUEUE,
    readBy: BOTH,
    secret: false,
    chart: { value: 'temporal.taskQueue' },
    meaning: 'the task queue the worker polls and the API starts jobs on',
  },
  {
    name: 'PAYLOAD_ENCRYPTION_KEYS',
    readBy: BOTH,
    secret: true,
    chart: { value: 'encryption.keys', note: 'inline or `valueFrom`' },
    meaning: 'AES-256-GCM payload encryption, comma-separated `id:base64key`; the first encrypts, all decrypt; unset = payloads in clear',
  },
  // Worker
  {
    name: 'WORKER_METRICS_PORT',
    default: '9464',
    readBy: WORKER,
    secret: false,
    chart: { value: 'worker.metricsPort' },
    meaning: 'where the worker serves Prometheus `/metrics` and `GET /healthz`',
  },
  {
    name: 'WORKER_MAX_CACHED_WORKFLOWS',
    default: '250',
    readBy: WORKER,
    secret: false,
    chart: { value: 'worker.maxCachedWorkflows' },
    meaning: 'workflows the worker keeps in memory (about 1.4 MiB each); the rest are replayed from history on their next event',
  },
  {
    name: 'WORKFLOW_BUNDLE_PATH',
    readBy: WORKER,
    secret: false,
    meaning: 'pre-built workflow code (`gha-agent bundle`; the image sets it); unset = bundled at start-up',
  },
  {
    name: 'LOG_LEVEL',
    default: 'info',
    readBy: BOTH,
    secret: false,
    chart: { value: 'logLevel' },
    meaning: 'pino level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  },
  // Ctrlplane
  {
    name: 'CTRLPLANE_URL',
    readBy: WORKER,
    secret: false,
    chart: { value: 'ctrlplane.url' },
    meaning: "Ctrlplane's URL (`/api` is appended unless present); unset = no Ctrlplane connection",
  },
  {
    name: 'CTRLPLANE_API_KEY',
    readBy: WORKER,
    secret: true,
    chart: { value: 'ctrlplane.apiKey', note: 'inline or `valueFrom`' },
    meaning: 'a Ctrlplane API key (`<prefix>.<secret>`), required with `CTRLPLANE_URL`',
  },
  {
    name: 'CTRLPLANE_WORKSPACE_ID',
    readBy: WORKER,
    secret: false,
    chart: { value: 'ctrlplane.workspaceId' },
    meaning: "the workspace's ID (a UUID, not its slug), required with `CTRLPLANE_URL`",
  },
  {
    name: 'CTRLPLANE_AGENT_NAME',
    default: 'github-actions-agent',
    readBy: WORKER,
    secret: false,
    chart: { value: 'ctrlplane.agentName' },
    meaning: "the job agent's name; the worker creates an `http-pull` agent of that name when the workspace has none",
  },
  {
    name: 'CTRLPLANE_AGENT_ID',
    readBy: WORKER,
    secret: false,
    chart: { value: 'ctrlplane.agentId' },
    meaning: "the job agent's ID; unset = derived from the workspace and the name (stable across restarts)",
  },
  {
    name: 'CTRLPLANE_POLL_INTERVAL',
    default: '10s',
    readBy: WORKER,
    secret: false,
    chart: { value: 'ctrlplane.pollInterval' },
    meaning: 'how often each worker replica asks Ctrlplane for queued jobs (at least 1s)',
  },
] as const satisfies readonly Setting[];

export type SettingName = (typeof SETTINGS)[number]['name'];

/** The declared default of a setting that has one. */
export function settingDefault(name: SettingName): string {
  const setting: Setting | undefined = SETTINGS.find((candidate) => candidate.name === name);
  if (setting?.default === undefined) throw new Error(`${name} declares no default`);
  return setting.default;
}

/**
 * `source` with every unset or blank declared variable replaced by its declared default, so the schema parses the
 * default as it parses a value (an empty `${VAR:-}` in an env file means the default too).
 */
export function withDeclaredDefaults(source: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const filled: Record<string, string | undefined> = { ...source };
  for (const setting of SETTINGS as readonly Setting[]) {
    if (setting.default !== undefined && (filled[setting.name] ?? '').trim() === '') filled[setting.name] = setting.default;
  }
  return filled;
}
