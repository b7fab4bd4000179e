// text/template's predefined functions.
import { compareStrings, formatValue, sprint, sprintf, sprintln, utf8Bytes } from './fmt.ts';
import { FuncError, type TemplateFunc } from './functions.ts';
import { type GoComplex, GoTime, JsonNumber, TypedInt, isMap, kindOf, stringMaps, typeName } from './values.ts';
import { isTrue } from './exec.ts';
import { utf8Encode } from './encoding.ts';
import { SLOW_CHARS_PER_STEP, mapKeys, meter, utf8Length } from './budget.ts';

/** Charges a per-character pass over `s`. */
function charged(s: string): string {
  meter().work(s.length, SLOW_CHARS_PER_STEP);
  return s;
}

const noFlags = { plus: false, minus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };

/** Go's indirectInterface: a nil interface is "no value". */
function ind(v: unknown): unknown {
  return v === null ? undefined : v;
}

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  if (typeof index === 'bigint') x = index;
  else if (index instanceof TypedInt) x = index.v;
  else if (index === undefined || index === null) throw new FuncError('cannot index slice/array with nil');
  else throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index([item0, ...indexes]: unknown[]): unknown {
  let item = ind(item0);
  if (item === undefined) throw new FuncError('index of untyped nil');
  for (const idx0 of indexes) {
    const idx = ind(idx0);
    if (item === null) throw new FuncError('index of nil pointer');
    const k = kindOf(item);
    if (k === 'slice') {
      const arr = item as unknown[];
      const x = indexArg(idx, arr.length);
      if (x >= arr.length) throw new FuncError('reflect: slice index out of range');
      item = arr[x];
    } else if (k === 'string') {
      const s = item instanceof JsonNumber ? item.literal : (item as string);
      const len = utf8Length(s);
      const x = indexArg(idx, len);
      if (x >= len) throw new FuncError('reflect: string index out of range');
      item = new TypedInt('uint8', BigInt(byteAt(s, x)));
    } else if (k === 'map') {
      const m = item as Record<string, unknown>;
      if (idx === undefined) throw new FuncError('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new FuncError(`value has type ${typeName(idx)}; should be string`);
      item = Object.hasOwn(m, idx) ? m[idx] : stringMaps.has(m) ? '' : null;
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

/** The byte at UTF-8 offset `x` of `s`, without encoding all of `s`. */
function byteAt(s: string, x: number): number {
  let off = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      if (x === off) return c & 0xff;
      off++;
      continue;
    } else if (c >= 0xdc00 && c <= 0xdfff) c = 0xfffd;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (x < off + n) return utf8Bytes(String.fromCodePoint(c))[x - off]!;
    off += n;
  }
  return 0;
}

function length([item]: unknown[]): unknown {
  if (item === null) throw new FuncError('len of nil pointer');
  if (item === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return BigInt(utf8Length(item));
  if (item instanceof JsonNumber) return BigInt(item.literal.length);
  if (Array.isArray(item)) return BigInt(item.length);
  if (isMap(item)) return BigInt(mapKeys(item).length);
  throw new FuncError(`len of type ${typeName(item)}`);
}

type BasicKind = 'invalid' | 'bool' | 'int' | 'uint' | 'float' | 'complex' | 'string';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  switch (k) {
    case 'bool':
    case 'int':
    case 'uint':
    case 'float':
    case 'complex':
    case 'string':
      return k;
  }
  return 'invalid';
}

function asInt(v: unknown): bigint {
  return v instanceof TypedInt ? v.v : (v as bigint);
}
function asString(v: unknown): string {
  return v instanceof JsonNumber ? v.literal : (v as string);
}

function show(v: unknown): string {
  return formatValue(v, 'v', noFlags, 0);
}

function showS(v: unknown): string {
  return formatValue(v, 's', noFlags, 0);
}

function eqTwo(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return asInt(a) >= 0n && asInt(a) === asInt(b);
    if (k1 === 'uint' && k2 === 'int') return asInt(b) >= 0n && asInt(a) === asInt(b);
    if (a !== undefined && b !== undefined) {
      throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    }
    return false;
  }
  switch (k1) {
    case 'bool':
      return a === b;
    case 'float':
      return a === b;
    case 'complex':
      return (a as GoComplex).re === (b as GoComplex).re && (a as GoComplex).im === (b as GoComplex).im;
    case 'int':
    case 'uint':
      return asInt(a) === asInt(b);
    case 'string':
      return asString(a) === asString(b);
  }
  // Neither is a basic kind.
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!(ka === kb || ka === 'invalid' || kb === 'invalid')) {
    throw new FuncError(`non-comparable types ${showS(a)}: ${typeName(a)}, ${typeName(b)}: ${show(b)}`);
  }
  if (a === undefined || b === undefined) return a === b;
  if (ka === 'slice' || ka === 'map') throw new FuncError(`non-comparable type ${showS(b)}: ${typeName(b)}`);
  if (a instanceof GoTime && b instanceof GoTime) return a.ms === b.ms && a.nanos === b.nanos;
  return a === b;
}

function eq([a0, ...rest]: unknown[]): boolean {
  const a = ind(a0);
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  for (const b of rest) if (eqTwo(a, ind(b))) return true;
  return false;
}

function lt(a0: unknown, b0: unknown): boolean {
  const a = ind(a0);
  const b = ind(b0);
  const k1 = basicKind(a);
  if (k1 === 'invalid') throw new FuncError('invalid type for comparison');
  const k2 = basicKind(b);
  if (k2 === 'invalid') throw new FuncError('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return asInt(a) < 0n || asInt(a) < asInt(b);
    if (k1 === 'uint' && k2 === 'int') return asInt(b) >= 0n && asInt(a) < asInt(b);
    throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  }
  switch (k1) {
    case 'bool':
    case 'complex':
      throw new FuncError('invalid type for comparison');
    case 'float':
      return (a as number) < (b as number);
    case 'int':
    case 'uint':
      return asInt(a) < asInt(b);
    default: {
      const x = asString(a);
      const y = asString(b);
      return compareStrings(x, y) < 0; // Go compares bytes (UTF-16 order differs for astral and raw bytes)
    }
  }
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq([a, b]);
}

/** template.HTMLEscapeString, with native replaceAll passes (a per-character callback is slow). */
function htmlEscape(s: string): string {
  if (!/[\0"'&<>]/.test(s)) return s;
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('\0', '\uFFFD')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else if (c < 0x80) out += ch;
    else if (c >= 0xdc80 && c <= 0xdcff)
      out += ch; // a raw byte decodes to RuneError, printable: written as is
    else if (/^[\p{C}\p{Z}]$/u.test(ch)) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}

/** url.QueryEscape's output for each byte. */
const queryBytes: string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
  if (c === ' ') return '+';
  return '%' + b.toString(16).toUpperCase().padStart(2, '0');
});

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  const parts: string[] = [];
  for (const b of utf8Encode(s)) parts.push(queryBytes[b]!);
  return parts.join('');
}

/** text/template's evalArgs: one string as is, anything else through fmt.Sprint. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

export const builtins: Record<string, TemplateFunc> = {
  and: { params: ['value'], variadic: 'value', special: 'and', fn: () => undefined },
  or: { params: ['value'], variadic: 'value', special: 'or', fn: () => undefined },
  call: { params: ['value'], variadic: 'value', special: 'call', fn: () => undefined },
  not: { params: ['value'], fn: ([a]) => !isTrue(a)[0] },
  // Escapers grow their input by a bounded factor; the executor checks what they return.
  html: { params: [], variadic: 'any', fn: (args) => htmlEscape(charged(evalArgs(args))) },
  js: { params: [], variadic: 'any', fn: (args) => jsEscape(charged(evalArgs(args))) },
  // Escaped byte by byte, each byte a string of its own.
  urlquery: { params: [], variadic: 'any', fn: (args) => queryEscape(charged(charged(evalArgs(args)))) },
  index: { params: ['value'], variadic: 'value', slow: true, fn: index },
  // Counting a string's UTF-8 bytes is a loop over its characters.
  len: { params: ['value'], slow: true, fn: length },
  print: { params: [], variadic: 'any', fn: (args) => sprint(args) },
  println: { params: [], variadic: 'any', fn: (args) => sprintln(args) },
  printf: { params: ['string'], variadic: 'any', fn: ([f, ...args]) => sprintf(f as string, args) },
  eq: { params: ['value'], variadic: 'value', fn: eq },
  ne: { params: ['value', 'value'], fn: ([a, b]) => !eq([a, b]) },
  lt: { params: ['value', 'value'], fn: ([a, b]) => lt(a, b) },
  le: { params: ['value', 'value'], fn: ([a, b]) => le(a, b) },
  gt: { params: ['value', 'value'], fn: ([a, b]) => !le(a, b) },
  ge: { params: ['value', 'value'], fn: ([a, b]) => !lt(a, b) },
};
