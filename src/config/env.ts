import { z } from 'zod';
import { type ApiKeyEntry, parseApiKeys } from '../auth/api-keys.ts';
import { DEFAULT_JOB_TOKEN_GRACE_MS, parseJobTokenSecrets } from '../auth/job-token.ts';
import { DEFAULT_GITHUB_REQUEST_BUDGET, DEFAULT_MUTATION_INTERVAL_MS } from '../domain/github-limits.ts';
import { DEFAULT_TASK_QUEUE } from '../contract/workflow-contract.ts';
import { parseDispatchAllowlist } from './dispatch-allowlist.ts';
import { parseDuration } from './parse-duration.ts';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value : undefined));

/** Every env var of DESIGN §2, validated once at start-up. */
/**
 * A duration in the one grammar of src/config/parse-duration.ts, as milliseconds; `undefined` when unset. `min`
 * refuses values too small to make sense, naming the bound.
 */
function duration(min = 1) {
  return optionalString.transform((text, context): number | undefined => {
    if (text === undefined) return undefined;
    try {
      const ms = parseDuration(text);
      if (ms >= min) return ms;
      context.addIssue({ code: 'custom', message: `must be at least ${min >= 1000 ? `${min / 1000}s` : `${min}ms`} (got ${text})` });
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
    return z.NEVER;
  });
}

/** A setting parsed by `parse`, whose error becomes the variable's message (the process refuses to start). */
function parsedBy<T>(parse: (text: string | undefined) => T) {
  return optionalString.transform((text, context) => {
    try {
      return parse(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

export const envSchema = z.object({
  GITHUB_BOT_APP_ID: optionalString,
  GITHUB_BOT_PRIVATE_KEY: optionalString,
  GITHUB_WEBHOOK_SECRET: optionalString,
  GITHUB_BOT_NAME: optionalString,
  GITHUB_BOT_CLIENT_ID: optionalString,
  GITHUB_BOT_CLIENT_SECRET: optionalString,
  GITHUB_URL: optionalString,
  GITHUB_API_URL: optionalString,
  /**
   * API: comma-separated keys; a bare key may do everything, `scope+scope=key` only those scopes (src/auth/api-keys.ts).
   * Parsed here, so an unknown scope stops the process naming API_KEYS (never the key).
   */
  API_KEYS: parsedBy(parseApiKeys),
  /**
   * Both: signs (worker) and verifies (API) per-job tokens; comma-separated, the first signs, all verify. Unset →
   * no job tokens (a job whose config sets jobTokenInput ends invalid_integration).
   */
  JOB_TOKEN_SECRET: parsedBy(parseJobTokenSecrets),
  /** API: how long a job token still works after its job ended (`10m`). */
  JOB_TOKEN_GRACE_PERIOD: duration(0).transform((ms) => ms ?? DEFAULT_JOB_TOKEN_GRACE_MS),
  /**
   * API: where `/metrics` is served. Unset → on the API's own port (as before); a port number → on a listener of
   * its own at that port (HOST), not on PORT; `off` → nowhere.
   */
  API_METRICS_PORT: optionalString.transform((text, context): number | 'off' | undefined => {
    if (text === undefined) return undefined;
    if (text.trim().toLowerCase() === 'off') return 'off';
    const port = Number(text);
    if (/^\d+$/.test(text.trim()) && port <= 65535) return port;
    context.addIssue({ code: 'custom', message: `must be a port number or "off" (got ${text})` });
    return z.NEVER;
  }),
  /** API: `on` (default) serves `/docs` and `/api/openapi.json`; `off` serves neither. */
  API_DOCS: optionalString.pipe(z.enum(['on', 'off'], { message: 'must be "on" or "off"' }).optional()).transform((value) => value !== 'off'),
  /** Worker: replay failed webhook deliveries this often (`5m`, at least 10s: GitHub's delivery list is rate limited); `off`/`0`/unset = off. */
  GITHUB_REDELIVER_INTERVAL: optionalString
    .transform((text) => (text === undefined || text === '0' || text.toLowerCase() === 'off' ? undefined : text))
    .pipe(duration(10_000)),
  /** Job deadlines (API and the Ctrlplane poller, which start jobs); unset = the defaults of src/domain/job-timeouts.ts. */
  JOB_WEBHOOK_QUIET_PERIOD: duration(1000),
  JOB_POLL_INTERVAL: duration(1000),
  JOB_RUN_DISCOVERY_TIMEOUT: duration(1000),
  JOB_TIMEOUT: duration(1000),
  /** API and worker: the GitHub workflows jobs may dispatch (src/config/dispatch-allowlist.ts); unset = any. */
  DISPATCH_ALLOWLIST: parsedBy((text) => (text === undefined ? undefined : parseDispatchAllowlist(text))),
  /** API: largest webhook body, in bytes, refused with 413 while it is read (default 1 MiB). */
  WEBHOOK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024, 'must be at least 1024 bytes')
    .max(25 * 1024 * 1024, 'GitHub never sends more than 25 MB')
    .optional(),
  GITHUB_MUTATION_INTERVAL_MS: z.coerce.number().int().min(0).default(DEFAULT_MUTATION_INTERVAL_MS),
  /**
   * Worker: the share of each installation's GitHub rate limit the agent may spend (src/activities/installation-budget.ts);
   * run look-ups keep a tenth of it for dispatches and cancels.
   */
  GITHUB_REQUEST_BUDGET: z.coerce
    .number()
    .gt(0, 'must be a share of the rate limit above 0')
    .max(1, 'must be a share of the rate limit, at most 1')
    .default(DEFAULT_GITHUB_REQUEST_BUDGET),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_TASK_QUEUE: z.string().default(DEFAULT_TASK_QUEUE),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONFIG_FILE: optionalString,
  WORKFLOW_BUNDLE_PATH: optionalString,
  /** Comma-separated `keyId:base64(32 bytes)`; the first encrypts payloads, all decrypt (rotation). */
  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  /** Comma-separated origins (the Temporal UI) allowed to call the codec endpoint from a browser. */
  CODEC_CORS_ORIGINS: optionalString,
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * Workflows the worker keeps in memory (~1.4 MiB each); the rest wait evicted and are replayed from history
   * when an event arrives. Bounds worker memory however many jobs wait.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
  /** Ctrlplane's URL (`https://ctrlplane.example.com`; `/api` is appended unless present). Unset → no Ctrlplane connection. */
  CTRLPLANE_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  /** A Ctrlplane API key (`<prefix>.<secret>`); never logged, never in a Temporal payload. */
  CTRLPLANE_API_KEY: optionalString,
  CTRLPLANE_WORKSPACE_ID: optionalString.pipe(z.uuid({ message: 'must be the workspace ID (a UUID, not its slug)' }).optional()),
  /** The agent's ID in Ctrlplane; default: derived from the workspace and CTRLPLANE_AGENT_NAME (stable across restarts). */
  CTRLPLANE_AGENT_ID: optionalString.pipe(z.uuid({ message: 'must be a UUID' }).optional()),
  CTRLPLANE_AGENT_NAME: optionalString.transform((name) => name ?? DEFAULT_CTRLPLANE_AGENT_NAME),
  /** How often each worker replica asks Ctrlplane for queued jobs (`10s`, `1m`). */
  CTRLPLANE_POLL_INTERVAL: duration(1000).transform((ms) => ms ?? DEFAULT_CTRLPLANE_POLL_INTERVAL_MS),
});

export const DEFAULT_CTRLPLANE_AGENT_NAME = 'github-actions-agent';
export const DEFAULT_CTRLPLANE_POLL_INTERVAL_MS = 10_000;

export type Env = z.output<typeof envSchema>;

export interface GithubAppCredentials {
  appId: number;
  /** PEM; never logged, never placed in a Temporal payload. */
  privateKey: string;
}

export interface AppConfig {
  env: Env;
  /** REST API base: GITHUB_API_URL, else `<GITHUB_URL>/api/v3` for GHES, else https://api.github.com. */
  githubApiUrl: string;
  /** Web base, for links: GITHUB_URL or https://github.com. */
  githubUrl: string;
  githubApp?: GithubAppCredentials;
  /** API_KEYS: bare strings may do everything; `{key, scopes}` only those scopes. */
  apiKeys: ApiKeyEntry[];
  /** JOB_TOKEN_SECRET: the first signs job tokens, every one verifies; absent → no job tokens. */
  jobTokenSecrets?: string[];
  /** Present when CTRLPLANE_URL is set: the worker then pulls jobs from Ctrlplane. */
  ctrlplane?: CtrlplaneSettings;
}

/** The Ctrlplane connection (docs/architecture.md "Ctrlplane connection"). */
export interface CtrlplaneSettings {
  /** API base, ending in `/api`. */
  apiUrl: string;
  /** Never logged, never placed in a Temporal payload. */
  apiKey: string;
  workspaceId: string;
  /** Explicit CTRLPLANE_AGENT_ID; absent → derived from workspace and name. */
  agentId?: string;
  agentName: string;
  pollIntervalMs: number;
}

/** `<url>/api`, unless the URL already ends with `/api`. */
export function ctrlplaneApiBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/api') ? trimmed : `${trimmed}/api`;
}

function ctrlplaneSettings(env: Env): CtrlplaneSettings | undefined {
  if (!env.CTRLPLANE_URL) return undefined;
  const missing = (['CTRLPLANE_API_KEY', 'CTRLPLANE_WORKSPACE_ID'] as const).filter((name) => !env[name]);
  if (missing.length) {
    throw new Error(`invalid configuration: ${missing.map((name) => `${name}: required when CTRLPLANE_URL is set`).join('; ')}`);
  }
  return {
    apiUrl: ctrlplaneApiBaseUrl(env.CTRLPLANE_URL),
    apiKey: env.CTRLPLANE_API_KEY as string,
    workspaceId: env.CTRLPLANE_WORKSPACE_ID as string,
    agentId: env.CTRLPLANE_AGENT_ID,
    agentName: env.CTRLPLANE_AGENT_NAME,
    pollIntervalMs: env.CTRLPLANE_POLL_INTERVAL,
  };
}

export function githubApiBaseUrl(env: Partial<Pick<Env, 'GITHUB_API_URL' | 'GITHUB_URL'>>): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL.replace(/\/+$/, '');
  const web = (env.GITHUB_URL ?? 'https://github.com').replace(/\/+$/, '');
  if (/^https?:\/\/(www\.)?github\.com$/i.test(web)) return 'https://api.github.com';
  return `${web}/api/v3`;
}

/** Accepts PEM with real newlines or with literal `\n` (how many secret stores hand it over). */
export function normalizePrivateKey(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

/** Parses the environment; throws one readable error listing every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const env = parsed.data;
  const appId = env.GITHUB_BOT_APP_ID ? Number(env.GITHUB_BOT_APP_ID) : undefined;
  if (appId !== undefined && !(Number.isInteger(appId) && appId > 0)) {
    throw new Error('invalid configuration: GITHUB_BOT_APP_ID must be the numeric ID of the GitHub App');
  }
  return {
    env,
    githubApiUrl: githubApiBaseUrl(env),
    githubUrl: (env.GITHUB_URL ?? 'https://github.com').replace(/\/+$/, ''),
    githubApp: appId !== undefined && env.GITHUB_BOT_PRIVATE_KEY ? { appId, privateKey: normalizePrivateKey(env.GITHUB_BOT_PRIVATE_KEY) } : undefined,
    apiKeys: env.API_KEYS,
    jobTokenSecrets: env.JOB_TOKEN_SECRET,
    ctrlplane: ctrlplaneSettings(env),
  };
}
