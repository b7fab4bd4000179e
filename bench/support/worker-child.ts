import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chartDefaults } from '../../drill/support/chart-defaults.ts';
import { startBenchStack, type BenchStack, type BenchStackOptions } from './bench-stack.ts';

/** The built entry point, as the image runs it (`npm run bench` builds first), not the checkout's tsx loader. */
const MAIN_JS = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * `gha-agent worker` as its own process on the bench stack's task queue, so its memory can be read alone. Its GitHub
 * limits are production's unless `githubMutationIntervalMs` names another spacing.
 */
export async function startWorkerChild(
  env: BenchStack,
  options: { githubMutationIntervalMs?: number } = {},
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const chart = await chartDefaults();
  // BENCH_WORKER_NODE_ARGS: flags NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=.data/profiles` (written on exit).
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, MAIN_JS, 'worker'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: env.temporal.address,
      TEMPORAL_NAMESPACE: env.temporal.namespace,
      TEMPORAL_TASK_QUEUE: env.stack.taskQueue,
      GITHUB_API_URL: env.sandbox.url,
      GITHUB_BOT_APP_ID: String(env.sandbox.appId),
      GITHUB_BOT_PRIVATE_KEY: env.sandbox.privateKey,
      ...(options.githubMutationIntervalMs === undefined ? {} : { GITHUB_MUTATION_INTERVAL_MS: String(options.githubMutationIntervalMs) }),
      WORKFLOW_BUNDLE_PATH: env.workflowBundlePath,
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      // The chart's worker settings (heap limit and workflow cache) unless BENCH_WORKER_NODE_OPTIONS or
      // WORKER_MAX_CACHED_WORKFLOWS say otherwise.
      NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? chart.workerNodeOptions,
      WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS ?? String(chart.maxCachedWorkflows),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  // LOG_LEVEL=warn hides "worker started"; the metrics server answering is not visible either, so wait for the poller.
  while (!(await pollingTaskQueue(env))) {
    if (child.exitCode !== null) throw new Error(`worker exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`worker did not start in 90 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function pollingTaskQueue(env: BenchStack): Promise<boolean> {
  const response = await env.stack.client.workflowService.describeTaskQueue({
    namespace: env.temporal.namespace,
    taskQueue: { name: env.stack.taskQueue },
  });
  return (response.pollers?.length ?? 0) > 0;
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export async function rssMiB(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

/**
 * The bench stack with the worker in its own process, as production runs it (the chart's worker pods): the bench
 * process keeps the API and the sandboxes, so they cannot starve the worker and slow the figures.
 */
export async function startStackWithWorkerChild(
  options: Omit<BenchStackOptions, 'startWorker'> = {},
): Promise<{ env: BenchStack; worker: Awaited<ReturnType<typeof startWorkerChild>>; stop(): Promise<void> }> {
  const env = await startBenchStack({ ...options, startWorker: false });
  const worker = await startWorkerChild(env, { githubMutationIntervalMs: options.githubMutationIntervalMs }).catch(async (error: unknown) => {
    await env.stop();
    throw error;
  });
  return {
    env,
    worker,
    async stop() {
      await worker.stop();
      await env.stop();
    },
  };
}
