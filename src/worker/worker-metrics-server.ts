import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../metrics/worker-metrics.ts';

export interface WorkerMetricsServerOptions {
  metrics: WorkerMetrics;
  /** The Temporal SDK's own Prometheus endpoint (Runtime telemetry), merged into our `/metrics`. */
  sdkMetricsUrl?: string;
  /** Reports the worker's state on /healthz; 503 unless RUNNING. */
  worker?: () => Worker | undefined;
  host?: string;
  port: number;
  logger: Logger;
}

export interface WorkerMetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's HTTP side: `/metrics` (ours plus the SDK's, one scrape target) and `/healthz`. One port keeps
 * the chart and the scrape config simple; the SDK's exporter listens on loopback only.
 */
export async function startWorkerMetricsServer(options: WorkerMetricsServerOptions): Promise<WorkerMetricsServer> {
  const log = options.logger.child({ component: 'metrics' });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      renderMetrics(options, log).then(
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
    if (request.method === 'GET' && path === '/healthz') {
      const state = options.worker?.()?.getState() ?? 'STARTING';
      const ok = state === 'RUNNING';
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', worker: state }));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'not_found', message: 'try /metrics or /healthz' }));
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

async function renderMetrics(options: WorkerMetricsServerOptions, log: Logger): Promise<string> {
  const ours = await options.metrics.registry.metrics();
  if (!options.sdkMetricsUrl) return ours;
  try {
    const response = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
    return `${ours}\n${await response.text()}`;
  } catch (error) {
    log.warn({ err: error }, 'Temporal SDK metrics unavailable');
    return ours;
  }
}
