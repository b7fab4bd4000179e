import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Sends the Temporal SDK's logs (worker lifecycle, activity failures, bundler output) through our pino logger.
 * Once per process, before the first worker or native connection is created.
 */
export function installRuntimeLogger(logger: Logger, options: { prometheusBindAddress?: string } = {}): void {
  const level = logger.levelVal <= 20 ? 'DEBUG' : logger.levelVal <= 30 ? 'INFO' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => logger[entry.level.toLowerCase() as 'info']({ ...entry.meta }, entry.message)),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      // The SDK's own metrics (task latencies, slots, polls); the worker's /metrics merges them with ours.
      ...(options.prometheusBindAddress
        ? { metrics: { prometheus: { bindAddress: options.prometheusBindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  });
}
