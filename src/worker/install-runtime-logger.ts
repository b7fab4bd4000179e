import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Sends the Temporal SDK's logs (worker lifecycle, activity failures, bundler output) through our pino logger.
 * Once per process, before the first worker or native connection is created.
 */
export function installRuntimeLogger(logger: Logger): void {
  const level = logger.levelVal <= 20 ? 'DEBUG' : logger.levelVal <= 30 ? 'INFO' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => logger[entry.level.toLowerCase() as 'info']({ ...entry.meta }, entry.message)),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}
