import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessSpec {
  /** Shown in errors and in the drill's log, e.g. `api-1`. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves once the process serves; called until it does or `readyTimeoutMs` passes. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** How long a SIGTERM may take before SIGKILL (default 30 s, the chart's grace period is longer). */
  stopTimeoutMs?: number;
  /** What `stop()` sends first (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
}

/**
 * One process of the topology (PostgreSQL, the Temporal server, an API or worker replica), started from its spec
 * and restartable with the same spec, as an orchestrator restarts a container. Keeps the tail of its output for
 * error messages.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 20,000 characters the process wrote. */
  get log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const child = spawn(this.spec.command, this.spec.args, { env: this.spec.env, cwd: this.spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 90_000);
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.name} exited during start (${child.exitCode ?? child.signalCode}):\n${this.output.slice(-4000)}`);
      if (await this.spec.ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`${this.spec.name} not ready after ${this.spec.readyTimeoutMs ?? 90_000} ms:\n${this.output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** SIGTERM (or the spec's stop signal) and wait, as a rolling update or `docker stop` does; SIGKILL after the grace period. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child?.kill(this.spec.stopSignal ?? 'SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), this.spec.stopTimeoutMs ?? 30_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL: the process dies with whatever it was doing (an OOM kill, a lost node). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
