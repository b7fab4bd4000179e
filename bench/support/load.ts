/** Latency samples in ms, kept whole (bounded by the run's request count). */
export class Latencies {
  private readonly samples: number[] = [];
  add(ms: number): void {
    this.samples.push(ms);
  }
  get count(): number {
    return this.samples.length;
  }
  /** The samples of several measurements as one. */
  static merged(...parts: Latencies[]): Latencies {
    const out = new Latencies();
    for (const part of parts) out.samples.push(...part.samples);
    return out;
  }
  percentile(p: number): number {
    if (this.samples.length === 0) return Number.NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  }
}

export interface ClosedLoopResult {
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latencies: Latencies;
  statuses: Record<string, number>;
}

/**
 * `concurrency` loops each sending one request after the other for `seconds` (and at most `maxRequests` in total):
 * a closed-loop load, bounded in count and time. `send(i)` returns the HTTP status.
 */
export async function closedLoop(options: {
  concurrency: number;
  seconds: number;
  maxRequests?: number;
  send: (i: number) => Promise<number>;
  okStatuses: number[];
}): Promise<ClosedLoopResult> {
  const latencies = new Latencies();
  const statuses: Record<string, number> = {};
  let next = 0;
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const loop = async () => {
    while (performance.now() < end && next < max) {
      const i = next++;
      const t0 = performance.now();
      let status: number | string;
      try {
        status = await options.send(i);
      } catch (error) {
        status = (error as Error).name;
      }
      latencies.add(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (typeof status === 'number' && options.okStatuses.includes(status)) ok++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  const seconds = (performance.now() - start) / 1000;
  return { ok, errors, seconds, perSecond: ok / seconds, latencies, statuses };
}

/** Calls `task(i)` for i < count from `concurrency` loops, each starting the next as its last one ends (a closed loop). */
export async function concurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Calls `task(i)` for i < count at `perSecond`, whatever the answers take (an open loop); resolves when every call has. */
export async function openLoop(count: number, perSecond: number, task: (i: number) => Promise<void>): Promise<void> {
  const calls: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    calls.push(task(i));
  }
  await Promise.all(calls);
}

/** Number from an env var, else the full-run default, or the smoke default when BENCH_SMOKE=1 (CI: seconds, not minutes). */
export function envNumber(name: string, full: number, smoke: number = full): number {
  const value = Number(process.env[name]);
  if (Number.isFinite(value) && value > 0) return value;
  return process.env.BENCH_SMOKE === '1' ? smoke : full;
}
