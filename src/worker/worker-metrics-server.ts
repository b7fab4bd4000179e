import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { type MetricsHttpServer, startMetricsHttpServer } from '../metrics/start-metrics-http-server.ts';
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

export type WorkerMetricsServer = MetricsHttpServer;

/**
 * The worker's HTTP side: `/metrics` (ours plus the SDK's, one scrape target) and `/healthz`. One port keeps
 * the chart and the scrape config simple; the SDK's exporter listens on loopback only.
 */
export function startWorkerMetricsServer(options: WorkerMetricsServerOptions): Promise<WorkerMetricsServer> {
  const log = options.logger.child({ component: 'metrics' });
  return startMetricsHttpServer({
    render: () => renderMetrics(options, log),
    contentType: options.metrics.registry.contentType,
    routes: {
      '/healthz': () => {
        const state = options.worker?.()?.getState() ?? 'STARTING';
        const ok = state === 'RUNNING';
        return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'unavailable', worker: state } };
      },
    },
    host: options.host,
    port: options.port,
    logger: options.logger,
  });
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
