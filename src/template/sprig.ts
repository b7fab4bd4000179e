// The sprig (github.com/Masterminds/sprig/v3) functions this engine implements, with sprig's Go
// signatures and quirks (errors ignored where sprig ignores them, panics reported as Go reports them).
import { base64Decode, base64Encode, sha256Hex } from './encoding.ts';
import { compareStrings, formatValue, sprintf, utf8Bytes } from './fmt.ts';
import { FuncError, type FuncEnv, type ParamType, type TemplateFunc } from './functions.ts';
import { marshalJson, parseJson } from './json.ts';
import { goQuote } from './lexer.ts';
import { RegexSyntaxError, compileGoRegex, findAllString, findString, matchString, quoteMeta, replaceAll, split, type GoRegexp } from './regex.ts';
import { parseFloat64, parseInt0 } from './strconv.ts';
import { formatTime } from './time.ts';
import { decodeUtf8, hasRawBytes, replaceRawBytes, utf8Encode } from './encoding.ts';
import { GoComplex, GoTime, JsonNumber, TypedInt, capOf, isMap, sliceCaps, kindOf, stringMaps, typedSlice, typeName, wrapInt64 } from './values.ts';
import { BudgetError, CALL_CHARS_PER_STEP, SLOW_CHARS_PER_STEP, mapKeys, meter, utf8Length } from './budget.ts';

const noFlags = { plus: false, minus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };

/** sprig's strval. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.literal;
  return formatValue(v, 'v', noFlags, 0);
}

/** sprig's empty. */
function empty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (typeof v) {
    case 'string':
      return v.length === 0;
    case 'boolean':
      return !v;
    case 'bigint':
      return v === 0n;
    case 'number':
      return v === 0;
  }
  if (v instanceof JsonNumber) return v.literal.length === 0;
  if (v instanceof TypedInt) return v.v === 0n;
  if (v instanceof GoTime) return false;
  if (v instanceof GoComplex) return v.re === 0 && v.im === 0;
  if (Array.isArray(v)) return v.length === 0;
  return mapKeys(v as object).length === 0;
}

/** strings.Split: an empty separator splits after each UTF-8 sequence. The pieces are counted first. */
function goSplit(s: string, sep: string): string[] {
  meter().items(sep === '' ? runeCount(s) : countOf(s, sep) + 1);
  if (sep === '') return [...s];
  return s.split(sep);
}

/** Non-overlapping occurrences of a non-empty `sub` in `s` (strings.Count), without allocating. */
function countOf(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** Code points in `s` (utf8.RuneCountInString). */
function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** sprig's strslice. */
function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((e) => e !== null && e !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

/** cast.ToInt64 with errors ignored (sprig drops them). */
export function toInt64(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  switch (typeof v) {
    case 'bigint':
      return v;
    case 'boolean':
      return v ? 1n : 0n;
    case 'number':
      return floatToInt64(v);
    case 'string':
      return parseInt0(trimZeroDecimal(v)) ?? 0n;
  }
  if (v instanceof TypedInt) return BigInt.asIntN(64, v.v);
  if (v instanceof JsonNumber) return parseInt0(trimZeroDecimal(v.literal)) ?? 0n;
  return 0n;
}

function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

/** cast.ToFloat64 with errors ignored. */
function toFloat64(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case 'bigint':
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'number':
      return v;
    case 'string':
      return parseFloat64(v) ?? 0;
  }
  if (v instanceof TypedInt) return Number(v.v);
  if (v instanceof JsonNumber) return parseFloat64(v.literal) ?? 0;
  return 0;
}

function reflectKindName(v: unknown): string {
  if (v instanceof TypedInt) return v.type;
  switch (kindOf(v)) {
    case 'string':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'map':
      return 'map';
    case 'struct':
      return 'struct';
    case 'complex':
      return 'complex128';
    case 'slice':
      return 'slice';
    default:
      return 'invalid';
  }
}

function listOp(name: string, v: unknown): unknown[] {
  if (v === null || v === undefined) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
  if (!Array.isArray(v)) {
    const what = name === 'push' || name === 'prepend' || name === 'compact' ? `${name} on` : `find ${name} on`;
    throw new FuncError(`Cannot ${what} type ${reflectKindName(v)}`);
  }
  return v;
}

/** Go's s[a:b] on the UTF-8 bytes of s, with Go's panic text when out of range. */
function byteSlice(s: string, a: number | null, b: number | null): string {
  const len = utf8Length(s);
  const lo = a ?? 0;
  const hi = b ?? len;
  if (b !== null && hi < 0) throw new FuncError(`runtime error: slice bounds out of range [:${hi}]`);
  if (b !== null && (hi < 0 || hi > len)) throw new FuncError(`runtime error: slice bounds out of range [:${hi}] with length ${len}`);
  if (a !== null && b === null && (lo < 0 || lo > len)) throw new FuncError(`runtime error: slice bounds out of range [${lo}:${len}]`);
  if (lo < 0 || lo > hi) throw new FuncError(`runtime error: slice bounds out of range [${lo}:${hi}]`);
  if (len === s.length) return s.slice(lo, hi);
  return decodeUtf8(utf8Bytes(s).slice(lo, hi));
}

/** unicode.IsSpace for one UTF-16 unit (every space is in the BMP). */
function isSpaceUnit(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** strings.TrimSpace, by scanning (a `\s+$` regex is quadratic on long runs of spaces). */
function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceUnit(s.charCodeAt(a))) a++;
  while (b > a && isSpaceUnit(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function mapRunes(s0: string, f: (c: string) => string): string {
  // ASCII maps to ASCII one for one: the native mapping is the same.
  if (/^[\x00-\x7f]*$/.test(s0)) return f(s0);
  meter().work(s0.length, CALL_CHARS_PER_STEP);
  // strings.Map decodes a raw byte as utf8.RuneError and writes U+FFFD.
  const s = replaceRawBytes(s0);
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += isOneRune(m) ? m : c;
  }
  return out;
}

/** True when `m` is a single code point. */
function isOneRune(m: string): boolean {
  return m.length === 1 || (m.length === 2 && m.codePointAt(0)! > 0xffff);
}

function isTitleSeparator(c: string): boolean {
  const r = c.codePointAt(0)!;
  if (r <= 0x7f) return !/[0-9a-zA-Z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c) || c === '\u0085'; // unicode.IsSpace includes NEL, /\s/ does not
}

/** unicode.ToTitle where it is not toUpperCase: the digraphs' title case. */
const TITLE_CASE: Record<string, string> = { Ǆ: 'ǅ', ǅ: 'ǅ', ǆ: 'ǅ', Ǉ: 'ǈ', ǈ: 'ǈ', ǉ: 'ǈ', Ǌ: 'ǋ', ǋ: 'ǋ', ǌ: 'ǋ', Ǳ: 'ǲ', ǲ: 'ǲ', ǳ: 'ǲ' };

function title(s0: string): string {
  meter().work(s0.length, CALL_CHARS_PER_STEP);
  const s = replaceRawBytes(s0); // strings.Title is a strings.Map: a raw byte becomes U+FFFD

  let prev = ' ';
  let out = '';
  for (const c of s) {
    if (isTitleSeparator(prev)) {
      const u = TITLE_CASE[c] ?? c.toUpperCase();
      out += isOneRune(u) ? u : c;
    } else out += c;
    prev = c;
  }
  return out;
}

/** Checks the size of joining `parts` with `sep` before joining. */
function checkJoin(parts: string[], sep: string): void {
  const m = meter();
  let units = parts.length > 0 ? (parts.length - 1) * sep.length : 0;
  for (const p of parts) units += p.length;
  m.stringUnits(units, () => parts.join(sep));
}

/** Rethrows budget errors, which no function may swallow. */
function rethrowBudget(e: unknown): void {
  if (e instanceof BudgetError || e instanceof RangeError) throw e;
}

function uuidFrom(random: () => number): string {
  const b: number[] = [];
  for (let i = 0; i < 16; i++) b.push(Math.floor(random() * 256) & 255);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function newMap(): Record<string, unknown> {
  return {};
}

function requireMapArg(m: unknown): Record<string, unknown> | null {
  return m === null || m === undefined ? null : (m as Record<string, unknown>);
}

const envDisabled = 'env is disabled: templates cannot read the environment';

export const sprigFuncs: Record<string, TemplateFunc> = {
  // defaults
  default: { params: ['any'], variadic: 'any', fn: ([d, ...given]) => (given.length === 0 || empty(given[0]) ? d : given[0]) },
  empty: { params: ['any'], fn: ([v]) => empty(v) },
  coalesce: { params: [], variadic: 'any', fn: (vs) => vs.find((v) => !empty(v)) ?? null },
  all: { params: [], variadic: 'any', fn: (vs) => vs.every((v) => !empty(v)) },
  any: { params: [], variadic: 'any', fn: (vs) => vs.some((v) => !empty(v)) },
  ternary: { params: ['any', 'any', 'bool'], fn: ([t, f, c]) => (c ? t : f) },
  required: {
    params: ['string', 'any'],
    fn: ([msg, v]) => {
      if (v === null || v === undefined || v === '') throw new FuncError(msg as string);
      return v;
    },
  },
  fail: {
    params: ['string'],
    fn: ([msg]) => {
      throw new FuncError(msg as string);
    },
  },
  toJson: { params: ['any'], fn: ([v]) => tryJson(() => marshalJson(v)) },
  mustToJson: { params: ['any'], fn: ([v]) => marshalJson(v) },
  toPrettyJson: { params: ['any'], fn: ([v]) => tryJson(() => marshalJson(v, { indent: '  ' })) },
  toRawJson: { params: ['any'], fn: ([v]) => marshalJson(v, { escapeHTML: false }) },
  fromJson: {
    params: ['string'],
    slow: true,
    fn: ([s]) => {
      try {
        // encoding/json reads invalid UTF-8 as U+FFFD (outside a string it is a syntax error either way).
        return parseJson(replaceRawBytes(s as string), false, meter().limits.maxCollectionItems);
      } catch (e) {
        rethrowBudget(e);
        return null;
      }
    },
  },

  // strings
  quote: {
    params: [],
    variadic: 'any',
    slow: true,
    fn: (vs) => {
      const parts = vs.filter((v) => v !== null).map((v) => strval(v));
      meter().work(
        parts.reduce((n, p) => n + p.length, 0),
        SLOW_CHARS_PER_STEP,
      );
      const quoted = parts.map((p) => goQuote(p));
      checkJoin(quoted, ' ');
      return quoted.join(' ');
    },
  },
  squote: {
    params: [],
    variadic: 'any',
    fn: (vs) => {
      const parts = vs.filter((v) => v !== null).map((v) => sprintf("'%v'", [v]));
      checkJoin(parts, ' ');
      return parts.join(' ');
    },
  },
  upper: { params: ['string'], slow: true, fn: ([s]) => mapRunes(s as string, (c) => c.toUpperCase()) },
  // unicode.ToLower('İ') is 'i' (JavaScript's full mapping is two code points).
  lower: { params: ['string'], slow: true, fn: ([s]) => mapRunes(s as string, (c) => (c === 'İ' ? 'i' : c.toLowerCase())) },
  title: { params: ['string'], slow: true, fn: ([s]) => title(s as string) },
  trim: { params: ['string'], slow: true, fn: ([s]) => trimSpace(s as string) },
  trimAll: { params: ['string', 'string'], slow: true, fn: ([a, b]) => trimCutset(b as string, a as string) },
  trimall: { params: ['string', 'string'], slow: true, fn: ([a, b]) => trimCutset(b as string, a as string) },
  trimPrefix: { params: ['string', 'string'], fn: ([p, s]) => ((s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s) },
  trimSuffix: {
    params: ['string', 'string'],
    fn: ([p, s]) => ((p as string) !== '' && (s as string).endsWith(p as string) ? (s as string).slice(0, -(p as string).length) : s),
  },
  replace: { params: ['string', 'string', 'string'], slow: true, fn: ([o, n, s]) => goReplaceAll(s as string, o as string, n as string) },
  contains: { params: ['string', 'string'], fn: ([sub, s]) => (s as string).includes(sub as string) },
  hasPrefix: { params: ['string', 'string'], fn: ([p, s]) => (s as string).startsWith(p as string) },
  hasSuffix: { params: ['string', 'string'], fn: ([p, s]) => (s as string).endsWith(p as string) },
  repeat: {
    params: ['int', 'string'],
    fn: ([n, s]) => {
      const str = s as string;
      if (n === 0n) return '';
      if (n === 1n) return str;
      const bytes = checkRepeat(BigInt(utf8Length(str)), n as bigint);
      if (bytes === 0) return '';
      meter().string(bytes);
      return str.repeat(Number(n));
    },
  },
  nospace: { params: ['string'], slow: true, fn: ([s]) => deleteWhiteSpace(s as string) },
  cat: {
    params: [],
    variadic: 'any',
    fn: (vs) => {
      const xs = vs.filter((v) => v !== null);
      // fmt.Sprintf's formatting is bounded by the budget as it goes.
      return sprintf(xs.map(() => '%v').join(' '), xs);
    },
  },
  split: {
    params: ['string', 'string'],
    fn: ([sep, s]) => {
      const out = newMap();
      const parts = goSplit(s as string, sep as string);
      meter().copy(parts.length * 2, 'map');
      // Each piece becomes a key of its own.
      meter().work(parts.length, CALL_CHARS_PER_STEP);
      parts.forEach((p, i) => (out[`_${i}`] = p));
      stringMaps.add(out);
      return out;
    },
  },
  splitList: { params: ['string', 'string'], fn: ([sep, s]) => typedSlice(goSplit(s as string, sep as string), 'string') },
  join: {
    params: ['string', 'any'],
    fn: ([sep, v]) => {
      const parts = strslice(v);
      meter().work(parts.length, CALL_CHARS_PER_STEP);
      checkJoin(parts, sep as string);
      return parts.join(sep as string);
    },
  },
  toStrings: { params: ['any'], fn: ([v]) => typedSlice(strslice(v), 'string') },
  sortAlpha: {
    params: ['any'],
    fn: ([v]) => {
      if (!Array.isArray(v)) return typedSlice([strval(v)], 'string');
      const parts = strslice(v);
      // n log n comparisons
      meter().step(parts.length * Math.log2(parts.length + 1));
      return typedSlice(parts.sort(compareStrings), 'string');
    },
  },
  indent: { params: ['int', 'string'], fn: ([n, s]) => indent(n as bigint, s as string) },
  nindent: { params: ['int', 'string'], fn: ([n, s]) => '\n' + indent(n as bigint, s as string) },
  trunc: {
    params: ['int', 'string'],
    slow: true,
    fn: ([c0, s0]) => {
      const c = Number(c0 as bigint);
      const s = s0 as string;
      const len = utf8Length(s);
      if (c < 0 && len + c > 0) return byteSlice(s, len + c, null);
      if (c >= 0 && len > c) return byteSlice(s, null, c);
      return s;
    },
  },
  substr: {
    params: ['int', 'int', 'string'],
    slow: true,
    fn: ([a0, b0, s0]) => {
      const a = Number(a0 as bigint);
      const b = Number(b0 as bigint);
      const s = s0 as string;
      if (a < 0) return byteSlice(s, null, b);
      if (b < 0 || b > utf8Length(s)) return byteSlice(s, a, null);
      return byteSlice(s, a, b);
    },
  },
  ['toString']: { params: ['any'] as ParamType[], fn: (a: unknown[]) => strval(a[0]) },
  b64enc: {
    params: ['string'],
    slow: true,
    fn: ([s]) => {
      const str = s as string;
      // 4 output bytes per 3 input bytes
      if (str.length * 4 + 4 > meter().limits.maxStringBytes) meter().string(4 * Math.ceil(utf8Length(str) / 3));
      return base64Encode(str);
    },
  },
  b64dec: {
    params: ['string'],
    slow: true,
    fn: ([s]) => {
      // Decoding works per character and then per byte: twice the slow rate.
      meter().work((s as string).length, SLOW_CHARS_PER_STEP);
      try {
        return base64Decode(s as string);
      } catch (e) {
        rethrowBudget(e);
        return (e as Error).message;
      }
    },
  },
  sha256sum: { params: ['string'], slow: true, fn: ([s]) => sha256Hex(s as string) },

  // numbers
  int: { params: ['any'], fn: ([v]) => toInt64(v) },
  int64: { params: ['any'], fn: ([v]) => new TypedInt('int64', toInt64(v)) },
  float64: { params: ['any'], fn: ([v]) => toFloat64(v) },
  // strconv.Atoi: out of range it returns the nearest int64 (with ErrRange, which sprig ignores).
  atoi: {
    params: ['string'],
    fn: ([s]) => {
      if (!/^[+-]?[0-9]+$/.test(s as string)) return 0n;
      const v = BigInt(s as string);
      return v > 2n ** 63n - 1n ? 2n ** 63n - 1n : v < -(2n ** 63n) ? -(2n ** 63n) : v;
    },
  },
  add1: { params: ['any'], fn: ([v]) => int64(toInt64(v) + 1n) },
  add: { params: [], variadic: 'any', fn: (vs) => int64(vs.reduce<bigint>((a, v) => a + toInt64(v), 0n)) },
  sub: { params: ['any', 'any'], fn: ([a, b]) => int64(toInt64(a) - toInt64(b)) },
  mul: { params: ['any'], variadic: 'any', fn: ([a, ...vs]) => int64(vs.reduce<bigint>((x, v) => wrapInt64(x * toInt64(v)), toInt64(a))) },
  div: {
    params: ['any', 'any'],
    fn: ([a, b]) => {
      const d = toInt64(b);
      if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
      return int64(toInt64(a) / d);
    },
  },
  mod: {
    params: ['any', 'any'],
    fn: ([a, b]) => {
      const d = toInt64(b);
      if (d === 0n) throw new FuncError('runtime error: integer divide by zero');
      return int64(toInt64(a) % d);
    },
  },
  max: { params: ['any'], variadic: 'any', fn: ([a, ...vs]) => int64(vs.reduce<bigint>((m, v) => (toInt64(v) > m ? toInt64(v) : m), toInt64(a))) },
  biggest: { params: ['any'], variadic: 'any', fn: ([a, ...vs]) => int64(vs.reduce<bigint>((m, v) => (toInt64(v) > m ? toInt64(v) : m), toInt64(a))) },
  min: { params: ['any'], variadic: 'any', fn: ([a, ...vs]) => int64(vs.reduce<bigint>((m, v) => (toInt64(v) < m ? toInt64(v) : m), toInt64(a))) },
  floor: { params: ['any'], fn: ([v]) => Math.floor(toFloat64(v)) },
  ceil: { params: ['any'], fn: ([v]) => Math.ceil(toFloat64(v)) },
  round: {
    params: ['any', 'int'],
    variadic: 'float64',
    fn: ([v, p, on]) => {
      const pow = Math.pow(10, Number(p as bigint));
      const digit = pow * toFloat64(v);
      const frac = digit % 1;
      return (frac >= ((on as number | undefined) ?? 0.5) ? Math.ceil(digit) : Math.floor(digit)) / pow;
    },
  },
  maxf: { params: ['any'], variadic: 'any', fn: ([a, ...vs]) => vs.reduce<number>((m, v) => goMax(m, toFloat64(v)), toFloat64(a)) },
  minf: { params: ['any'], variadic: 'any', fn: ([a, ...vs]) => vs.reduce<number>((m, v) => goMin(m, toFloat64(v)), toFloat64(a)) },
  plural: { params: ['string', 'string', 'int'], fn: ([one, many, n]) => ((n as bigint) === 1n ? one : many) },
  splitn: {
    params: ['string', 'int', 'string'],
    fn: ([sep, n, s]) => {
      const out = newMap();
      const parts = goSplitN(s as string, sep as string, clampInt(n as bigint));
      meter().copy(parts.length * 2, 'map');
      parts.forEach((p, i) => (out[`_${i}`] = p));
      stringMaps.add(out);
      return out;
    },
  },
  untilStep: { params: ['int', 'int', 'int'], fn: ([a, b, c]) => typedSlice(untilStep(a as bigint, b as bigint, c as bigint), 'int') },
  until: {
    params: ['int'],
    fn: ([n]) => {
      const c = n as bigint;
      // BigInts are costly to create: a step per 4 (the executor charges another per 8).
      meter().items(Number(c < 0n ? -c : c));
      meter().step(Number(c < 0n ? -c : c) / 8);
      const out: bigint[] = [];
      if (c >= 0n) for (let i = 0n; i < c; i++) out.push(i);
      else for (let i = 0n; i > c; i--) out.push(i);
      return typedSlice(out, 'int');
    },
  },

  // lists (the executor checks and charges every list a function returns; copies are checked first)
  list: { params: [], variadic: 'any', fn: (vs) => vs },
  tuple: { params: [], variadic: 'any', fn: (vs) => vs },
  first: {
    params: ['any'],
    fn: ([v]) => {
      const l = listOp('first', v);
      return l.length ? l[0] : null;
    },
  },
  last: {
    params: ['any'],
    fn: ([v]) => {
      const l = listOp('last', v);
      return l.length ? l[l.length - 1] : null;
    },
  },
  rest: { params: ['any'], fn: ([v]) => listOp('rest', v).slice(1) },
  initial: { params: ['any'], fn: ([v]) => listOp('initial', v).slice(0, -1) },
  has: {
    params: ['any', 'any'],
    fn: ([needle, hay]) => {
      if (hay === null) return false;
      if (!Array.isArray(hay)) throw new FuncError(`Cannot find has on type ${reflectKindName(hay)}`);
      return hay.some((e) => deepEqual(e, needle));
    },
  },
  slice: {
    params: ['any'],
    variadic: 'any',
    fn: ([l, ...idx]) => {
      if (l === null) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
      if (!Array.isArray(l)) throw new FuncError(`list should be type of slice or array but ${reflectKindName(l)}`);
      if (l.length === 0) return null;
      const start = idx.length > 0 ? Number(toInt64(idx[0])) : 0;
      const end = idx.length < 2 ? l.length : Number(toInt64(idx[1]));
      const cap = capOf(l);
      if (start < 0 || end < start || end > cap) throw new FuncError('reflect.Value.Slice: slice index out of bounds');
      const out = l.slice(start, end);
      // Past the length, up to the cap, are the backing array's zero values (data arrays: see sliceCaps).
      const zero = typeName(l) === '[]string' ? '' : typeName(l) === '[]int' ? 0n : null;
      for (let i = out.length; i < end - start; i++) out.push(zero);
      if (cap - start > out.length) sliceCaps.set(out, cap - start);
      const t = typeName(l);
      if (t !== '[]interface {}') typedSlice(out, t.slice(2));
      return out;
    },
  },
  reverse: {
    params: ['any'],
    fn: ([v]) => {
      const l = listOp('reverse', v);
      return [...l].reverse();
    },
  },
  compact: {
    params: ['any'],
    fn: ([v]) => {
      const l = listOp('compact', v);
      return l.filter((e) => !empty(e));
    },
  },
  uniq: {
    params: ['any'],
    fn: ([v]) => {
      const l = listOp('uniq', v);
      const out: unknown[] = [];
      // Quadratic, as sprig's: every comparison is charged (deepEqual charges a step per call).
      for (const e of l) if (!out.some((x) => deepEqual(x, e))) out.push(e);
      return out;
    },
  },
  append: {
    params: ['any', 'any'],
    fn: ([l, v]) => {
      const xs = listOp('push', l);
      meter().items(xs.length + 1);
      return [...xs, v];
    },
  },
  push: {
    params: ['any', 'any'],
    fn: ([l, v]) => {
      const xs = listOp('push', l);
      meter().items(xs.length + 1);
      return [...xs, v];
    },
  },
  prepend: {
    params: ['any', 'any'],
    fn: ([l, v]) => {
      const xs = listOp('prepend', l);
      meter().items(xs.length + 1);
      return [v, ...xs];
    },
  },
  concat: {
    params: [],
    variadic: 'any',
    fn: (ls) => {
      let n = 0;
      for (const l of ls) {
        if (l === null) throw new FuncError('runtime error: invalid memory address or nil pointer dereference');
        if (!Array.isArray(l)) throw new FuncError(`Cannot concat type ${reflectKindName(l)} as list`);
        n += l.length;
      }
      meter().items(n);
      const out: unknown[] = [];
      for (const l of ls) for (const e of l as unknown[]) out.push(e);
      return out;
    },
  },
  without: {
    params: ['any'],
    variadic: 'any',
    fn: ([l, ...omit]) => listOp('without', l).filter((e) => !omit.some((o) => deepEqual(o, e))),
  },
  dig: {
    params: [],
    variadic: 'any',
    fn: (ps) => {
      if (ps.length < 3) throw new FuncError('dig needs at least three arguments');
      const asMap = (v: unknown): Record<string, unknown> => {
        if (!isMap(v) || stringMaps.has(v)) throw new FuncError(`interface conversion: interface {} is ${typeNameOrNil(v)}, not map[string]interface {}`);
        return v;
      };
      let d = asMap(ps[ps.length - 1]);
      const def = ps[ps.length - 2];
      const keys = ps.slice(0, -2).map((k) => {
        if (typeof k !== 'string') throw new FuncError(`interface conversion: interface {} is ${typeNameOrNil(k)}, not string`);
        return k;
      });
      for (let i = 0; ; i++) {
        if (!Object.hasOwn(d, keys[i]!)) return def;
        const step = d[keys[i]!];
        if (i === keys.length - 1) return step;
        d = asMap(step);
      }
    },
  },

  // dicts
  dict: {
    params: [],
    variadic: 'any',
    fn: (vs) => {
      meter().copy(Math.ceil(vs.length / 2), 'dict');
      const d = newMap();
      for (let i = 0; i < vs.length; i += 2) d[strval(vs[i])] = i + 1 >= vs.length ? '' : vs[i + 1];
      return d;
    },
  },
  get: {
    params: ['map', 'string'],
    fn: ([d, k]) => {
      const m = requireMapArg(d);
      return m && Object.hasOwn(m, k as string) ? m[k as string] : '';
    },
  },
  set: {
    params: ['map', 'string', 'any'],
    fn: ([d, k, v]) => {
      const m = requireMapArg(d);
      if (!m) throw new FuncError('assignment to entry in nil map');
      m[k as string] = v;
      return m;
    },
  },
  unset: {
    params: ['map', 'string'],
    fn: ([d, k]) => {
      const m = requireMapArg(d);
      if (m) delete m[k as string];
      return m;
    },
  },
  hasKey: {
    params: ['map', 'string'],
    fn: ([d, k]) => {
      const m = requireMapArg(d);
      return !!m && Object.hasOwn(m, k as string);
    },
  },
  keys: {
    params: [],
    variadic: 'map',
    fn: (ds) => {
      const out: string[] = [];
      for (const d of ds) {
        if (!d) continue;
        const ks = mapKeys(d as object);
        meter().items(out.length + ks.length);
        for (const k of ks) out.push(k);
      }
      return typedSlice(out, 'string');
    },
  },
  values: { params: ['map'], fn: ([d]) => (d ? mapKeys(d as object).map((k) => (d as Record<string, unknown>)[k]) : []) },
  pluck: {
    params: ['string'],
    variadic: 'map',
    fn: ([k, ...ds]) => ds.filter((d) => d && Object.hasOwn(d as object, k as string)).map((d) => (d as Record<string, unknown>)[k as string]),
  },
  pick: {
    params: ['map'],
    variadic: 'string',
    fn: ([d, ...ks]) => {
      const out = newMap();
      const m = requireMapArg(d);
      for (const k of ks as string[]) if (m && Object.hasOwn(m, k)) out[k] = m[k];
      return out;
    },
  },
  omit: {
    params: ['map'],
    variadic: 'string',
    fn: ([d, ...ks]) => {
      const out = newMap();
      const m = requireMapArg(d);
      if (m) {
        const omitted = new Set(ks as string[]);
        for (const k of mapKeys(m)) if (!omitted.has(k)) out[k] = m[k];
      }
      return out;
    },
  },

  // regular expressions (Go's regexp on re2js, see regex.ts)
  regexMatch: {
    params: ['string', 'string'],
    fn: ([re, s]) => {
      const r = compileOrNull(re as string);
      return r ? matchString(r, s as string) : false;
    },
  },
  mustRegexMatch: { params: ['string', 'string'], fn: ([re, s]) => matchString(compileOrError(re as string), s as string) },
  regexFindAll: {
    params: ['string', 'string', 'int'],
    fn: ([re, s, n]) => stringSlice(findAllString(mustCompile(re as string), s as string, clampInt(n as bigint))),
  },
  mustRegexFindAll: {
    params: ['string', 'string', 'int'],
    fn: ([re, s, n]) => stringSlice(findAllString(compileOrError(re as string), s as string, clampInt(n as bigint))),
  },
  regexFind: { params: ['string', 'string'], fn: ([re, s]) => findString(mustCompile(re as string), s as string) },
  mustRegexFind: { params: ['string', 'string'], fn: ([re, s]) => findString(compileOrError(re as string), s as string) },
  regexReplaceAll: {
    params: ['string', 'string', 'string'],
    fn: ([re, s, repl]) => replaceAll(mustCompile(re as string), s as string, repl as string, false),
  },
  mustRegexReplaceAll: {
    params: ['string', 'string', 'string'],
    fn: ([re, s, repl]) => replaceAll(compileOrError(re as string), s as string, repl as string, false),
  },
  regexReplaceAllLiteral: {
    params: ['string', 'string', 'string'],
    fn: ([re, s, repl]) => replaceAll(mustCompile(re as string), s as string, repl as string, true),
  },
  mustRegexReplaceAllLiteral: {
    params: ['string', 'string', 'string'],
    fn: ([re, s, repl]) => replaceAll(compileOrError(re as string), s as string, repl as string, true),
  },
  regexSplit: {
    params: ['string', 'string', 'int'],
    fn: ([re, s, n]) => stringSlice(split(mustCompile(re as string), s as string, clampInt(n as bigint))),
  },
  mustRegexSplit: {
    params: ['string', 'string', 'int'],
    fn: ([re, s, n]) => stringSlice(split(compileOrError(re as string), s as string, clampInt(n as bigint))),
  },
  regexQuoteMeta: {
    params: ['string'],
    fn: ([s]) => {
      meter().work((s as string).length, CALL_CHARS_PER_STEP);
      return quoteMeta(s as string);
    },
  },

  // paths
  base: { params: ['string'], fn: ([p]) => pathBase(p as string) },
  dir: { params: ['string'], slow: true, fn: ([p]) => pathDir(p as string) },
  clean: { params: ['string'], slow: true, fn: ([p]) => pathClean(p as string) },
  isAbs: { params: ['string'], fn: ([p]) => (p as string).startsWith('/') },
  ext: {
    params: ['string'],
    fn: ([p]) => {
      const s = p as string;
      for (let i = s.length - 1; i >= 0 && s[i] !== '/'; i--) if (s[i] === '.') return s.slice(i);
      return '';
    },
  },

  // reflection
  typeOf: { params: ['any'], fn: ([v]) => (v === null ? '<nil>' : typeName(v)) },
  kindOf: { params: ['any'], fn: ([v]) => reflectKindName(v) },
  kindIs: { params: ['string', 'any'], fn: ([t, v]) => t === reflectKindName(v) },
  typeIs: { params: ['string', 'any'], fn: ([t, v]) => t === (v === null ? '<nil>' : typeName(v)) },
  typeIsLike: {
    params: ['string', 'any'],
    fn: ([t, v]) => {
      const n = v === null ? '<nil>' : typeName(v);
      return t === n || '*' + t === n;
    },
  },
  deepEqual: { params: ['any', 'any'], fn: ([a, b]) => deepEqual(a, b) },

  // time and identity: injectable through FuncEnv, deterministic in tests
  now: { params: [], fn: (_a, env: FuncEnv) => env.now() },
  // Layouts are scanned for tokens at every character: a step per 2 characters on top of `slow`.
  date: {
    params: ['string', 'any'],
    slow: true,
    fn: ([f, d], env: FuncEnv) => {
      meter().work((f as string).length, 2);
      return formatTime(toTime(d, env), f as string);
    },
  },
  dateInZone: {
    params: ['string', 'any', 'string'],
    slow: true,
    fn: ([f, d], env: FuncEnv) => {
      meter().work((f as string).length, 2);
      return formatTime(toTime(d, env), f as string);
    },
  },
  unixEpoch: {
    params: ['any'],
    fn: (a) => {
      const d = a[0];
      return d instanceof GoTime ? String(Math.floor(d.ms / 1000)) : '0';
    },
  },
  uuidv4: {
    params: [],
    fn: (_a, env: FuncEnv) => {
      meter().step(4);
      return uuidFrom(() => env.random());
    },
  },

  // the environment is off limits
  env: {
    params: ['string'],
    fn: () => {
      throw new FuncError(envDisabled);
    },
  },
  expandenv: {
    params: ['string'],
    fn: () => {
      throw new FuncError(envDisabled);
    },
  },
};

// Byte-wise string functions (strings.Split, Replace, Contains, HasPrefix, ...) whose needle holds raw bytes
// can match inside a character ("\xa9" in "é"), which the engine's form hides: they run on the bytes as
// Latin-1 instead and their results are decoded back. A valid needle matches only whole characters, as here.
for (const name of ['trimPrefix', 'trimSuffix', 'replace', 'contains', 'hasPrefix', 'hasSuffix', 'split', 'splitList', 'splitn']) {
  const f = sprigFuncs[name]!;
  const inner = f.fn;
  sprigFuncs[name] = {
    ...f,
    fn: (args, env) => {
      const needle = args[0];
      if (typeof needle !== 'string' || !hasRawBytes(needle)) return inner(args, env);
      return fromBinary(
        inner(
          args.map((a) => (typeof a === 'string' ? toBinary(a) : a)),
          env,
        ),
      );
    },
  };
}

function toBinary(s: string): string {
  let out = '';
  const b = utf8Encode(s);
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
}

function fromBinary(v: unknown): unknown {
  const dec = (s: string): string => decodeUtf8(Array.from(s, (c) => c.charCodeAt(0)));
  if (typeof v === 'string') return dec(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (typeof v[i] === 'string') v[i] = dec(v[i] as string);
  } else if (isMap(v)) {
    for (const k of Object.keys(v)) if (typeof v[k] === 'string') v[k] = dec(v[k]);
  }
  return v;
}

/** goutils.DeleteWhiteSpace: works byte by byte, so non-ASCII text comes out as Latin-1 (as in Go). */
function deleteWhiteSpace(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.replace(/[\t\n\v\f\r ]+/g, '');
  const bytes = utf8Bytes(s);
  const isSpace = (b: number): boolean => (b >= 9 && b <= 13) || b === 32 || b === 0x85 || b === 0xa0;
  if (!bytes.some(isSpace)) return s;
  let out = '';
  let chunk: number[] = [];
  for (const b of bytes) {
    if (isSpace(b)) continue;
    chunk.push(b);
    if (chunk.length === 8192) {
      out += String.fromCharCode(...chunk);
      chunk = [];
    }
  }
  return out + String.fromCharCode(...chunk);
}

function typeNameOrNil(v: unknown): string {
  return v === null || v === undefined ? 'nil' : typeName(v);
}

function goMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.max(a, b);
}

function goMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.min(a, b);
}

function goSplitN(s: string, sep: string, n: number): string[] {
  if (n === 0 || (sep === '' && s === '')) return [];
  if (n < 0) return goSplit(s, sep);
  // At most n pieces: the first n - 1 separators split, the rest stays whole.
  const out: string[] = [];
  meter().items(Math.min(n, sep === '' ? runeCount(s) : countOf(s, sep) + 1));
  let i = 0;
  while (out.length < n - 1) {
    if (sep === '') {
      if (i >= s.length) break;
      const w = s.codePointAt(i)! > 0xffff ? 2 : 1;
      if (i + w >= s.length) break;
      out.push(s.slice(i, i + w));
      i += w;
      continue;
    }
    const j = s.indexOf(sep, i);
    if (j < 0) break;
    out.push(s.slice(i, j));
    i = j + sep.length;
  }
  out.push(s.slice(i));
  return out;
}

function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const v: bigint[] = [];
  // Count the items before building them.
  if (stop < start ? step < 0n : step > 0n) {
    const span = stop < start ? start - stop : stop - start;
    const by = step < 0n ? -step : step;
    const count = (span + by - 1n) / by;
    meter().items(count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count));
    meter().step(Number(count) / 8);
  }
  if (stop < start) {
    if (step >= 0n) return v;
    for (let i = start; i > stop; i += step) v.push(i);
    return v;
  }
  if (step <= 0n) return v;
  for (let i = start; i < stop; i += step) v.push(i);
  return v;
}

/** path.Clean. */
function pathClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
}

/** path.Dir. */
function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  return pathClean(p.slice(0, i + 1));
}

function int64(v: bigint): TypedInt {
  return new TypedInt('int64', wrapInt64(v));
}

/** sprig's toJson: marshalling errors give "" (budget errors still stop the render). */
function tryJson(f: () => string): string {
  try {
    return f();
  } catch (e) {
    rethrowBudget(e);
    return '';
  }
}

/** regexp.MustCompile: panics with Go's text on a bad pattern. */
function mustCompile(re: string): GoRegexp {
  try {
    return compileGoRegex(re);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new FuncError(`regexp: Compile(${regexpQuote(re)}): ${e.message}`);
  }
}

/** regexp.Compile's error returned as the function's error. */
function compileOrError(re: string): GoRegexp {
  try {
    return compileGoRegex(re);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new FuncError(e.message);
  }
}

/** regexp.MatchString with the error ignored (sprig's regexMatch): a bad pattern does not match. */
function compileOrNull(re: string): GoRegexp | null {
  try {
    return compileGoRegex(re);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    return null;
  }
}

/** regexp's quote: backquoted when strconv.CanBackquote allows it. */
function regexpQuote(s: string): string {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '`' || c === 0xfeff || c === 0x7f || (c < 0x20 && c !== 9) || (c >= 0xd800 && c <= 0xdfff)) return goQuote(s);
  }
  return '`' + s + '`';
}

/** A Go []string (nil prints as [] too). */
function stringSlice(xs: string[] | null): string[] {
  return typedSlice(xs ?? [], 'string');
}

/** A Go int argument as a JS number (saturating; only its sign and small values matter). */
function clampInt(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < -BigInt(Number.MAX_SAFE_INTEGER) ? -Number.MAX_SAFE_INTEGER : Number(n);
}

/**
 * strings.Repeat's own panics (negative count, overflow, an allocation Go cannot make), in Go's words;
 * returns the size of the result in bytes, which the caller checks against the budget.
 */
function checkRepeat(len: bigint, count: bigint): number {
  if (count < 0n) throw new FuncError('strings: negative Repeat count');
  const n = len * count;
  if (n > (1n << 63n) - 1n) throw new FuncError('strings: Repeat output length overflow');
  if (n > 1n << 48n) throw new FuncError('runtime error: makeslice: len out of range');
  return Number(n);
}

function indent(n: bigint, s: string): string {
  if (n > 1n) checkRepeat(1n, n);
  if (n < 0n) throw new FuncError('strings: negative Repeat count');
  // The padding goes before every line: (newlines + 1) x n bytes on top of s.
  const lines = (s.length === 0 ? 0 : countOf(s, '\n')) + 1;
  meter().work(lines, CALL_CHARS_PER_STEP);
  meter().string(Number(n) * lines + utf8Length(s));
  const pad = ' '.repeat(Number(n));
  return pad + s.replaceAll('\n', '\n' + pad);
}

/** strings.ReplaceAll, its size checked before it is built. */
function goReplaceAll(s: string, old: string, repl: string): string {
  const count = old === '' ? runeCount(s) + 1 : countOf(s, old);
  if (count === 0) return s;
  const m = meter();
  const units = s.length + count * (repl.length - old.length);
  m.stringUnits(units, () => '');
  if (units * 3 > m.limits.maxStringBytes) m.string(utf8Length(s) + count * (utf8Length(repl) - utf8Length(old)));
  if (old === '') {
    const runes = [...s];
    return repl + runes.map((r) => r + repl).join('');
  }
  return s.split(old).join(repl);
}

function trimCutset(s: string, cutset: string): string {
  // Go decodes a raw byte as utf8.RuneError (U+FFFD): in the cutset or in s, it matches U+FFFD and any raw byte.
  const runeError = (c: string): string => (c.length === 1 && c.charCodeAt(0) >= 0xdc80 && c.charCodeAt(0) <= 0xdcff ? '\ufffd' : c);
  const set = new Set([...cutset].map(runeError));
  const r = [...s];
  let a = 0;
  let b = r.length;
  while (a < b && set.has(runeError(r[a]!))) a++;
  while (b > a && set.has(runeError(r[b - 1]!))) b--;
  return r.slice(a, b).join('');
}

function pathBase(p: string): string {
  if (p === '') return '.';
  let end = p.length;
  while (end > 0 && p[end - 1] === '/') end--;
  const s = p.slice(0, end);
  if (s === '') return '/';
  return s.slice(s.lastIndexOf('/') + 1);
}

function toTime(d: unknown, env: FuncEnv): GoTime {
  if (d instanceof GoTime) return d;
  if (typeof d === 'bigint') return new GoTime(Number(d) * 1000);
  if (d instanceof TypedInt && (d.type === 'int64' || d.type === 'int32')) return new GoTime(Number(d.v) * 1000);
  return env.now();
}

/** reflect.DeepEqual; each comparison is a step (uniq, has and without compare many pairs). */
function deepEqual(a: unknown, b: unknown): boolean {
  meter().step(1);
  if (a === b) return true;
  if (a instanceof JsonNumber && b instanceof JsonNumber) return a.literal === b.literal;
  if (a instanceof TypedInt && b instanceof TypedInt) return a.type === b.type && a.v === b.v;
  if (Array.isArray(a) && Array.isArray(b)) {
    return typeName(a) === typeName(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = mapKeys(a);
    return typeName(a) === typeName(b) && ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

for (const name of ['First', 'Last', 'Rest', 'Initial', 'Reverse', 'Uniq', 'Compact', 'Has', 'Push', 'Append', 'Prepend', 'Slice', 'Without']) {
  const base = sprigFuncs[name[0]!.toLowerCase() + name.slice(1)]!;
  sprigFuncs[`must${name}`] = base;
}

/** Every function name sprig v3 defines; names without an implementation fail when called. */
export const sprigNames = [
  'hello',
  'ago',
  'date',
  'date_in_zone',
  'date_modify',
  'dateInZone',
  'dateModify',
  'duration',
  'durationRound',
  'htmlDate',
  'htmlDateInZone',
  'must_date_modify',
  'mustDateModify',
  'mustToDate',
  'now',
  'toDate',
  'unixEpoch',
  'abbrev',
  'abbrevboth',
  'trunc',
  'trim',
  'upper',
  'lower',
  'title',
  'untitle',
  'substr',
  'repeat',
  'trimall',
  'trimAll',
  'trimSuffix',
  'trimPrefix',
  'nospace',
  'initials',
  'randAlphaNum',
  'randAlpha',
  'randAscii',
  'randNumeric',
  'swapcase',
  'shuffle',
  'snakecase',
  'camelcase',
  'kebabcase',
  'wrap',
  'wrapWith',
  'contains',
  'hasPrefix',
  'hasSuffix',
  'quote',
  'squote',
  'cat',
  'indent',
  'nindent',
  'replace',
  'plural',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'adler32sum',
  'toString',
  'atoi',
  'int64',
  'int',
  'float64',
  'seq',
  'toDecimal',
  'split',
  'splitList',
  'splitn',
  'toStrings',
  'until',
  'untilStep',
  'add1',
  'add',
  'sub',
  'div',
  'mod',
  'mul',
  'randInt',
  'add1f',
  'addf',
  'subf',
  'divf',
  'mulf',
  'biggest',
  'max',
  'min',
  'maxf',
  'minf',
  'ceil',
  'floor',
  'round',
  'join',
  'sortAlpha',
  'default',
  'empty',
  'coalesce',
  'all',
  'any',
  'compact',
  'mustCompact',
  'fromJson',
  'toJson',
  'toPrettyJson',
  'toRawJson',
  'mustFromJson',
  'mustToJson',
  'mustToPrettyJson',
  'mustToRawJson',
  'ternary',
  'deepCopy',
  'mustDeepCopy',
  'typeOf',
  'typeIs',
  'typeIsLike',
  'kindOf',
  'kindIs',
  'deepEqual',
  'env',
  'expandenv',
  'getHostByName',
  'base',
  'dir',
  'clean',
  'ext',
  'isAbs',
  'osBase',
  'osClean',
  'osDir',
  'osExt',
  'osIsAbs',
  'b64enc',
  'b64dec',
  'b32enc',
  'b32dec',
  'tuple',
  'list',
  'dict',
  'get',
  'set',
  'unset',
  'hasKey',
  'pluck',
  'keys',
  'pick',
  'omit',
  'merge',
  'mergeOverwrite',
  'mustMerge',
  'mustMergeOverwrite',
  'values',
  'append',
  'push',
  'mustAppend',
  'mustPush',
  'prepend',
  'mustPrepend',
  'first',
  'mustFirst',
  'rest',
  'mustRest',
  'last',
  'mustLast',
  'initial',
  'mustInitial',
  'reverse',
  'mustReverse',
  'uniq',
  'mustUniq',
  'without',
  'mustWithout',
  'has',
  'mustHas',
  'slice',
  'mustSlice',
  'concat',
  'dig',
  'chunk',
  'mustChunk',
  'bcrypt',
  'htpasswd',
  'genPrivateKey',
  'derivePassword',
  'buildCustomCert',
  'genCA',
  'genCAWithKey',
  'genSelfSignedCert',
  'genSelfSignedCertWithKey',
  'genSignedCert',
  'genSignedCertWithKey',
  'encryptAES',
  'decryptAES',
  'randBytes',
  'uuidv4',
  'semver',
  'semverCompare',
  'fail',
  'regexMatch',
  'mustRegexMatch',
  'regexFindAll',
  'mustRegexFindAll',
  'regexFind',
  'mustRegexFind',
  'regexReplaceAll',
  'mustRegexReplaceAll',
  'regexReplaceAllLiteral',
  'mustRegexReplaceAllLiteral',
  'regexSplit',
  'mustRegexSplit',
  'regexQuoteMeta',
  'urlParse',
  'urlJoin',
  // Helm's `required`, which the conformance harness adds to Go's function map as well.
  'required',
];
