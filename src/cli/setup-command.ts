import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../temporal/register-search-attributes.ts';
import { temporalConnectConfig } from '../temporal/connection-options.ts';

/**
 * `gha-agent setup`: one-off preparation of a Temporal namespace (the custom search attributes the job
 * workflow upserts). Safe to run on every deploy; configured by the same TEMPORAL_* env vars as the services.
 */
export async function setupCommand(): Promise<void> {
  const { connectionOptions, namespace } = temporalConnectConfig();
  const connection = await Connection.connect(connectionOptions as Parameters<typeof Connection.connect>[0]);
  try {
    const { added, present } = await registerSearchAttributes(connection, namespace);
    const lines = [...added.map((name) => `  added    ${name}`), ...present.map((name) => `  present  ${name}`)];
    process.stdout.write(`search attributes on namespace "${namespace}" (${connectionOptions.address}):\n${lines.join('\n')}\n`);
  } finally {
    await connection.close();
  }
}
