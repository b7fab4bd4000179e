import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject, vi } from 'vitest';
import type { E2eStack } from './e2e-stack.ts';

const BIN = fileURLToPath(new URL('../../bin/gha-agent.mjs', import.meta.url));

export interface SpawnedWorker {
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no drain, no goodbye, as when a node dies. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
}

/**
 * The env of `gha-agent worker` for the stack's task queue, as an operator sets it. Its Ctrlplane connection is the
 * stack's Ctrlplane sandbox unless `ctrlplane` names another (the real API: test/support/real-ctrlplane.ts).
 */
export function workerEnv(env: E2eStack, ctrlplane?: Record<string, string>): Record<string, string> {
  const sandboxCtrlplane = env.ctrlplaneEnv && { ...env.ctrlplaneEnv, CTRLPLANE_POLL_INTERVAL: '1s' };
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: env.stack.taskQueue,
    GITHUB_API_URL: env.sandbox.url,
    GITHUB_BOT_APP_ID: String(env.sandbox.appId),
    GITHUB_BOT_PRIVATE_KEY: env.sandbox.privateKey,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...(ctrlplane ?? sandboxCtrlplane),
  };
}

/** `gha-agent worker` as a real child process, configured only by env vars (`workerEnv`), for the stack's task queue. */
export async function spawnWorker(env: E2eStack, options: { ctrlplane?: Record<string, string> } = {}): Promise<SpawnedWorker> {
  const child = spawn(process.execPath, [BIN, 'worker'], { env: workerEnv(env, options.ctrlplane), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Resolves false as soon as the worker has exited (no point waiting on), true once it says it started.
  const started = await vi.waitFor(
    () => {
      if (output.includes('worker started')) return true;
      if (child.exitCode !== null) return false;
      throw new Error(`worker did not start in 60 s:\n${output}`);
    },
    { timeout: 60_000, interval: 100 },
  );
  if (!started) throw new Error(`worker exited early (${child.exitCode}):\n${output}`);
  return {
    child,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
