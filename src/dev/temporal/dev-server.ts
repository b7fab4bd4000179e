import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../contract/search-attributes.ts';
import { findFreePort } from '../../temporal/free-port.ts';
import { findTemporalCli } from './temporal-cli.ts';

export interface TemporalDevServerOptions {
  /** SQLite file that keeps state across restarts; in-memory when absent. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  /** Start the Web UI (default true). */
  ui?: boolean;
  namespace?: string;
  /** Remote codec endpoint the UI uses to decode payloads. */
  uiCodecEndpoint?: string;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface TemporalDevServer {
  /** gRPC address, `127.0.0.1:<port>`. */
  address: string;
  namespace: string;
  uiUrl?: string;
  dbFile?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on free loopback ports with our search attributes registered, and resolves
 * once the frontend answers. `stop()` sends SIGTERM and waits for the process to exit.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions = {}): Promise<TemporalDevServer> {
  const cli = await findTemporalCli({ build: true, log: options.log });
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await findFreePort());
  const ui = options.ui ?? true;
  const uiPort = ui ? (options.uiPort ?? (await findFreePort())) : undefined;
  if (options.dbFile) await mkdir(dirname(options.dbFile), { recursive: true });
  const args = await temporalDevServerArgs({ ...options, namespace, port, ui, uiPort });

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(address, namespace, options.readyTimeoutMs ?? 60_000, exited, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, namespace, uiUrl: ui ? `http://127.0.0.1:${uiPort}` : undefined, dbFile: options.dbFile, process: child, stop };
}

/**
 * The `temporal server start-dev` arguments for these options: loopback, free ports for HTTP and metrics, and our
 * search attributes registered. Exported for tools that run the dev server as a process of their own.
 */
export async function temporalDevServerArgs(
  options: TemporalDevServerOptions & { namespace: string; port: number; ui: boolean; uiPort?: number },
): Promise<string[]> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'error'];
  args.push('--http-port', String(await findFreePort()), '--metrics-port', String(await findFreePort()));
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.ui) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const { name, type } of SEARCH_ATTRIBUTE_DEFINITIONS) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

async function waitUntilReady(address: string, namespace: string, timeoutMs: number, exited: Promise<number | null>, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`temporal server start-dev exited (${exitCode}):\n${output()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}\n${output()}`);
}
