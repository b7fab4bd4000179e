import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { findFreePort } from '../../src/temporal/free-port.ts';
import { findTemporalCli } from '../../src/dev/temporal/temporal-cli.ts';
import { ensureTemporalServer } from '../../scripts/ensure-temporal-server.mjs';
import { ManagedProcess } from './managed-process.ts';
import { POSTGRES_PASSWORD, POSTGRES_USER, type Postgres } from './postgres.ts';
import { REPO_ROOT } from './repo-root.ts';

const run = promisify(execFile);
const TEMPORAL_DIR = join(REPO_ROOT, 'deploy', 'temporal');

export interface TemporalServer {
  address: string;
  namespace: string;
  version: string;
  process: ManagedProcess;
}

/**
 * The real Temporal server (the version docker-compose.yml pins) on PostgreSQL, configured by the same files
 * compose mounts: deploy/temporal/setup-schema.sh creates the schemas, deploy/temporal/server.yaml is the server's
 * config, deploy/temporal/dynamicconfig.yaml its dynamic config, deploy/temporal/create-namespace.sh the namespace.
 */
export async function startTemporalServer(postgres: Postgres, namespace = 'default'): Promise<TemporalServer> {
  const tools = await ensureTemporalServer();
  await run('sh', [join(TEMPORAL_DIR, 'setup-schema.sh')], {
    env: {
      PATH: process.env.PATH,
      SQL_HOST: postgres.host,
      SQL_PORT: String(postgres.port),
      SQL_USER: POSTGRES_USER,
      SQL_PASSWORD: POSTGRES_PASSWORD,
      TEMPORAL_SCHEMA_DIR: tools.schemaDir,
      TEMPORAL_SQL_TOOL: tools.sqlTool,
    },
  });
  const ports: Record<string, string> = {};
  for (const service of ['FRONTEND', 'MATCHING', 'HISTORY', 'WORKER']) {
    ports[`${service}_GRPC_PORT`] = String(await findFreePort());
    // The server stores membership ports in a PostgreSQL smallint: an ephemeral port (above 32767) fails at start.
    ports[`${service}_MEMBERSHIP_PORT`] = String(await findFreePortBelow(32_768));
  }
  ports.FRONTEND_HTTP_PORT = String(await findFreePort());
  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const server = new ManagedProcess({
    name: 'temporal-server',
    command: tools.server,
    args: ['--config-file', join(TEMPORAL_DIR, 'server.yaml'), 'start'],
    env: {
      PATH: process.env.PATH,
      ...ports,
      POSTGRES_SEEDS: postgres.host,
      DB_PORT: String(postgres.port),
      POSTGRES_USER,
      POSTGRES_PWD: POSTGRES_PASSWORD,
      BIND_ON_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: join(TEMPORAL_DIR, 'dynamicconfig.yaml'),
      LOG_LEVEL: 'error',
    },
    ready: () => frontendServes(address),
    readyTimeoutMs: 120_000,
  });
  await server.start();
  try {
    await run('sh', [join(TEMPORAL_DIR, 'create-namespace.sh')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: address,
        NAMESPACE: namespace,
        TEMPORAL_CLI: await findTemporalCli({ build: true }),
      },
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { address, namespace, version: tools.version, process: server };
}

/** A free loopback port under `limit`, tried at random from 20000 up (findFreePort's are ephemeral ports, above it). */
async function findFreePortBelow(limit: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (limit - 20_000));
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port between 20000 and ${limit}`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function frontendServes(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}
