import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * Keeps the SDK's own logs out of a passing run's output: its INFO lines (worker state changes) and its warnings,
 * which in these tests are mostly the failures the fault drills provoke on purpose (activity retries with their
 * stacks). Errors still show; TEST_LOG_LEVEL=WARN (or INFO, DEBUG) brings the rest back when a test needs reading.
 */
export function installQuietTemporalRuntime(): void {
  if (installed) return;
  installed = true;
  try {
    const wanted = process.env.TEST_LOG_LEVEL?.toUpperCase() ?? 'ERROR';
    const level = (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const).find((known) => known === wanted) ?? 'ERROR';
    // Core's own logs (heartbeats a partitioned worker cannot deliver, say) go to the console unless told to follow
    // the same level.
    Runtime.install({ logger: new DefaultLogger(level), telemetryOptions: { logging: { filter: { core: level, other: level } } } });
  } catch {
    // Already installed in this process by another file: keep it.
  }
}
