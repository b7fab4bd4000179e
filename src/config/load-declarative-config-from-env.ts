import type { Logger } from 'pino';
import { type DeclarativeConfig, EMPTY_DECLARATIVE_CONFIG, loadDeclarativeConfig } from './declarative-config.ts';

/** `CONFIG_FILE` when set (a start-up failure when invalid), else no named deployments. */
export async function loadDeclarativeConfigFromEnv(configFile: string | undefined, logger: Logger): Promise<DeclarativeConfig> {
  if (!configFile) return EMPTY_DECLARATIVE_CONFIG;
  const config = await loadDeclarativeConfig(configFile);
  logger.info(
    { jobAgents: [...config.jobAgents.keys()], deployments: [...config.deployments.keys()], ignored: config.ignored.length },
    `CONFIG_FILE loaded: ${config.deployments.size} deployment(s)`,
  );
  return config;
}
