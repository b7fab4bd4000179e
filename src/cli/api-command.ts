import { startApiProcess } from '../api/start-api-process.ts';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../logging/create-logger.ts';
import { onShutdownSignal } from './shutdown.ts';

/** `gha-agent api`: the HTTP API, configured by env vars only; any number of replicas. */
export async function apiCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.env.LOG_LEVEL, name: 'gha-agent-api' });
  const api = await startApiProcess({ config, logger });
  onShutdownSignal(logger, api.stop);
}
