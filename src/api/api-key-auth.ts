import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { type ApiKeyEntry, type ApiScope, apiKeyScopes, apiKeyText } from '../auth/api-keys.ts';
import { DEFAULT_JOB_TOKEN_GRACE_MS, type JobTokenSubject, jobTokenValidity, looksLikeJobToken, verifyJobToken } from '../auth/job-token.ts';
import type { JobOrigin } from '../domain/job-id.ts';
import { HttpError } from './http-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a caller needs (docs/security.md, "Scoped API keys"); every route behind `requireApiKey` must declare one. */
    scope?: ApiScope;
    /**
     * A job token may call this route too: only for its own job when the path has a `jobId`. Set on the routes
     * get-job-inputs and the status report use, nowhere else.
     */
    jobToken?: boolean;
  }
}

/**
 * Who made a request: an API key (by position in API_KEYS, never the key, with its scopes) or the job token of one
 * job (its ID and origin).
 */
export type Caller = { kind: 'api-key'; index: number; scopes: ReadonlySet<ApiScope> } | { kind: 'job-token'; jobId: string; origin: JobOrigin };

/**
 * Whether the caller may read job `jobId`: a key with jobs:read, or that job's own token. A route that answers with a
 * job answers others with no more than what they sent (docs/security.md): a scope never reads more than it may.
 */
export function mayReadJob(caller: Caller | undefined, jobId: string): boolean {
  if (!caller) return false;
  return caller.kind === 'api-key' ? caller.scopes.has('jobs:read') : caller.jobId === jobId;
}

/** The origin of the job a job token was made for; undefined for an API key (which reaches jobs of every origin). */
export function callerJobOrigin(caller: Caller | undefined): JobOrigin | undefined {
  return caller?.kind === 'job-token' ? caller.origin : undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Per-job tokens: the secrets that verify them and how the API reads the job a token belongs to. */
export interface JobTokenAuthOptions {
  secrets: readonly string[];
  /** How long a token works after its job ended; DEFAULT_JOB_TOKEN_GRACE_MS when absent. */
  gracePeriodMs?: number;
  /** The job of that origin (its status and times), or undefined when there is none. */
  lookupJob(jobId: string, origin: JobOrigin): Promise<JobTokenSubject | undefined>;
}

export interface AuthOptions {
  apiKeys: readonly ApiKeyEntry[];
  jobTokens?: JobTokenAuthOptions;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The credential a caller sent: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  const apiKey = Array.isArray(header) ? header[0] : header;
  if (apiKey) return apiKey.trim();
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return match?.[1]?.trim();
}

const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/**
 * Fails at start-up when a route behind the check declares no scope, so none can be added without one. CORS
 * preflights (OPTIONS, answered before the check) are the exception: they never carry credentials.
 */
function requireDeclaredScope(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((method) => method === 'OPTIONS')) return;
  if (!route.config?.scope) {
    throw new Error(`route ${methods.join(',')} ${route.url} is behind the API-key check but declares no scope (config: { scope })`);
  }
}

/**
 * Requires a valid credential on every route of the plugin it is registered in, and the scope the route declares
 * (`config.scope`). Keys are compared as SHA-256 digests in constant time (equal lengths, no early exit) and never
 * logged. Missing or unknown credential → 401; a key without the route's scope, or a job token outside its own
 * job's read and report routes → 403; a job token whose job ended more than the grace period ago → 401.
 */
export function requireApiKey(app: FastifyInstance, { apiKeys, jobTokens }: AuthOptions): void {
  const keys = apiKeys.map((entry) => ({ digest: digest(apiKeyText(entry)), scopes: new Set(apiKeyScopes(entry)) }));
  const graceMs = jobTokens?.gracePeriodMs ?? DEFAULT_JOB_TOKEN_GRACE_MS;

  app.addHook('onRoute', requireDeclaredScope);
  app.addHook('onRequest', async (request) => {
    const credential = presentedKey(request);
    if (!credential) throw new HttpError(401, 'unauthorized', 'missing API key: send X-API-Key: <key> or Authorization: Bearer <key>');
    const { scope, jobToken } = request.routeOptions.config;

    const given = digest(credential);
    let index = -1;
    keys.forEach((known, position) => {
      if (timingSafeEqual(given, known.digest) && index < 0) index = position;
    });
    if (index >= 0) {
      const scopes = keys[index]?.scopes ?? new Set<ApiScope>();
      request.caller = { kind: 'api-key', index, scopes };
      if (!scope) throw forbidden('this route declares no scope; nobody may call it');
      if (!scopes.has(scope)) throw forbidden(`this API key lacks the ${scope} scope`);
      return;
    }

    const token = jobTokens && looksLikeJobToken(credential) ? verifyJobToken(jobTokens.secrets, credential) : undefined;
    if (!token || !jobTokens) {
      throw new HttpError(
        401,
        'unauthorized',
        keys.length || jobTokens ? 'invalid API key' : 'invalid API key: the server has no API keys configured (API_KEYS)',
      );
    }
    request.caller = { kind: 'job-token', jobId: token.jobId, origin: token.origin };
    if (!scope || !jobToken) throw forbidden('a job token may only read its own job and report its status');
    const { jobId } = (request.params ?? {}) as { jobId?: string };
    // Exact match: the job ID is part of its workflow ID, and workflow IDs are case-sensitive.
    if (jobId !== undefined && jobId !== token.jobId) throw forbidden(`this job token is for job ${token.jobId} only`);
    const validity = jobTokenValidity(await jobTokens.lookupJob(token.jobId, token.origin), token, graceMs);
    if (!validity.ok) throw new HttpError(401, 'unauthorized', validity.reason);
  });
}
