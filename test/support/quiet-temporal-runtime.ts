import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/** Keeps the SDK's own INFO logs (worker state changes) out of test output; warnings still show. */
export function installQuietTemporalRuntime(): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process by another file: keep it.
  }
}
