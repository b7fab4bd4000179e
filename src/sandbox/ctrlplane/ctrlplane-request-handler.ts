import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FaultInjector, SandboxFault } from '../fault-injector.ts';
import { authenticate, type CtrlplaneAuth } from './ctrlplane-auth.ts';
import { CtrlplaneError } from './ctrlplane-error.ts';
import type { CtrlplaneRoute } from './ctrlplane-routes.ts';
import type { CtrlplaneStore } from './ctrlplane-store.ts';
import type { HostileAnswers } from './hostile-answers.ts';

export interface RecordedCtrlplaneRequest {
  method: string;
  /** Path as sent, including `/api`, without the query string. */
  path: string;
  /** Query string without `?` (empty when none). */
  query: string;
  /** HTTP status answered; 0 when the connection was dropped instead (an injected fault). */
  status: number;
  /** For a `lost-response` fault: the status the request was handled with, which the client never saw. */
  handledStatus?: number;
  /** The injected fault the request met, if any. */
  fault?: SandboxFault['kind'];
  /** The body, when it was JSON. */
  body?: unknown;
  at: number;
  auth: CtrlplaneAuth;
}

export interface CtrlplaneHandlerDeps {
  store: CtrlplaneStore;
  routes: CtrlplaneRoute[];
  apiKeys: ReadonlySet<string>;
  /** Requests answered (or dropped), in the order of their answers. */
  requests: RecordedCtrlplaneRequest[];
  /** Requests received and not yet answered or dropped. */
  inFlight: Set<RecordedCtrlplaneRequest>;
  faults: FaultInjector;
  /** Answers of a broken Ctrlplane or proxy, played before anything else. */
  hostile?: HostileAnswers;
  logger?: Logger;
}

interface CompiledRoute {
  route: CtrlplaneRoute;
  pattern: RegExp;
  names: string[];
}

/** Ctrlplane's API refuses bodies over 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

const UNPARSABLE = Symbol('unparsable');

/**
 * The sandbox's HTTP entry point, in the order the real API checks things: body size, then the API
 * key (everything under `/api`), then the route, then the JSON body; the route itself validates the
 * query and body before it looks the workspace up. Every exchange is recorded, faults included.
 */
export function createCtrlplaneRequestHandler(deps: CtrlplaneHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { store, apiKeys, requests, inFlight, faults, logger } = deps;
  const compiled = deps.routes.map(compileRoute);

  return (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger?.error({ err: (error as Error).message }, 'ctrlplane sandbox: request failed');
      if (!res.headersSent && !res.destroyed) send(res, 500, CtrlplaneError.internal((error as Error).message).body());
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://ctrlplane.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedCtrlplaneRequest = {
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      status: 0,
      at: Date.now(),
      auth: authenticate(req.headers, apiKeys),
    };
    inFlight.add(record);
    try {
      await serve(req, res, url, method, record);
    } finally {
      inFlight.delete(record);
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, method: string, record: RecordedCtrlplaneRequest): Promise<void> {
    if (deps.hostile?.play(req, res, method, url.pathname)) {
      record.status = res.statusCode;
      requests.push(record);
      return;
    }
    let fault = faults.take(method, url.pathname);
    if (fault) record.fault = fault.kind;
    const finish = (status: number): void => {
      record.status = status;
      requests.push(record);
      logger?.debug({ method, path: record.path, status, auth: record.auth }, 'ctrlplane sandbox request');
    };
    const drop = (): void => {
      finish(0);
      req.socket.destroy();
    };
    const reply = (status: number, body: unknown): void => {
      if (fault?.kind === 'lost-response') {
        // The work is done; the client just never hears about it.
        record.handledStatus = status;
        drop();
        return;
      }
      finish(status);
      send(res, status, body);
    };

    const { raw, tooLarge } = await readBody(req);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
        record.body = body;
      } catch {
        body = UNPARSABLE;
      }
    }
    if (fault?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault?.delayMs ?? 1000));
      fault = undefined;
      // Ctrlplane went down (or the client gave up) meanwhile: nothing is done.
      if (req.socket.destroyed) return drop();
    }
    if (fault?.kind === 'connection-reset') return drop();
    if (fault?.kind === 'server-error') {
      fault = undefined;
      return reply(500, CtrlplaneError.internal('injected fault').body());
    }

    try {
      if (tooLarge) throw new CtrlplaneError(413, 'request entity too large', 'PayloadTooLargeError', null);
      if (body === UNPARSABLE) throw new CtrlplaneError(400, 'the body is not valid JSON', 'SyntaxError', null);
      if (!url.pathname.startsWith('/api/')) throw notFound(url.pathname);
      const match = matchRoute(compiled, method, url.pathname.slice('/api'.length));
      // No key at all is refused by the API's OpenAPI validator, a wrong one (or a Bearer token) by its auth middleware.
      if (record.auth === 'none') {
        const path = match ? `/api${match.route.path}` : url.pathname;
        throw new CtrlplaneError(401, "'X-API-Key' header required", 'Unauthorized', [{ path, message: "'X-API-Key' header required" }]);
      }
      if (record.auth !== 'api-key') throw new CtrlplaneError(401, 'Authentication failed', 'AUTH_FAILED');
      if (!match) throw notFound(url.pathname);
      const result = match.route.handle(store, { params: match.params, query: url.searchParams, body: body === UNPARSABLE ? undefined : body });
      reply(result.status, result.body);
    } catch (error) {
      if (!(error instanceof CtrlplaneError)) throw error;
      reply(error.status, error.body());
    }
  }
}

/** An unknown route, as the API's OpenAPI validator answers it. */
function notFound(path: string): CtrlplaneError {
  return new CtrlplaneError(404, 'not found', 'Not Found', [{ path, message: 'not found' }]);
}

function compileRoute(route: CtrlplaneRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function matchRoute(routes: CompiledRoute[], method: string, path: string): { route: CtrlplaneRoute; params: Record<string, string> } | undefined {
  for (const { route, pattern, names } of routes) {
    if (route.method !== method) continue;
    const m = pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] as string);
      });
    } catch {
      return undefined;
    }
    return { route, params };
  }
  return undefined;
}

/** Reads the whole body, keeping none past the limit, so a 413 still reaches a client that is mid-upload. */
async function readBody(req: IncomingMessage): Promise<{ raw: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return { raw: size > MAX_BODY_BYTES ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > MAX_BODY_BYTES };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
