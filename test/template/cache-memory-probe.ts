// Run by cache-memory.test.ts in a child process of its own (`node --expose-gc --import tsx`), so that what it
// measures is the engine's memory alone: renders distinct large templates as an attacker would send them through
// jobs or /api/v1/render, then prints the heap and RSS growth left once garbage is collected.
import { renderConfig } from '../../src/template/index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const [scenario = 'templates', countArg = '40'] = process.argv.slice(2);
const count = Number(countArg);

/** A distinct template of about 64.8 KB (under maxTemplateBytes), 12 950 actions: the attack's shape. */
const largeTemplate = (i: number, tail = ''): string => `{{/* ${i} */}}${'{{1}}'.repeat(12_950)}${tail}`;

const sources: Record<string, (i: number) => string> = {
  // Each renders successfully.
  templates: (i) => largeTemplate(i),
  // Each parses, then fails while executing.
  failing: (i) => largeTemplate(i, '{{ fail "no" }}'),
  // Each compiles a distinct case-folded pattern and runs it, which grows its lazy DFA.
  regexes: (i) => `{{ regexMatch "(?i)[a-zé]{1000}x${i}" "${'a'.repeat(2000)}" }}`,
};
const source = sources[scenario];
if (!source) throw new Error(`unknown scenario ${scenario}`);

gc();
const before = process.memoryUsage();
let failures = 0;
for (let i = 0; i < count; i++) {
  try {
    renderConfig({ repo: source(i) }, {});
  } catch {
    failures++;
  }
}
gc();
const after = process.memoryUsage();
process.stdout.write(JSON.stringify({ failures, heapGrowth: after.heapUsed - before.heapUsed, rssGrowth: after.rss - before.rss }) + '\n');
