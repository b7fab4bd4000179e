import { loadConfig } from '../config/env.ts';
import { createLogger } from '../logging/create-logger.ts';
import { startWorkerProcess } from '../worker/start-worker-process.ts';
import { onShutdownSignal } from './shutdown.ts';

/** `gha-agent worker`: runs job workflows and their GitHub activities; any number of replicas. */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL, name: 'gha-agent-worker' });
  const worker = await startWorkerProcess({ config, logger, onStopReady: (stop) => onShutdownSignal(logger, stop) });
  await worker.running;
}
