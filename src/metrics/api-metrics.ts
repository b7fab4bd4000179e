import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The API's Prometheus metrics; one registry per app so several apps in one process never collide. */
export interface ApiMetrics {
  registry: Registry;
  webhookDeliveries: Counter<'event' | 'outcome'>;
  webhookSignatureFailures: Counter;
  requestDuration: Histogram<'method' | 'route' | 'status_code'>;
  jobsCreated: Counter;
  webhookTemporalCalls: Counter<'call'>;
}

export function createApiMetrics(options: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'gha_agent_api_' });
  return {
    registry,
    webhookDeliveries: new Counter({
      name: 'gha_agent_webhook_deliveries_total',
      help: 'GitHub webhook deliveries by event and outcome (delivered, ignored, unauthorized, bad_request, too_large, unavailable, error)',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    webhookSignatureFailures: new Counter({
      name: 'gha_agent_webhook_signature_failures_total',
      help: 'Webhook deliveries refused because X-Hub-Signature-256 was missing or wrong',
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'gha_agent_http_request_duration_seconds',
      help: 'API request latency by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobsCreated: new Counter({
      name: 'gha_agent_jobs_created_total',
      help: 'Jobs created through POST /api/v1/jobs (an idempotent repeat of the same ID is not counted)',
      registers: [registry],
    }),
    webhookTemporalCalls: new Counter({
      name: 'gha_agent_webhook_temporal_calls_total',
      help: 'Temporal calls made to route workflow_run deliveries, by call (signal, describe, visibility)',
      labelNames: ['call'],
      registers: [registry],
    }),
  };
}
