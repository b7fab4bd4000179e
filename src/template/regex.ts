// Go's regexp on re2js, a pure-JavaScript port of RE2 with Go's syntax and semantics: matching takes
// time linear in the input (no catastrophic backtracking), and the loops that find all matches, replace
// and split are Go's own, so empty matches, `$` expansion and limits behave exactly as in Go.
//
// Budget: a pattern's program size is estimated from its text before it is compiled (and refused past
// MAX_PROGRAM_SIZE); compiling is charged in proportion to the estimate, and searching in proportion to
// (characters scanned) x (program size), the bound on RE2's work. A search from `pos` may scan to the end
// of the input, so a loop over all matches (FindAll, ReplaceAll, Split) would be charged quadratically;
// for a pattern whose matches are at most L characters long (no *, +, {n,}) no RE2 thread outlives L
// characters, so the whole loop scans at most n + k(L + 1) characters for k matches, and that is what
// it is charged. Charges never depend on the cache.
// Go matches a raw byte as utf8.RuneError (U+FFFD): matching runs on the text with raw bytes replaced by U+FFFD,
// one UTF-16 unit for one, so indices and the substrings taken from the original are unchanged.
import { hasRawBytes, replaceRawBytes } from './encoding.ts';
import { growCap, sliceCaps } from './values.ts';
import { RE2JS, type Matcher } from 're2js';
import { BudgetError, meter } from './budget.ts';

/** Largest program (RE2 instructions, estimated before compiling) a template may compile. */
export const MAX_PROGRAM_SIZE = 20_000;
/** Steps charged per estimated instruction compiled. */
const COMPILE_STEPS_PER_INST = 8;
/** (input characters x program instructions) per step of matching. */
const MATCH_UNITS_PER_STEP = 8;

/** A compile error, with Go's text (`error parsing regexp: ...`). */
export class RegexSyntaxError extends Error {}

export interface GoRegexp {
  readonly expr: string;
  readonly re: RE2JS;
  /** Go's SubexpNames: index 0 is the whole match (""), unnamed groups are "". */
  readonly names: string[];
  readonly numSubexp: number;
  readonly progSize: number;
  /** Longest possible match in UTF-16 units (Infinity with an unbounded repeat). */
  readonly maxLen: number;
}

/** Patterns the regex cache holds at most. */
export const REGEX_CACHE_MAX_ENTRIES = 128;
/**
 * Estimated heap bytes the regex cache holds at most: the compiled programs and the DFA states re2js builds while
 * matching (up to 8 MiB per pattern by its own count). Checked each time a pattern is compiled or reused, so the cache
 * passes it by at most what one pattern's matches added since.
 */
export const REGEX_CACHE_MAX_BYTES = 16 << 20;
// Heap per compiled instruction (the instruction and its share of a matcher) and per rune of a character class,
// measured on re2js 2.10.0 and rounded up; the DFA's own count of its states is close to its real heap.
const INST_BYTES = 192;
const RUNE_BYTES = 8;
const DFA_HEAP_FACTOR = 1.5;
/** re2js's lazy DFA budget per pattern (its default), assumed when its count cannot be read. */
const DFA_MAX_BYTES = 8 << 20;

interface CacheEntry {
  compiled: GoRegexp;
  /** Estimated heap bytes of the compiled pattern, without its DFA. */
  bytes: number;
}

/** Compiled patterns, least recently used first (a Map keeps insertion order). */
const cache = new Map<string, CacheEntry>();

/** regexp.Compile: throws RegexSyntaxError with Go's message, BudgetError for a pattern past the budget. */
export function compileGoRegex(expr: string): GoRegexp {
  const m = meter();
  const { size, repeatProduct } = estimateProgramSize(expr);
  // Nested repeats multiplying past 1000 are a syntax error in Go; re2js reports it while parsing,
  // before it expands anything, so such a pattern goes on to get Go's message.
  if (size > MAX_PROGRAM_SIZE && repeatProduct <= 1000) {
    throw new BudgetError(`regular expression would compile to about ${size} instructions (limit ${MAX_PROGRAM_SIZE})`);
  }
  m.step(1 + Math.min(size, MAX_PROGRAM_SIZE) * COMPILE_STEPS_PER_INST);
  const hit = cache.get(expr);
  if (hit) {
    cache.delete(expr);
    cache.set(expr, hit);
    trimRegexCache();
    return hit.compiled;
  }
  const compiled = compile(expr);
  cache.set(expr, { compiled, bytes: compiledBytes(compiled) });
  trimRegexCache();
  return compiled;
}

/** Estimated heap bytes of every cached pattern (with its DFA as it is now). */
export function regexCacheBytes(): number {
  let total = 0;
  for (const entry of cache.values()) total += entry.bytes + dfaBytes(entry.compiled.re);
  return total;
}

/** Evicts the least recently used patterns until the cache is within its entries and bytes. */
function trimRegexCache(): void {
  // The DFAs grow while matching, so their sizes are read afresh (at most REGEX_CACHE_MAX_ENTRIES + 1 of them).
  let total = regexCacheBytes();
  for (const [expr, entry] of cache) {
    if (cache.size <= REGEX_CACHE_MAX_ENTRIES && total <= REGEX_CACHE_MAX_BYTES) break;
    cache.delete(expr);
    total -= entry.bytes + dfaBytes(entry.compiled.re);
  }
}

/** Estimated heap bytes of a compiled pattern: its instructions, their character classes and its source. */
function compiledBytes(compiled: GoRegexp): number {
  const prog = reInternals(compiled.re).re2Input?.prog;
  let runes = 0;
  if (Array.isArray(prog?.inst)) for (const inst of prog.inst as { runes?: unknown }[]) runes += Array.isArray(inst.runes) ? inst.runes.length : 0;
  return compiled.progSize * INST_BYTES + runes * RUNE_BYTES + compiled.expr.length * 2;
}

/** Heap bytes of the DFA re2js built for `re` while matching (by its own count), 0 before any match. */
function dfaBytes(re: RE2JS): number {
  const dfa = reInternals(re).re2Input?.lazyDFA;
  if (dfa === null) return 0;
  if (dfa === undefined) return DFA_MAX_BYTES;
  const { stateBudget, memBudget } = dfa;
  if (typeof stateBudget !== 'number' || typeof memBudget !== 'number') return DFA_MAX_BYTES;
  return (stateBudget - memBudget) * DFA_HEAP_FACTOR;
}

/**
 * What re2js 2.10.0 keeps inside a compiled pattern (not part of its typed API): the program, and the lazy DFA that
 * caches states while matching. Read only to estimate memory; a re2js that changes them is caught by
 * test/template/cache-memory.test.ts, and a DFA that cannot be read is counted at its maximum.
 */
interface Re2Internals {
  re2Input?: {
    prog?: { inst?: unknown };
    lazyDFA?: { stateBudget?: unknown; memBudget?: unknown } | null;
  };
}

function reInternals(re: RE2JS): Re2Internals {
  return re as unknown as Re2Internals;
}

function compile(expr: string): GoRegexp {
  // regexp/syntax checks the pattern is UTF-8 first (the error quotes the whole pattern, raw bytes and all).
  if (hasRawBytes(expr)) throw new RegexSyntaxError(`error parsing regexp: invalid UTF-8: \`${expr}\``);
  let source = expr;
  let renamed: Map<string, string> | undefined;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    let msg = errorMessage(e);
    // Go accepts duplicate group names (re2js does not): compile with the repeats renamed.
    if (msg.startsWith('error parsing regexp: duplicate capture group name')) {
      [source, renamed] = renameDuplicateGroups(expr);
      try {
        re = RE2JS.compile(source);
        msg = '';
      } catch (e2) {
        msg = errorMessage(e2);
      }
    }
    if (msg) throw new RegexSyntaxError(msg);
    re = re!;
  }
  const numSubexp = re.groupCount();
  const names: string[] = new Array<string>(numSubexp + 1).fill('');
  for (const [name, index] of Object.entries(re.namedGroups())) names[index] = renamed?.get(name) ?? name;
  return { expr, re, names, numSubexp, progSize: Math.max(1, re.programSize()), maxLen: maxMatchLength(expr) };
}

function errorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // Go prints an empty argument for this one: "trailing backslash at end of expression: ``".
  if (msg === 'error parsing regexp: trailing backslash at end of expression') return msg + ': ``';
  return msg;
}

/** Renames the second and later groups of the same name to unique names; returns the map back. */
function renameDuplicateGroups(expr: string): [string, Map<string, string>] {
  const back = new Map<string, string>();
  const seen = new Set<string>();
  let out = '';
  let n = 0;
  for (const tok of tokens(expr)) {
    const g = /^\(\?P?<([^>]*)>$/.exec(tok.text);
    if (g && tok.kind === 'open') {
      const name = g[1]!;
      if (seen.has(name)) {
        let fresh: string;
        do fresh = `${name}_dup${++n}`;
        while (expr.includes(fresh));
        back.set(fresh, name);
        out += tok.text.replace(`<${name}>`, `<${fresh}>`);
        continue;
      }
      seen.add(name);
    }
    out += tok.text;
  }
  return [out, back];
}

interface Token {
  kind: 'atom' | 'open' | 'close' | 'alt' | 'repeat' | 'flags';
  text: string;
  /** For repeats: how many copies of its operand the repeat compiles to. */
  count?: number;
  /** For {n,m} repeats: Go's count for its nesting check (m, or n when unbounded). */
  goCount?: number;
}

/**
 * Splits a pattern into the tokens that matter for its size: atoms (literals, escapes, classes), group
 * openers and closers, alternation and repetition. Malformed input only needs to be tokenized somehow:
 * re2js rejects it afterwards.
 */
function* tokens(expr: string): Generator<Token> {
  let i = 0;
  const n = expr.length;
  while (i < n) {
    const c = expr[i]!;
    const start = i;
    if (c === '\\') {
      const d = expr[i + 1];
      if (d === 'Q') {
        // The markers are kept as size-less tokens so that the tokens spell the pattern exactly.
        const end = expr.indexOf('\\E', i + 2);
        const stop = end < 0 ? n : end;
        yield { kind: 'flags', text: '\\Q' };
        for (let j = i + 2; j < stop; j++) yield { kind: 'atom', text: expr[j]! };
        if (end >= 0) yield { kind: 'flags', text: '\\E' };
        i = end < 0 ? n : end + 2;
        continue;
      }
      if ((d === 'x' || d === 'p' || d === 'P') && expr[i + 2] === '{') {
        const end = expr.indexOf('}', i + 3);
        i = end < 0 ? n : end + 1;
      } else if (d === 'p' || d === 'P') i = Math.min(n, i + 3);
      else i = Math.min(n, i + 2);
      yield { kind: 'atom', text: expr.slice(start, i) };
      continue;
    }
    if (c === '[') {
      i++;
      if (expr[i] === '^') i++;
      if (expr[i] === ']') i++;
      while (i < n && expr[i] !== ']') {
        if (expr[i] === '\\') i += 2;
        else if (expr[i] === '[' && expr[i + 1] === ':') {
          const end = expr.indexOf(':]', i + 2);
          i = end < 0 ? i + 1 : end + 2;
        } else i++;
      }
      i = Math.min(n, i + 1);
      yield { kind: 'atom', text: expr.slice(start, i) };
      continue;
    }
    if (c === '(') {
      if (expr[i + 1] === '?') {
        const m = /^\(\?(?:P?<[^>]*>|[a-zA-Z-]*:|[a-zA-Z-]*\))/.exec(expr.slice(i, i + 300));
        if (m) {
          i += m[0].length;
          yield { kind: m[0].endsWith(')') ? 'flags' : 'open', text: m[0] };
          continue;
        }
      }
      i++;
      yield { kind: 'open', text: '(' };
      continue;
    }
    if (c === ')') {
      i++;
      yield { kind: 'close', text: ')' };
      continue;
    }
    if (c === '|') {
      i++;
      yield { kind: 'alt', text: '|' };
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      i++;
      if (expr[i] === '?') i++;
      yield { kind: 'repeat', text: expr.slice(start, i), count: 1 };
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(expr.slice(i, i + 30));
      if (m) {
        i += m[0].length;
        // Counts past 1000 are a syntax error (reported by re2js); cap them so they are not refused here.
        const lo = Math.min(Number(m[1]), 1001);
        const hi = m[3] ? Math.min(Number(m[3]), 1001) : lo;
        yield { kind: 'repeat', text: m[0], count: Math.max(lo, hi, 1) + 1, goCount: m[2] && !m[3] ? lo : hi };
        continue;
      }
    }
    // A literal character (a surrogate pair is one).
    const cp = expr.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    yield { kind: 'atom', text: expr.slice(start, i) };
  }
}

/**
 * An upper estimate of the RE2 program's size: atoms count one instruction (a class by its text, since
 * large classes compile to many ranges), groups two, alternations and `* + ?` one, and `{n,m}` multiplies
 * its operand by m + 1.
 */
export function estimateProgramSize(expr: string): { size: number; repeatProduct: number } {
  // Each frame: size of the completed items and of the last item (what a repeat applies to), and the
  // largest product of nested {n,m} counts among them.
  interface Frame {
    done: number;
    last: number;
    doneProd: number;
    lastProd: number;
  }
  const frame = (): Frame => ({ done: 0, last: 0, doneProd: 1, lastProd: 1 });
  const stack: Frame[] = [frame()];
  let top = stack[0]!;
  const next = (size: number, prod: number): void => {
    top.done += top.last;
    top.doneProd = Math.max(top.doneProd, top.lastProd);
    top.last = size;
    top.lastProd = prod;
  };
  for (const t of tokens(expr)) {
    switch (t.kind) {
      case 'atom':
        next(t.text.startsWith('[') || t.text.startsWith('\\p') || t.text.startsWith('\\P') ? 1 + t.text.length : 1, 1);
        break;
      case 'flags':
        break;
      case 'open':
        stack.push((top = frame()));
        break;
      case 'close': {
        if (stack.length === 1) break;
        const inner = stack.pop()!;
        top = stack[stack.length - 1]!;
        next(inner.done + inner.last + 2, Math.max(inner.doneProd, inner.lastProd));
        break;
      }
      case 'alt':
        next(1, 1);
        top.done += top.last;
        top.last = 0;
        break;
      case 'repeat':
        top.last = Math.min(top.last * (t.count ?? 1) + 1, 1e12);
        if (t.goCount) top.lastProd = Math.min(top.lastProd * t.goCount, 1e12);
        break;
    }
  }
  let size = 2;
  let repeatProduct = 1;
  for (const f of stack) {
    size += f.done + f.last;
    repeatProduct = Math.max(repeatProduct, f.doneProd, f.lastProd);
  }
  return { size, repeatProduct };
}

/**
 * An upper bound of the length of any match (UTF-16 units; every atom counts 2, a code point's most),
 * Infinity when the pattern has *, + or {n,}.
 */
export function maxMatchLength(expr: string): number {
  const stack: { done: number; last: number; alts: number }[] = [{ done: 0, last: 0, alts: 0 }];
  let top = stack[0]!;
  const close = (f: { done: number; last: number; alts: number }): number => Math.max(f.alts, f.done + f.last);
  for (const t of tokens(expr)) {
    switch (t.kind) {
      case 'atom':
        top.done += top.last;
        top.last = t.text === '^' || t.text === '$' ? 0 : 2;
        break;
      case 'flags':
        break;
      case 'open':
        stack.push((top = { done: 0, last: 0, alts: 0 }));
        break;
      case 'close': {
        if (stack.length === 1) break;
        const inner = close(stack.pop()!);
        top = stack[stack.length - 1]!;
        top.done += top.last;
        top.last = inner;
        break;
      }
      case 'alt':
        top.alts = close(top);
        top.done = 0;
        top.last = 0;
        break;
      case 'repeat':
        if (t.text[0] === '?') break;
        if (t.text[0] !== '{' || /^\{\d+,\}/.test(t.text)) return Infinity;
        top.last *= (t.count ?? 2) - 1;
        break;
    }
  }
  let len = 0;
  for (const f of stack) len += close(f);
  return len;
}

/** Charges a scan of `chars` characters. */
function chargeScan(re: GoRegexp, chars: number): void {
  meter().step(1 + ((chars + 1) * re.progSize) / MATCH_UNITS_PER_STEP);
}

/** regexp.MatchString. */
export function matchString(re: GoRegexp, s: string): boolean {
  chargeScan(re, s.length);
  return re.re.test(replaceRawBytes(s));
}

/**
 * One search from `pos` (the `first` of a loop, or a later one); returns the match (group 0 and, with
 * `groups`, every group) or null. See the header for what is charged.
 */
function search(re: GoRegexp, m: Matcher, s: string, pos: number, groups: boolean, first: boolean): number[] | null {
  const bounded = re.maxLen !== Infinity;
  if (first || !bounded) chargeScan(re, s.length - pos);
  else chargeScan(re, re.maxLen + 1);
  if (!m.find(pos)) return null;
  const out = [m.start(), m.end()];
  if (groups && re.numSubexp > 0) {
    // Captures are found by a second, anchored pass from the match's start.
    chargeScan(re, bounded ? re.maxLen : s.length - out[0]!);
    for (let g = 1; g <= re.numSubexp; g++) out.push(m.start(g), m.end(g));
  }
  return out;
}

/** Width of the code point at `pos` (0 at the end), as Go steps over a rune. */
function width(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(pos + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** Regexp.allMatches: up to `n` (all when n < 0) non-overlapping matches, group 0 only unless `groups`. */
export function allMatches(re: GoRegexp, s: string, n: number, groups = false): number[][] {
  const limit = n < 0 ? s.length + 1 : n;
  const out: number[][] = [];
  const budget = meter();
  const m = re.re.matcher(replaceRawBytes(s));
  for (let pos = 0, prevMatchEnd = -1; out.length < limit && pos <= s.length;) {
    const match = search(re, m, s, pos, groups, pos === 0);
    if (!match) break;
    let accept = true;
    if (match[1] === pos) {
      // An empty match right after a previous match is ignored; step over one rune.
      if (match[0] === prevMatchEnd) accept = false;
      const w = width(s, pos);
      pos = w > 0 ? pos + w : s.length + 1;
    } else {
      pos = match[1]!;
    }
    prevMatchEnd = match[1]!;
    if (accept) {
      budget.items(out.length + 1);
      out.push(match);
    }
  }
  return out;
}

/** Regexp.FindString. */
export function findString(re: GoRegexp, s: string): string {
  const match = search(re, re.re.matcher(replaceRawBytes(s)), s, 0, false, true);
  return match ? s.slice(match[0], match[1]) : '';
}

/** Regexp.FindAllString: null (Go's nil slice) when nothing matches. */
export function findAllString(re: GoRegexp, s: string, n: number): string[] | null {
  const matches = allMatches(re, s, n);
  if (matches.length === 0) return null;
  const b = meter();
  let units = 0;
  for (const mt of matches) units += mt[1]! - mt[0]!;
  b.work(units);
  return matches.map((mt) => s.slice(mt[0], mt[1]));
}

/** Regexp.Split. */
export function split(re: GoRegexp, s: string, n: number): string[] | null {
  if (n === 0) return null;
  if (re.expr.length > 0 && s.length === 0) return [''];
  const matches = allMatches(re, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const match of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = match[0]!;
    if (match[1] !== 0) out.push(s.slice(beg, end));
    beg = match[1]!;
  }
  if (end !== s.length) out.push(s.slice(beg));
  meter().items(out.length);
  // Go's slice was made with cap len(matches), grown by the last append if it overflowed (sprig's slice sees it).
  const cap = out.length > matches.length ? growCap(matches.length, out.length) : matches.length;
  if (cap > out.length) sliceCaps.set(out, cap);
  return out;
}

/** Regexp.ReplaceAllString (`literal` false: `$` expands as in Expand) and ReplaceAllLiteralString. */
export function replaceAll(re: GoRegexp, src: string, repl: string, literal: boolean): string {
  const groups = !literal && repl.includes('$');
  const out = new Builder();
  const m = re.re.matcher(replaceRawBytes(src));
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const a = search(re, m, src, searchPos, groups, searchPos === 0);
    if (!a) break;
    out.add(src, lastMatchEnd, a[0]!);
    // No replacement for an empty match right after another match.
    if (a[1]! > lastMatchEnd || a[0] === 0) {
      if (literal || !groups) out.add(repl, 0, repl.length);
      else expand(out, repl, src, a, re.names);
    }
    lastMatchEnd = a[1]!;
    const w = width(src, searchPos);
    if (searchPos + w > a[1]!) searchPos += w;
    else if (searchPos + 1 > a[1]!) searchPos++;
    else searchPos = a[1]!;
  }
  out.add(src, lastMatchEnd, src.length);
  return out.text;
}

/** A string built piece by piece that refuses to grow past maxStringBytes (counted in UTF-16 units). */
class Builder {
  text = '';
  private readonly max = meter().limits.maxStringBytes;

  add(s: string, from: number, to: number): void {
    if (to <= from) return;
    if (this.text.length + (to - from) > this.max) meter().string(this.text.length + (to - from));
    this.text += from === 0 && to === s.length ? s : s.slice(from, to);
  }
}

const nameChar = /[\p{L}\p{Nd}_]/uy;

/** Regexp.expand: $1, ${1}, $name, ${name}, $$; a malformed reference is kept as `$`. */
function expand(out: Builder, template: string, src: string, match: number[], names: string[]): void {
  let t = 0;
  while (t < template.length) {
    const dollar = template.indexOf('$', t);
    if (dollar < 0) break;
    out.add(template, t, dollar);
    t = dollar + 1;
    if (template[t] === '$') {
      out.add('$', 0, 1);
      t++;
      continue;
    }
    // extract: a name of letters, digits and underscores, optionally in braces.
    let i = t;
    const brace = template[i] === '{';
    if (brace) i++;
    const nameStart = i;
    for (;;) {
      nameChar.lastIndex = i;
      const r = nameChar.exec(template);
      if (!r) break;
      i += r[0].length;
    }
    const name = template.slice(nameStart, i);
    if (name === '' || (brace && template[i] !== '}')) {
      out.add('$', 0, 1);
      continue;
    }
    if (brace) i++;
    t = i;
    let num = 0;
    for (let k = 0; k < name.length; k++) {
      const d = name.charCodeAt(k) - 48;
      if (d < 0 || d > 9 || num >= 1e8) {
        num = -1;
        break;
      }
      num = num * 10 + d;
    }
    if (name[0] === '0' && name.length > 1) num = -1;
    if (num >= 0) {
      if (2 * num + 1 < match.length && match[2 * num]! >= 0) out.add(src, match[2 * num]!, match[2 * num + 1]!);
    } else {
      for (let g = 0; g < names.length; g++) {
        if (names[g] === name && 2 * g + 1 < match.length && match[2 * g]! >= 0) {
          out.add(src, match[2 * g]!, match[2 * g + 1]!);
          break;
        }
      }
    }
  }
  out.add(template, t, template.length);
}

/** regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
