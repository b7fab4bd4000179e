import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../src/temporal/free-port.ts';
import { ManagedProcess } from './managed-process.ts';

const run = promisify(execFile);

export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

/** PostgreSQL's server binaries: PG_BIN, else Debian's newest /usr/lib/postgresql/<major>/bin. */
async function postgresBinDir(): Promise<string> {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? (await readdir(root)).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) if (existsSync(join(root, major, 'bin', 'initdb'))) return join(root, major, 'bin');
  throw new Error("PostgreSQL server binaries not found: install Debian's postgresql package (initdb, postgres) or set PG_BIN");
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user. `setpriv` execs the
 * server itself (no process in between), so signals reach it.
 */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]] : [command, args];
}

export interface Postgres {
  host: string;
  port: number;
  version: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own in a temporary directory, on a free loopback port, with the `temporal` user
 * (password auth over TCP, as in compose). Restartable: `process.restart()` keeps the data.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = await postgresBinDir();
  const dataRoot = await mkdtemp(join(tmpdir(), 'gha-drill-pg-'));
  const data = join(dataRoot, 'data');
  const passwordFile = join(dataRoot, 'password');
  const root = process.getuid?.() === 0;
  await writeFile(passwordFile, `${POSTGRES_PASSWORD}\n`);
  if (root) {
    const { uid, gid } = await run('id', ['-u', 'postgres']).then(async ({ stdout }) => ({
      uid: Number(stdout),
      gid: Number((await run('id', ['-g', 'postgres'])).stdout),
    }));
    await chown(dataRoot, uid, gid);
    await chown(passwordFile, uid, gid);
    await chmod(dataRoot, 0o700);
  }
  const [initdb, initArgs] = asServerUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    POSTGRES_USER,
    `--pwfile=${passwordFile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  await run(initdb, initArgs);
  const port = await findFreePort();
  const host = '127.0.0.1';
  const [postgres, args] = asServerUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-h',
    host,
    '-p',
    String(port),
    '-k',
    dataRoot,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ]);
  const { stdout: version } = await run(join(bin, 'postgres'), ['--version']);
  const process_ = new ManagedProcess({
    name: 'postgresql',
    command: postgres,
    args,
    env: { PATH: process.env.PATH },
    ready: async () => {
      await run(join(bin, 'pg_isready'), ['-h', host, '-p', String(port), '-U', POSTGRES_USER]);
      return true;
    },
    readyTimeoutMs: 30_000,
    // SIGTERM is PostgreSQL's "smart" shutdown, which waits for Temporal's pooled connections to close; SIGINT is
    // the "fast" shutdown an orchestrator's stop amounts to.
    stopSignal: 'SIGINT',
  });
  await process_.start().catch(async (error: unknown) => {
    await rm(dataRoot, { recursive: true, force: true });
    throw error;
  });
  return {
    host,
    port,
    version: version.trim(),
    process: process_,
    async stop() {
      await process_.stop();
      await rm(dataRoot, { recursive: true, force: true });
    },
  };
}
