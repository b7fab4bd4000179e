import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiMetrics } from '../metrics/api-metrics.ts';

const WEBHOOK_OUTCOMES: Record<number, string> = {
  200: 'delivered',
  202: 'ignored',
  400: 'bad_request',
  401: 'unauthorized',
  413: 'too_large',
  503: 'unavailable',
};

export interface MetricsPluginOptions {
  metrics: ApiMetrics;
  /** Serve `GET /metrics` on this app (default true); false when API_METRICS_PORT moves it or turns it off. */
  serveRoute?: boolean;
}

/**
 * Records every response (latency per route template, webhook outcome, job creations) from one onResponse hook,
 * so the routes stay free of metrics code, and serves `GET /metrics` unless told not to.
 */
export const metricsPlugin = fp(async (app: FastifyInstance, { metrics, serveRoute = true }: MetricsPluginOptions) => {
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label: raw paths would let any caller create unbounded series.
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    const status = reply.statusCode;
    metrics.requestDuration.observe({ method: request.method, route, status_code: String(status) }, reply.elapsedTime / 1000);
    if (route === '/api/github/webhook' && request.method === 'POST') {
      const header = request.headers['x-github-event'];
      const event = (Array.isArray(header) ? header[0] : header) || 'none';
      const outcome = WEBHOOK_OUTCOMES[status] ?? 'error';
      // GitHub's event names are a closed set of short words; anything else is folded so labels stay bounded.
      metrics.webhookDeliveries.inc({ event: /^[a-z_]{1,40}$/.test(event) ? event : 'other', outcome });
      if (status === 401) metrics.webhookSignatureFailures.inc();
    }
    if (route === '/api/v1/jobs' && request.method === 'POST' && status === 201) metrics.jobsCreated.inc();
  });

  if (!serveRoute) return;
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
});
