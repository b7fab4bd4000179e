import { type RateLimitDecision, rateLimitExceeded } from './primary-rate-limit.ts';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { looksLikeJwt, JWT_ERRORS } from './app-auth.ts';
import { faultResponse, type FaultInjector } from './fault-injector.ts';
import { GithubError } from './github-error.ts';
import type { RequestValidator } from './openapi-validator.ts';
import type { Caller, Route, SandboxContext } from './sandbox-routes.ts';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without `?` (empty when none). */
  query: string;
  auth: 'none' | 'jwt' | 'installation-token' | 'invalid';
  installationId?: number;
  /** HTTP status answered; 0 when the connection was dropped instead (an injected fault). */
  status: number;
  body?: unknown;
  at: number;
}

interface CompiledRoute {
  route: Route;
  method: string;
  pattern: RegExp;
  names: string[];
}

const MULTI_SEGMENT_PARAMS = new Set(['path', 'branch', 'ref']);

/** GitHub refuses bodies over 25 MB. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

/**
 * The sandbox's HTTP entry point: matches GitHub's path templates, authenticates the caller as
 * GitHub does (App JWT or installation token), validates JSON bodies against GitHub's schemas,
 * runs the route and records the exchange (in `inFlight` from its arrival until answered, then in `requests`). Every
 * error body has GitHub's shape.
 */
export function createRequestHandler(
  ctx: SandboxContext,
  routes: Route[],
  validator: RequestValidator,
  requests: RecordedRequest[],
  inFlight: Set<RecordedRequest>,
  faults: FaultInjector,
  logger?: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const op = ctx.openapi.operation(route.operationId);
    const names: string[] = [];
    const source = (route.path ?? op.path).replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      // A file path, branch or git ref may itself contain slashes.
      return MULTI_SEGMENT_PARAMS.has(name) ? '(.+)' : '([^/]+)';
    });
    return { route, method: op.method, pattern: new RegExp(`^${source}/?$`), names };
  });

  return (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger?.error({ err: (error as Error).message }, 'github sandbox: request failed');
      if (!res.headersSent) send(res, 500, { message: 'Server Error', documentation_url: 'https://docs.github.com/rest', status: '500' });
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    // GitHub Enterprise Server serves the API under /api/v3; accept both so GHES-style URLs work too.
    url.pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = { method, path: url.pathname, query: url.search.replace(/^\?/, ''), auth: 'none', status: 0, at: Date.now() };
    inFlight.add(record);
    try {
      await serve(req, res, url, method, record);
    } finally {
      inFlight.delete(record);
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, method: string, record: RecordedRequest): Promise<void> {
    let fault = faults.take(method, url.pathname);
    const reply = (status: number, body?: unknown, headers?: Record<string, string>): void => {
      record.status = status;
      requests.push(record);
      logger?.debug({ method, path: record.path, status, auth: record.auth }, 'github sandbox request');
      if (fault?.kind === 'lost-response') {
        // The work is done; the client just never hears about it.
        req.socket.destroy();
        return;
      }
      send(res, status, body, headers);
    };

    let limit: RateLimitDecision | undefined;
    try {
      const raw = await readBody(req);
      let parsedBody: unknown;
      if (raw.length > 0) {
        try {
          parsedBody = JSON.parse(raw.toString('utf8'));
          record.body = parsedBody;
        } catch {
          parsedBody = Symbol.for('unparsable');
        }
      }
      if (fault?.kind === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, fault?.delayMs ?? 1000));
        fault = undefined;
      }
      if (fault?.kind === 'connection-reset') {
        record.status = 0;
        requests.push(record);
        req.socket.destroy();
        return;
      }
      const canned = fault && faultResponse(fault);
      if (canned) {
        fault = undefined;
        reply(canned.status, canned.body, canned.headers);
        return;
      }
      const match = matchRoute(compiled, method, url.pathname);
      const caller = await authenticate(req.headers.authorization, record);
      if (!match) throw new GithubError(404, 'Not Found');
      const { route, params } = match;
      const docsUrl = ctx.openapi.operation(route.operationId).docsUrl;
      if (route.auth === 'jwt' && caller?.kind !== 'jwt') {
        throw new GithubError(401, record.auth === 'none' ? 'Requires authentication' : JWT_ERRORS.undecodable);
      }
      if (route.auth === 'installation' && caller?.kind !== 'installation') {
        throw new GithubError(401, record.auth === 'none' ? 'Requires authentication' : 'Bad credentials');
      }
      if (method === 'POST' && route.operationId === 'apps/create-installation-access-token') {
        record.installationId = Number(params.installation_id);
      }
      // Every request made with an installation's token counts against its primary limit; past it, refused.
      limit = caller?.kind === 'installation' ? ctx.rateLimit.take(caller.token.installationId) : undefined;
      if (caller?.kind === 'installation' && limit && !limit.allowed) {
        const exceeded = rateLimitExceeded(caller.token.installationId);
        reply(exceeded.status, exceeded.body, limit.headers);
        return;
      }
      if (typeof parsedBody === 'symbol') throw new GithubError(400, 'Problems parsing JSON', docsUrl);
      const operation = ctx.openapi.operation(route.operationId);
      if (operation.requestSchema) {
        // An optional body may be left out entirely; GitHub treats that as `{}`.
        if (parsedBody === undefined && !operation.requestBodyRequired) parsedBody = {};
        const problem = validator.validateBody(route.operationId, parsedBody);
        if (problem) throw new GithubError(422, problem, docsUrl);
      }
      const result = route.handle(ctx, { params, query: url.searchParams, body: parsedBody, url, caller: caller as Caller });
      reply(result.status, result.body, { ...limit?.headers, ...result.headers });
    } catch (error) {
      if (error instanceof GithubError) {
        reply(error.status, error.body(), limit?.headers);
        return;
      }
      throw error;
    }
  }

  async function authenticate(header: string | undefined, record: RecordedRequest): Promise<Caller | undefined> {
    const credential = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!header) return undefined;
    if (!credential) {
      record.auth = 'invalid';
      return undefined;
    }
    if (looksLikeJwt(credential)) {
      const check = await ctx.auth.verifyJwt(credential);
      if (!check.ok) {
        record.auth = 'invalid';
        throw new GithubError(401, check.message);
      }
      record.auth = 'jwt';
      return { kind: 'jwt' };
    }
    const token = ctx.auth.resolveToken(credential);
    if (!token) {
      record.auth = 'invalid';
      throw new GithubError(401, 'Bad credentials');
    }
    record.auth = 'installation-token';
    record.installationId = token.installationId;
    return { kind: 'installation', token };
  }
}

function matchRoute(routes: CompiledRoute[], method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const compiled of routes) {
    if (compiled.method !== method) continue;
    const m = compiled.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      compiled.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] as string);
      });
    } catch {
      return undefined;
    }
    return { route: compiled.route, params };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new GithubError(413, 'Payload Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const RATE_LIMIT_RESET_S = () => String(Math.floor(Date.now() / 1000) + 3600);

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const common: Record<string, string> = {
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': RATE_LIMIT_RESET_S(),
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
    ...headers,
  };
  if (status === 204 || body === undefined) {
    res.writeHead(status, common);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...common, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
