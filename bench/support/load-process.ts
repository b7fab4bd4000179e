// A webhook load generator in a process of its own, so the server under test has its process (and the bench
// harness none of its CPU time): `tsx bench/support/load-process.ts <spec.json>` runs a closed loop and prints
// one JSON line with the result. `runLoadProcess` is the parent's side.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPoster } from './http-post.ts';
import { closedLoop } from './load.ts';

export interface LoadSpec {
  url: string;
  event: string;
  deliveries: Array<{ body: string; signature: string }>;
  seconds: number;
  concurrency: number;
  okStatuses: number[];
}

export interface LoadSummary {
  ok: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

async function main(specFile: string): Promise<void> {
  const spec = JSON.parse(await readFile(specFile, 'utf8')) as LoadSpec;
  const poster = createPoster(spec.url, spec.concurrency);
  try {
    const result = await closedLoop({
      concurrency: spec.concurrency,
      seconds: spec.seconds,
      maxRequests: 2_000_000,
      okStatuses: spec.okStatuses,
      send: (i) => {
        const delivery = spec.deliveries[i % spec.deliveries.length] as LoadSpec['deliveries'][number];
        return poster.post(
          {
            'content-type': 'application/json',
            'x-github-event': spec.event,
            'x-github-delivery': randomUUID(),
            'x-hub-signature-256': delivery.signature,
            'user-agent': 'GitHub-Hookshot/bench',
          },
          delivery.body,
        );
      },
    });
    const summary: LoadSummary = {
      ok: result.ok,
      errors: result.errors,
      perSecond: result.perSecond,
      p50: result.latencies.percentile(50),
      p99: result.latencies.percentile(99),
      statuses: result.statuses,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    poster.close();
  }
}

const SELF = fileURLToPath(import.meta.url);
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** Runs one load phase in a child process and returns its summary. */
export async function runLoadProcess(spec: LoadSpec): Promise<LoadSummary> {
  const specFile = join(tmpdir(), `gha-bench-load-${randomUUID()}.json`);
  await writeFile(specFile, JSON.stringify(spec));
  try {
    const child = spawn(process.execPath, [TSX, SELF, specFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`load process exited ${code}: ${err.slice(-2000)}`);
    return JSON.parse(out.trim().split('\n').at(-1) as string) as LoadSummary;
  } finally {
    await rm(specFile, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv[2] as string);
}
