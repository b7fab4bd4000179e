import { temporalDevServerArgs } from '../../src/dev/temporal/dev-server.ts';
import { findFreePort } from '../../src/temporal/free-port.ts';
import { findTemporalCli, TEMPORAL_CLI_VERSION } from '../../src/dev/temporal/temporal-cli.ts';
import { ManagedProcess } from './managed-process.ts';
import { frontendServes, type TemporalServer } from './temporal-server.ts';

/**
 * The Temporal CLI's dev server (SQLite in memory, what tests and `npm run dev` use) as the topology's Temporal, so
 * the bench can put the same replicas in front of either server in one run.
 */
export async function startDevTemporalServer(namespace = 'default'): Promise<TemporalServer> {
  const port = await findFreePort();
  const address = `127.0.0.1:${port}`;
  const server = new ManagedProcess({
    name: 'temporal-dev-server',
    command: await findTemporalCli({ build: true }),
    args: await temporalDevServerArgs({ namespace, port, ui: false }),
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    ready: () => frontendServes(address),
  });
  await server.start();
  return { address, namespace, version: `CLI ${TEMPORAL_CLI_VERSION} dev server`, process: server };
}
