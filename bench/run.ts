// `npm run bench [module...]`: runs the bench modules in sequence, prints one table, writes bench/results.json.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from './bench-row.ts';

const MODULES = ['webhook-ingest', 'job-throughput', 'dispatch-burst', 'waiting-jobs', 'lookup-budget', 'template-render', 'topology', 'job-cost'];

function machine() {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

function table(rows: BenchRow[]): string {
  const cells = rows.map((r) => [r.name, r.metric, String(r.value), r.unit, r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
  const header = ['benchmark', 'metric', 'value', 'unit', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const wanted = process.argv.slice(2);
const selected = wanted.length > 0 ? wanted : MODULES;
const startedAt = new Date().toISOString();
const info = machine();
console.log(`machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, node ${info.node}, load ${info.loadAverageAtStart.join(' ')}`);
const rows: BenchRow[] = [];
const failures: Array<{ module: string; error: string }> = [];

interface BenchModule {
  run(): Promise<BenchRow[]>;
  /**
   * Set by a module whose time is mostly spent waiting on the clock, not on the machine (job-cost holds one run for
   * an hour): it resolves once the part that needs the machine to itself is done, with the rest, which runs beside
   * the other modules. One run of every module then takes as long as the longer of the two, not their sum.
   */
  start?(): Promise<{ finish: Promise<BenchRow[]> }>;
}

async function load(name: string): Promise<BenchModule | undefined> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) {
    if (wanted.length > 0) failures.push({ module: name, error: 'no such bench module' });
    return undefined;
  }
  try {
    return (await import(pathToFileURL(file).href)) as BenchModule;
  } catch (error) {
    failures.push({ module: name, error: (error as Error).stack ?? String(error) });
    console.error(`${name} failed to load: ${(error as Error).stack ?? String(error)}`);
    return undefined;
  }
}

/** Runs a module, or starts one that runs beside the others; resolves when it has reported. */
async function runModule(name: string, mod: BenchModule, report: (finished: Promise<void>) => void = (f) => void f): Promise<void> {
  const started = performance.now();
  console.log(`\n▶ ${name}`);
  const done = (result: BenchRow[]) => {
    rows.push(...result);
    console.log(table(result));
    console.log(`(${Math.round((performance.now() - started) / 1000)} s)`);
  };
  const failed = (error: unknown) => {
    failures.push({ module: name, error: (error as Error).stack ?? String(error) });
    console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
  };
  try {
    if (!mod.start) return done(await mod.run());
    const { finish } = await mod.start();
    console.log(`(started; it goes on beside the other modules)`);
    report(
      finish.then((result) => {
        console.log(`\n◀ ${name}`);
        done(result);
      }, failed),
    );
  } catch (error) {
    failed(error);
  }
}

const modules = (await Promise.all(selected.map(async (name) => ({ name, mod: await load(name) })))).filter(
  (m): m is { name: string; mod: BenchModule } => m.mod !== undefined,
);
const beside: Array<Promise<void>> = [];
for (const m of modules.filter((m) => m.mod.start)) await runModule(m.name, m.mod, (finished) => beside.push(finished));
for (const m of modules.filter((m) => !m.mod.start)) await runModule(m.name, m.mod);
await Promise.all(beside);
console.log(`\nAll results\n${table(rows)}`);
// The settings of the run; where its results go (BENCH_RESULTS) is not one, and would name a path of this machine.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_RESULTS'));
const resultsFile = process.env.BENCH_RESULTS ?? fileURLToPath(new URL('./results.json', import.meta.url));
await writeFile(
  resultsFile,
  `${JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), machine: { ...info, loadAverageAtEnd: loadavg().map((n) => Math.round(n * 100) / 100) }, env, rows, failures }, null, 2)}\n`,
);
console.log(`\nwrote ${resultsFile}`);
if (failures.length > 0) process.exitCode = 1;
