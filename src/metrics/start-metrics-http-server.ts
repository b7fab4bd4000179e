import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface MetricsHttpServerOptions {
  /** The Prometheus text of `GET /metrics`. */
  render(): Promise<string>;
  contentType: string;
  /** Other `GET` routes, each answering a status and a JSON body (e.g. the worker's `/healthz`). */
  routes?: Record<string, () => { status: number; body: unknown }>;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
}

export interface MetricsHttpServer {
  url: string;
  close(): Promise<void>;
}

/** A plain HTTP listener for `/metrics` (and a few JSON routes) apart from the API: the worker's, or the API's own port. */
export async function startMetricsHttpServer(options: MetricsHttpServerOptions): Promise<MetricsHttpServer> {
  const log = options.logger.child({ component: 'metrics' });
  const routes = options.routes ?? {};
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET' && path === '/metrics') {
      options.render().then(
        (body) => {
          response.writeHead(200, { 'content-type': options.contentType });
          response.end(body);
        },
        (error: Error) => {
          log.error({ err: error }, 'metrics collection failed');
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end('metrics collection failed\n');
        },
      );
      return;
    }
    const route = request.method === 'GET' ? routes[path] : undefined;
    if (route) {
      const { status, body } = route();
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not_found', message: `try ${['/metrics', ...Object.keys(routes)].join(' or ')}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '0.0.0.0'}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
