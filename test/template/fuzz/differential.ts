// Differential fuzzing of the template engine against Go: generated cases rendered by Go's text/template +
// sprig (test/conformance/main.go -stdin, many cases per invocation) and by the engine, compared byte for
// byte (raw bytes travel as \udcXX on both sides). Failing cases are shrunk against Go and can be appended
// to the corpus (test/conformance/cases/fuzz-regressions.json).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GO_LIMITS, conformanceDir, renderCase, type Golden } from '../conformance-harness.ts';
import { genCase, type FuzzCase } from './generate.ts';

let goBinary: string | undefined;

/** Builds the conformance program once per process (Go's build cache makes rebuilds cheap). */
export function buildGo(): string {
  if (goBinary) return goBinary;
  const bin = join(mkdtempSync(join(tmpdir(), 'template-fuzz-')), 'conformance');
  execFileSync('go', ['build', '-o', bin, '.'], {
    cwd: conformanceDir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, GOFLAGS: '-mod=readonly' },
  });
  return (goBinary = bin);
}

export function goAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Go's results for `cases`, in order, from one run of the conformance program. */
export function renderWithGo(cases: FuzzCase[]): Golden[] {
  // The data is spliced in as its own text so that number literals reach Go exactly as generated.
  const input = `[${cases.map((c) => `{"name": ${JSON.stringify(c.name)}, "template": ${JSON.stringify(c.template)}, "data": ${c.data}}`).join(',\n')}]`;
  const out = execFileSync(buildGo(), ['-stdin'], { cwd: conformanceDir, input, maxBuffer: 1 << 30, encoding: 'utf8' });
  return JSON.parse(out) as Golden[];
}

export function renderWithEngine(c: FuzzCase): Golden {
  return renderCase({ id: c.name, template: c.template, dataText: c.data }, GO_LIMITS);
}

export interface Difference {
  case: FuzzCase;
  go: Golden;
  ours: Golden;
}

const same = (a: Golden, b: Golden): boolean => a.output === b.output && a.error === b.error;

/** Renders `cases` both ways and returns the ones that differ. */
export function compare(cases: FuzzCase[]): Difference[] {
  const go = renderWithGo(cases);
  const diffs: Difference[] = [];
  cases.forEach((c, i) => {
    const ours = renderWithEngine(c);
    if (!same(go[i]!, ours)) diffs.push({ case: c, go: go[i]!, ours });
  });
  return diffs;
}

/** Runs cases `from`..`to`-1 of `seed` in batches, returning the differences. */
export function fuzz(seed: number, count: number, batch = 5000, onBatch?: (done: number, diffs: number) => void): Difference[] {
  const diffs: Difference[] = [];
  for (let from = 0; from < count; from += batch) {
    const cases: FuzzCase[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) cases.push(genCase(seed, i));
    diffs.push(...compare(cases));
    onBatch?.(Math.min(count, from + batch), diffs.length);
  }
  return diffs;
}

/** Smaller variants of a template: actions dropped, text dropped, parenthesised subexpressions lifted, literals shortened. */
function reductions(t: string): string[] {
  const out = new Set<string>();
  const tokens = t.split(/({{.*?}})/s).filter((x) => x !== '');
  for (let i = 0; i < tokens.length; i++) out.add(tokens.filter((_, j) => j !== i).join(''));
  // A whole {{if}}/{{range}}/{{with}} block dropped, or replaced by its body (up to an {{else}}).
  for (let i = 0; i < tokens.length; i++) {
    if (!/^{{-?\s*(if|range|with)\b/.test(tokens[i]!)) continue;
    let depth = 0;
    let elseAt = -1;
    for (let j = i; j < tokens.length; j++) {
      const tok = tokens[j]!;
      if (/^{{-?\s*(if|range|with|define|block)\b/.test(tok)) depth++;
      else if (depth === 1 && elseAt < 0 && /^{{-?\s*else\s*-?}}$/.test(tok)) elseAt = j;
      else if (/^{{-?\s*end\s*-?}}$/.test(tok) && --depth === 0) {
        out.add([...tokens.slice(0, i), ...tokens.slice(j + 1)].join(''));
        out.add([...tokens.slice(0, i), ...tokens.slice(i + 1, elseAt < 0 ? j : elseAt), ...tokens.slice(j + 1)].join(''));
        break;
      }
    }
  }
  // Lift each parenthesised subexpression in place of its parent's arguments, or drop it.
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== '(') continue;
    let depth = 0;
    let inStr = false;
    for (let j = i; j < t.length; j++) {
      const c = t[j];
      if (inStr) {
        if (c === '\\') j++;
        else if (c === '"') inStr = false;
        continue;
      }
      if (c === '"') inStr = true;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        out.add(t.slice(0, i) + t.slice(i + 1, j) + t.slice(j + 1));
        out.add(t.slice(0, i) + '""' + t.slice(j + 1));
        break;
      }
    }
  }
  // Drop a pipeline stage.
  for (const m of t.matchAll(/ \| [^|}]+/g)) out.add(t.slice(0, m.index) + t.slice(m.index + m[0].length));
  // Shorten string literals.
  for (const m of t.matchAll(/"((?:[^"\\]|\\.)+)"/g)) {
    const body = m[1]!;
    const chars = [...body];
    if (chars.length > 1) {
      out.add(t.slice(0, m.index) + `"${chars.slice(1).join('')}"` + t.slice(m.index + m[0].length));
      out.add(t.slice(0, m.index) + `"${chars.slice(0, -1).join('')}"` + t.slice(m.index + m[0].length));
    }
  }
  out.delete(t);
  return [...out].filter((x) => x.length < t.length || x !== t);
}

/** Data reduced to what the template reads: tries the deploy-like skeleton with fewer members. */
function dataReductions(data: string): string[] {
  const out: string[] = [];
  try {
    const obj = JSON.parse(data) as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const o = { ...obj };
      delete o[k];
      out.push(JSON.stringify(o));
    }
  } catch {
    // not reducible
  }
  return out;
}

/** Shrinks a difference: greedily takes the smallest variant that still differs (both sides re-rendered). */
export function shrink(d: Difference, rounds = 60): Difference {
  let cur = d;
  for (let round = 0; round < rounds; round++) {
    const candidates: FuzzCase[] = [
      ...reductions(cur.case.template).map((t, i) => ({ name: `s${i}`, template: t, data: cur.case.data })),
      // Reducing the data re-encodes its numbers as JS writes them; only kept if it still differs.
      ...dataReductions(cur.case.data).map((data, i) => ({ name: `d${i}`, template: cur.case.template, data })),
    ];
    if (candidates.length === 0) break;
    const found = compare(candidates).sort((a, b) => a.case.template.length + a.case.data.length - (b.case.template.length + b.case.data.length));
    const next = found[0];
    if (!next || next.case.template.length + next.case.data.length >= cur.case.template.length + cur.case.data.length) break;
    cur = { ...next, case: { ...next.case, name: d.case.name } };
  }
  return cur;
}

export const regressionsFile = join(conformanceDir, 'cases', 'fuzz-regressions.json');

/** Appends shrunk differences to the corpus (skipping templates already there); returns how many were added. */
export function addToCorpus(diffs: Difference[]): number {
  // Appended as text: the data keeps its number literals (JSON.parse would not).
  const text = existsSync(regressionsFile) ? readFileSync(regressionsFile, 'utf8') : '[\n]\n';
  const seen = new Set((JSON.parse(text) as { template: string }[]).map((c) => c.template));
  const lines: string[] = [];
  for (const d of diffs) {
    if (seen.has(d.case.template)) continue;
    seen.add(d.case.template);
    lines.push(`{"name": ${JSON.stringify(d.case.name)}, "template": ${JSON.stringify(d.case.template)}, "data": ${d.case.data}}`);
  }
  if (lines.length === 0) return 0;
  const body = text.replace(/\s*\]\s*$/, '');
  writeFileSync(regressionsFile, `${body}${body.trim() === '[' ? '\n' : ',\n'}${lines.join(',\n')}\n]\n`);
  return lines.length;
}

/** A fresh seed, or TEMPLATE_FUZZ_SEED's. */
export function fuzzSeed(): number {
  const env = process.env.TEMPLATE_FUZZ_SEED;
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
