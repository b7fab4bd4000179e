import type { Logger } from 'pino';
import type { ApiMetrics } from '../metrics/api-metrics.ts';
import { type MetricsHttpServer, startMetricsHttpServer } from '../metrics/start-metrics-http-server.ts';

export interface ApiMetricsServerOptions {
  metrics: ApiMetrics;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
}

export type ApiMetricsServer = MetricsHttpServer;

/**
 * `GET /metrics` of the API on a port of its own (API_METRICS_PORT), for clusters that publish the API's port
 * and keep scraping internal. Serves nothing else.
 */
export function startApiMetricsServer(options: ApiMetricsServerOptions): Promise<ApiMetricsServer> {
  const { registry } = options.metrics;
  return startMetricsHttpServer({
    render: () => registry.metrics(),
    contentType: registry.contentType,
    host: options.host,
    port: options.port,
    logger: options.logger,
  });
}
