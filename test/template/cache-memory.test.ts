// The parse and regex caches hold a bounded amount of memory whatever is rendered (issue #26, M4): distinct large
// templates, templates that fail, and patterns whose DFA grows while matching. Each scenario runs in a child process
// of its own and reports the heap growth left after garbage collection.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./cache-memory-probe.ts', import.meta.url));
const MiB = 1 << 20;

function measure(scenario: string, count: number): { failures: number; heapGrowth: number; rssGrowth: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe, scenario, String(count)], { encoding: 'utf8' });
  return JSON.parse(out) as { failures: number; heapGrowth: number; rssGrowth: number };
}

describe('template caches keep their memory bounded', { timeout: 120_000 }, () => {
  it('40 distinct 64.8 KB templates leave the heap less than 100 MiB larger (each parse tree takes about 12 MB)', () => {
    const { failures, heapGrowth } = measure('templates', 40);
    expect(failures).toBe(0);
    expect(heapGrowth).toBeLessThan(100 * MiB);
  });

  it('40 distinct 64.8 KB templates that fail while executing leave nothing cached', () => {
    const { failures, heapGrowth } = measure('failing', 40);
    expect(failures).toBe(40);
    expect(heapGrowth).toBeLessThan(16 * MiB);
  });

  it('128 distinct case-folded patterns matched once leave the heap less than 64 MiB larger', () => {
    const { failures, heapGrowth } = measure('regexes', 128);
    expect(failures).toBe(0);
    expect(heapGrowth).toBeLessThan(64 * MiB);
  });
});
