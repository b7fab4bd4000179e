import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { settingDefault } from '../config/settings.ts';

export interface TemporalConnectConfig {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

/**
 * Temporal connection settings following Temporal's own env-config conventions (`TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`, config file), so the same
 * variables configure this service, the `temporal` CLI and any SDK; unset ones take the declared defaults.
 */
export function temporalConnectConfig(env: NodeJS.ProcessEnv = process.env): TemporalConnectConfig {
  // A blank variable counts as unset, as for every setting (src/config/settings.ts).
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== ''),
  );
  const { connectionOptions, namespace } = loadClientConnectConfig({ overrideEnvVars });
  return {
    connectionOptions: { ...connectionOptions, address: connectionOptions.address ?? settingDefault('TEMPORAL_ADDRESS') },
    namespace: namespace ?? settingDefault('TEMPORAL_NAMESPACE'),
  };
}
