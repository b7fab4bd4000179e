// Renders of job agent configs for the API, on worker threads (docs/architecture.md, "Cross-cutting": templates in
// the API). A render is bounded by the template budget (src/template/budget.ts), but a maximal one still takes a large
// fraction of a second, and on the API's event loop it would hold every other request (/healthz included) that long.
import { Worker } from 'node:worker_threads';
import type { DeploymentDefinition } from '../config/declarative-config.ts';
import type { JobWorkflowInput } from '../domain/job.ts';
import { HttpError } from './http-error.ts';
import type { CheckedRender, RenderReply, RenderRequest } from './render-thread.ts';

/** Render threads of one API process (started on first use). */
export const RENDER_THREADS = 2;
/**
 * Renders that may wait for a thread; past it a render request is refused with 503 (retry later). A burst of creates
 * (hundreds of jobs at once from CI) waits its turn: an ordinary config renders in about a millisecond.
 */
export const RENDER_QUEUE_LIMIT = 1_000;
/** Old-generation heap of one render thread: a render past it stops the thread, not the API. */
export const RENDER_THREAD_MAX_HEAP_MB = 128;
/** A render still running after this is stopped with its thread (the budget ends every render long before). */
export const RENDER_TIMEOUT_MS = 10_000;

interface Task {
  id: number;
  input: JobWorkflowInput;
  configured?: DeploymentDefinition;
  resolve: (render: CheckedRender) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

const unavailable = (message: string): HttpError => new HttpError(503, 'unavailable', message);

/** Where a thread's code is: the compiled file next to this one, or (a checkout run through tsx or vitest) the source. */
function threadScript(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./render-thread.js', here), eval: false };
  // The TypeScript source: the thread loads it through tsx, as bin/gha-agent.mjs loads the CLI (dev and test only;
  // the image runs dist/).
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./render-thread.ts', here).href;
  return { script: `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, eval: true };
}

export class RenderPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  /**
   * The outcome of rendering `input` as the workflow will, and the locked keys of `configured` (the Deployment the job
   * names) it would change; 503 when too many renders wait or the thread fails.
   */
  render(input: JobWorkflowInput, configured?: DeploymentDefinition): Promise<CheckedRender> {
    if (this.closed) return Promise.reject(unavailable('the API is shutting down'));
    if (this.queue.length >= RENDER_QUEUE_LIMIT) {
      return Promise.reject(unavailable(`${RENDER_QUEUE_LIMIT} renders are already waiting; try again shortly`));
    }
    return new Promise<CheckedRender>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, configured, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every thread; renders still waiting or running are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(unavailable('the API is shutting down'));
    await Promise.all(this.threads.splice(0).map((thread) => this.stop(thread, unavailable('the API is shutting down'))));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.threads.find((t) => t.task === null) ?? (this.threads.length < RENDER_THREADS ? this.spawn() : undefined);
      if (!thread) return;
      const task = this.queue.shift()!;
      thread.task = task;
      thread.timer = setTimeout(
        () => void this.replace(thread, unavailable(`the render took longer than ${RENDER_TIMEOUT_MS} ms and was stopped`)),
        RENDER_TIMEOUT_MS,
      );
      thread.worker.ref();
      thread.worker.postMessage({ id: task.id, input: task.input, configured: task.configured } satisfies RenderRequest);
    }
  }

  private spawn(): Thread {
    const { script, eval: isEval } = threadScript();
    const worker = new Worker(script, { eval: isEval, resourceLimits: { maxOldGenerationSizeMb: RENDER_THREAD_MAX_HEAP_MB } });
    const thread: Thread = { worker, task: null, timer: null };
    worker.on('message', (reply: RenderReply) => {
      const task = thread.task;
      if (!task || task.id !== reply.id) return;
      this.finish(thread);
      if ('error' in reply) task.reject(new Error(`render failed: ${reply.error}`));
      else task.resolve({ outcome: reply.outcome, lockedKeysChanged: reply.lockedKeysChanged });
      this.dispatch();
    });
    // A thread that dies (out of its heap, a crash) fails its render alone; the next render gets a new thread.
    worker.on('error', (error) => void this.replace(thread, unavailable(`the render thread stopped: ${error.message}`)));
    worker.on('exit', () => void this.replace(thread, unavailable('the render thread stopped')));
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private finish(thread: Thread): void {
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = null;
    thread.task = null;
    thread.worker.unref();
  }

  private async replace(thread: Thread, error: HttpError): Promise<void> {
    const index = this.threads.indexOf(thread);
    if (index < 0) return;
    this.threads.splice(index, 1);
    await this.stop(thread, error);
    if (!this.closed) this.dispatch();
  }

  private async stop(thread: Thread, error: HttpError): Promise<void> {
    const task = thread.task;
    this.finish(thread);
    task?.reject(error);
    thread.worker.removeAllListeners('exit');
    await thread.worker.terminate();
  }
}
