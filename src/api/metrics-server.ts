import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ApiMetrics } from '../metrics/api-metrics.ts';

export interface ApiMetricsServerOptions {
  metrics: ApiMetrics;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
}

export interface ApiMetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` of the API on a port of its own (API_METRICS_PORT), for clusters that publish the API's port
 * and keep scraping internal. Serves nothing else.
 */
export async function startApiMetricsServer(options: ApiMetricsServerOptions): Promise<ApiMetricsServer> {
  const log = options.logger.child({ component: 'metrics' });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      options.metrics.registry.metrics().then(
        (body) => {
          response.writeHead(200, { 'content-type': options.metrics.registry.contentType });
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
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not_found', message: 'only GET /metrics is served here' }));
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
