import { z } from 'zod';
import { type ApiKeyEntry, parseApiKeys } from '../auth/api-keys.ts';
import { parseJobTokenSecrets } from '../auth/job-token.ts';
import { parseDispatchAllowlist } from './dispatch-allowlist.ts';
import { parseDuration } from './parse-duration.ts';
import { type SettingName, settingDefault, withDeclaredDefaults } from './settings.ts';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value : undefined));

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

/**
 * The parse of every setting declared in src/config/settings.ts (what each means, its default, who reads it), one
 * entry per declared name; `loadConfig` fills the declared defaults in before parsing, so no default lives here.
 */
export const envSchema = z.object({
  GITHUB_BOT_APP_ID: optionalString,
  GITHUB_BOT_PRIVATE_KEY: optionalString,
  GITHUB_WEBHOOK_SECRET: optionalString,
  GITHUB_BOT_NAME: optionalString,
  GITHUB_BOT_CLIENT_ID: optionalString,
  GITHUB_BOT_CLIENT_SECRET: optionalString,
  GITHUB_URL: z.string(),
  GITHUB_API_URL: optionalString,
  /** Parsed here (src/auth/api-keys.ts), so an unknown scope stops the process naming API_KEYS (never the key). */
  API_KEYS: parsedBy(parseApiKeys),
  /** Unset → no job tokens: a job whose config sets jobTokenInput ends invalid_integration. */
  JOB_TOKEN_SECRET: parsedBy(parseJobTokenSecrets),
  JOB_TOKEN_GRACE_PERIOD: duration(0).pipe(z.number()),
  /** A port number → a listener of its own at that port on HOST; `off` → nowhere; unset → undefined (on PORT). */
  API_METRICS_PORT: optionalString.transform((text, context): number | 'off' | undefined => {
    if (text === undefined) return undefined;
    if (text.trim().toLowerCase() === 'off') return 'off';
    const port = Number(text);
    if (/^\d+$/.test(text.trim()) && port <= 65535) return port;
    context.addIssue({ code: 'custom', message: `must be a port number or "off" (got ${text})` });
    return z.NEVER;
  }),
  API_DOCS: z.enum(['on', 'off'], { message: 'must be "on" or "off"' }).transform((value) => value === 'on'),
  /** At least 10s: GitHub's delivery list is rate limited; `off`/`0`/unset → undefined. */
  GITHUB_REDELIVER_INTERVAL: optionalString
    .transform((text) => (text === undefined || text === '0' || text.toLowerCase() === 'off' ? undefined : text))
    .pipe(duration(10_000)),
  /** Job deadlines (API and the Ctrlplane poller, which start jobs), at least a second each. */
  JOB_WEBHOOK_QUIET_PERIOD: duration(1000).pipe(z.number()),
  JOB_POLL_INTERVAL: duration(1000).pipe(z.number()),
  JOB_RUN_DISCOVERY_TIMEOUT: duration(1000).pipe(z.number()),
  JOB_TIMEOUT: duration(1000).pipe(z.number()),
  /** The rule grammar of src/config/dispatch-allowlist.ts. */
  DISPATCH_ALLOWLIST: parsedBy((text) => (text === undefined ? undefined : parseDispatchAllowlist(text))),
  WEBHOOK_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024, 'must be at least 1024 bytes')
    .max(25 * 1024 * 1024, 'GitHub never sends more than 25 MB'),
  GITHUB_MUTATION_INTERVAL_MS: z.coerce.number().int().min(0),
  /** Spent by src/activities/installation-budget.ts. */
  GITHUB_REQUEST_BUDGET: z.coerce.number().gt(0, 'must be a share of the rate limit above 0').max(1, 'must be a share of the rate limit, at most 1'),
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string(),
  TEMPORAL_ADDRESS: z.string(),
  TEMPORAL_NAMESPACE: z.string(),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_TASK_QUEUE: z.string(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  CONFIG_FILE: optionalString,
  WORKFLOW_BUNDLE_PATH: optionalString,
  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  CODEC_CORS_ORIGINS: optionalString,
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0),
  CTRLPLANE_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional()),
  /** Never logged, never in a Temporal payload. */
  CTRLPLANE_API_KEY: optionalString,
  CTRLPLANE_WORKSPACE_ID: optionalString.pipe(z.uuid({ message: 'must be the workspace ID (a UUID, not its slug)' }).optional()),
  CTRLPLANE_AGENT_ID: optionalString.pipe(z.uuid({ message: 'must be a UUID' }).optional()),
  CTRLPLANE_AGENT_NAME: z.string(),
  CTRLPLANE_POLL_INTERVAL: duration(1000).pipe(z.number()),
} satisfies Record<SettingName, z.ZodType>);

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
  const web = (env.GITHUB_URL ?? settingDefault('GITHUB_URL')).replace(/\/+$/, '');
  if (/^https?:\/\/(www\.)?github\.com$/i.test(web)) return 'https://api.github.com';
  return `${web}/api/v3`;
}

/** Accepts PEM with real newlines or with literal `\n` (how many secret stores hand it over). */
export function normalizePrivateKey(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

/** The environment parsed, unset and blank variables taking their declared defaults. */
export function parseEnv(source: NodeJS.ProcessEnv): ReturnType<typeof envSchema.safeParse> {
  return envSchema.safeParse(withDeclaredDefaults(source));
}

/** Parses the environment; throws one readable error listing every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parseEnv(source);
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
    githubUrl: env.GITHUB_URL.replace(/\/+$/, ''),
    githubApp: appId !== undefined && env.GITHUB_BOT_PRIVATE_KEY ? { appId, privateKey: normalizePrivateKey(env.GITHUB_BOT_PRIVATE_KEY) } : undefined,
    apiKeys: env.API_KEYS,
    jobTokenSecrets: env.JOB_TOKEN_SECRET,
    ctrlplane: ctrlplaneSettings(env),
  };
}
