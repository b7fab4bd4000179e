// Go's fmt verbs as templates use them (print, printf, println and the printing of values).
import { hasRawBytes } from './encoding.ts';
import { goQuote } from './lexer.ts';
import { formatTime } from './time.ts';
import { GoComplex, GoTime, JsonNumber, TypedInt, isMap, kindOf, typeName } from './values.ts';
import { CHARS_PER_STEP, SLOW_CHARS_PER_STEP, meter } from './budget.ts';
import { isPrintRune } from './lexer.ts';

/**
 * Budget: every piece formatting produces is counted (`produced`) against maxStringBytes, and padding,
 * precision and hex output are counted *before* they are built, so `%10000000d` stops before it pads.
 */
function produced(units: number, perStep = CHARS_PER_STEP): void {
  meter().produce(units, perStep);
}

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number; // -1 when absent
  prec: number; // -1 when absent
}

const noFlags: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };

/** Digits of a float: `digits` without trailing zeros, decimal point after `dp` digits. */
interface Decimal {
  digits: string;
  dp: number;
}

/** The exact decimal expansion of a finite non-negative double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (exp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = exp - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  const trimmed = digits.replace(/0+$/, '');
  const lead = trimmed.length - trimmed.replace(/^0+/, '').length;
  return { digits: trimmed.slice(lead), dp: dp - lead };
}

/** Rounds to `nd` digits, half to even on the exact value (as strconv does). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: '', dp: 0 };
  if (nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  let up = next > 5;
  if (next === 5) {
    up = nd + 1 < d.digits.length || (nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1);
  }
  let digits = d.digits.slice(0, nd);
  let dp = d.dp;
  if (up) {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === '9') i--;
    if (i < 0) {
      digits = '1';
      dp++;
    } else digits = digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1);
  }
  digits = digits.replace(/0+$/, '');
  return { digits, dp: digits === '' ? 0 : dp };
}

function decimalOf(x: number, sig?: number): Decimal {
  if (sig !== undefined) return roundDecimal(exactDecimal(x), sig);
  const s = x.toExponential();
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)!;
  let digits = (m[1]! + (m[2] ?? '')).replace(/0+$/, '');
  if (digits === '') digits = '0';
  const dp = digits === '0' ? 0 : Number(m[3]) + 1;
  return { digits: digits === '0' ? '' : digits, dp };
}

function fmtE(neg: boolean, d: Decimal, prec: number, e: string): string {
  let s = neg ? '-' : '';
  s += d.digits[0] ?? '0';
  if (prec > 0) {
    s += '.';
    let frac = d.digits.slice(1, 1 + prec);
    frac = frac.padEnd(prec, '0');
    s += frac;
  }
  let exp = d.digits === '' ? 0 : d.dp - 1;
  s += e;
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  return s + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let s = neg ? '-' : '';
  if (d.dp > 0) {
    s += d.digits.slice(0, d.dp).padEnd(d.dp, '0');
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      s += j < 0 || j >= d.digits.length ? '0' : d.digits[j];
    }
  }
  return s;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in e, E, f, g, G. */
export function formatFloat(x: number, fmt: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  const shortest = prec < 0;
  switch (fmt) {
    case 'e':
    case 'E': {
      const d = shortest ? decimalOf(a) : decimalOf(a, prec + 1);
      return fmtE(neg, d, shortest ? Math.max(d.digits.length - 1, 0) : prec, fmt);
    }
    case 'f': {
      if (shortest) {
        const d = decimalOf(a);
        return fmtF(neg, d, Math.max(d.digits.length - d.dp, 0));
      }
      const exact = exactDecimal(a);
      return fmtF(neg, roundDecimal(exact, exact.dp + prec), prec);
    }
    default: {
      let p = prec;
      const d = shortest ? decimalOf(a) : decimalOf(a, p === 0 ? 1 : p);
      if (p === 0) p = 1;
      if (shortest) p = d.digits.length || 1;
      const nd = d.digits.length;
      let eprec = p;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (nd > 0 && (exp < -4 || exp >= eprec)) {
        if (p > nd) p = nd;
        return fmtE(neg, d, p - 1, fmt === 'G' ? 'E' : 'e');
      }
      if (p > d.dp) p = nd;
      return fmtF(neg, d, Math.max(p - d.dp, 0));
    }
  }
}

/** strconv.FormatFloat(x, 'b', -1, 64): 7881299347898368p-51. */
function binaryFloat(x: number): string {
  if (!Number.isFinite(x)) return formatFloat(x, 'g', -1);
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = e - 1075;
  if (e === 0) exp = -1074;
  else mant |= 1n << 52n;
  return `${neg ? '-' : ''}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

/** strconv.FormatFloat(x, 'x', prec, 64): 0x1.8p+01. */
function hexFloat(x: number, prec: number, upper: boolean): string {
  if (!Number.isFinite(x)) return formatFloat(x, 'g', -1);
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let mant = 0n;
  let exp = 0;
  if (a !== 0) {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, a);
    const bits = buf.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    mant = bits & ((1n << 52n) - 1n);
    if (e === 0) {
      exp = -1022;
      while (mant < 1n << 52n) {
        mant <<= 1n;
        exp--;
      }
    } else {
      mant |= 1n << 52n;
      exp = e - 1023;
    }
  }
  // mant is 1.xxxx (53 bits) scaled by 2^52; round to `prec` hex digits when asked.
  let frac = mant & ((1n << 52n) - 1n);
  let lead = mant >> 52n;
  let digits: string;
  if (prec >= 0 && prec < 13) {
    const shift = BigInt(52 - 4 * prec);
    let q = mant >> shift;
    const rem = mant & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
    if (q >> BigInt(4 * prec) >= 2n) {
      q >>= 1n;
      exp++;
    }
    lead = q >> BigInt(4 * prec);
    frac = q & ((1n << BigInt(4 * prec)) - 1n);
    digits = prec === 0 ? '' : frac.toString(16).padStart(prec, '0');
  } else {
    digits = frac.toString(16).padStart(13, '0').replace(/0+$/, '');
    if (prec > 13) digits = digits.padEnd(prec, '0');
  }
  if (a === 0) lead = 0n;
  const e = Math.abs(exp);
  let s = `${neg ? '-' : ''}0x${lead}${digits ? '.' + digits : ''}p${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  if (upper) s = s.toUpperCase();
  return s;
}

function pad(s: string, f: Flags, zeroOK = false): string {
  if (f.width < 0 || s.length >= f.width * 2) return s;
  const n = [...s].length;
  if (n >= f.width) return s;
  const fill = f.width - n;
  produced(fill);
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && zeroOK) {
    const sign = s[0] === '-' || s[0] === '+' || s[0] === ' ' ? s[0] : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  // Go pads non-numbers with zeros too when asked to (%05s).
  return (f.zero ? '0' : ' ').repeat(fill) + s;
}

function fmtInteger(v: bigint, verb: string, f: Flags, unsigned: boolean): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  let digits: string;
  switch (verb) {
    case 'd':
    case 'v':
      digits = a.toString(10);
      break;
    case 'b':
      digits = a.toString(2);
      break;
    case 'o':
    case 'O':
      digits = a.toString(8);
      break;
    case 'x':
      digits = a.toString(16);
      break;
    case 'X':
      digits = a.toString(16).toUpperCase();
      break;
    // fmt converts to uint64 first: a negative value is a huge code point, hence U+FFFD for %c and %q.
    case 'c':
      return pad(String.fromCodePoint(validRune(v)), f);
    case 'q':
      return pad(f.plus ? asciiQuote(String.fromCodePoint(validRune(v)), "'") : goQuote(String.fromCodePoint(validRune(v)), "'"), f);
    case 'U': {
      const u = BigInt.asUintN(64, v);
      let s = 'U+' + u.toString(16).toUpperCase().padStart(4, '0');
      if (f.sharp && u <= 0x10ffffn && isPrintRune(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
      return pad(s, f);
    }
    default:
      return '';
  }
  if (f.prec >= 0) {
    if (f.prec === 0 && a === 0n) digits = '';
    if (f.prec > digits.length) produced(f.prec - digits.length);
    digits = digits.padStart(f.prec, '0');
  } else if (f.zero && !f.minus && f.width > 0) {
    let w = f.width;
    if (w > digits.length) produced(w - digits.length);
    if (neg || f.plus || f.space) w--;
    if (f.sharp && (verb === 'x' || verb === 'X' || verb === 'b')) w -= 2;
    if (f.sharp && verb === 'o') w--;
    if (verb === 'O') w -= 2;
    digits = digits.padStart(w, '0');
  }
  if (f.sharp) {
    if (verb === 'x') digits = '0x' + digits;
    else if (verb === 'X') digits = '0X' + digits;
    else if (verb === 'b') digits = '0b' + digits;
    else if (verb === 'o' && digits[0] !== '0') digits = '0' + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  let sign = '';
  if (neg) sign = '-';
  else if (f.plus) sign = '+';
  else if (f.space) sign = ' ';
  void unsigned;
  return pad(sign + digits, { ...f, zero: false });
}

/** utf8.ValidRune of a value converted to a rune as fmt does (uint64 first), else U+FFFD. */
function validRune(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  if (u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn)) return 0xfffd;
  return Number(u);
}

/** fmt's '#' on a float (fmt.fmtFloat): a decimal point always, and %g/%v/%x keep zeros to their precision (6 by default). */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let tail = '';
  let hasDecimalPoint = false;
  let sawNonzeroDigit = false;
  const start = num[0] === '-' || num[0] === '+' ? 1 : 0;
  for (let i = start; i < num.length; i++) {
    const c = num[i]!;
    if (c === '.') hasDecimalPoint = true;
    else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzeroDigit = true;
      if (sawNonzeroDigit) digits--;
    }
  }
  if (!hasDecimalPoint) {
    if (num.length - start === 1 && num[start] === '0') digits--;
    num += '.';
  }
  while (digits-- > 0) num += '0';
  return num + tail;
}

function fmtFloatVerb(x: number, verb: string, f: Flags): string {
  // Digits past the precision are built one by one: count them first.
  if (f.prec > 0) produced(f.prec, SLOW_CHARS_PER_STEP);
  let s: string;
  switch (verb) {
    case 'v':
      s = formatFloat(x, 'g', f.prec);
      break;
    case 'g':
    case 'G':
      s = formatFloat(x, verb, f.prec);
      break;
    case 'e':
    case 'E':
    case 'f':
      s = formatFloat(x, verb, f.prec < 0 ? 6 : f.prec);
      break;
    case 'F':
      s = formatFloat(x, 'f', f.prec < 0 ? 6 : f.prec);
      break;
    case 'x':
    case 'X':
      s = hexFloat(x, f.prec, verb === 'X');
      break;
    case 'b':
      s = binaryFloat(x);
      break;
    default:
      return '';
  }
  if (f.sharp && verb !== 'b' && !/Inf|NaN/.test(s)) s = sharpFloat(s, verb === 'v' ? 'g' : verb === 'F' ? 'f' : verb, f.prec);
  if (f.plus && s[0] !== '-' && s[0] !== '+') s = '+' + s;
  else if (f.space && s[0] !== '-') s = ' ' + s;
  if (s === 'NaN' || s.endsWith('Inf')) return pad(s, { ...f, zero: false });
  return pad(s, f, true);
}

function hexString(s: string, upper: boolean, f: Flags): string {
  const bytes = utf8Bytes(s);
  const n = bytes.length;
  produced(n === 0 ? 0 : 2 * n + (f.space ? n - 1 : 0) + (f.sharp ? (f.space ? 2 * n : 2) : 0), SLOW_CHARS_PER_STEP);
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (f.space && i > 0) out += ' ';
    if (f.sharp && (f.space || i === 0)) out += upper ? '0X' : '0x';
    const h = bytes[i]!.toString(16).padStart(2, '0');
    out += upper ? h.toUpperCase() : h;
  }
  return out;
}

/** Go's string comparison: byte by byte (strings holding raw bytes, whose engine form does not sort as bytes). */
function compareBytes(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xdc80 && c <= 0xdcff) {
      out.push(c & 0xff);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** The first `n` code points of `s` (a precision), scanning no further. */
function firstRunes(s: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return s.slice(0, i);
}

function fmtStringVerb(s: string, verb: string, f: Flags): string | undefined {
  switch (verb) {
    case 'v':
    case 's': {
      const r = f.prec >= 0 ? firstRunes(s, f.prec) : s;
      return pad(r, f);
    }
    case 'q': {
      const r = f.prec >= 0 ? firstRunes(s, f.prec) : s;
      // Quoting looks at every code point: charged on its input too.
      meter().work(r.length, SLOW_CHARS_PER_STEP);
      if (f.sharp && canBackquote(r)) return pad('`' + r + '`', f);
      return pad(f.plus ? asciiQuote(r) : goQuote(r), f);
    }
    case 'x':
    case 'X':
      return pad(hexString(f.prec >= 0 ? firstRunes(s, f.prec) : s, verb === 'X', f), f);
  }
  return undefined;
}

/** strconv.CanBackquote: no control character but tab, no backquote, no BOM, no raw byte; other multi-byte runes are fine. */
function canBackquote(s: string): boolean {
  for (const c of s) {
    const r = c.codePointAt(0)!;
    if (r === 0xfeff || (r >= 0xd800 && r <= 0xdfff)) return false;
    if ((r < 0x20 && r !== 9) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

function asciiQuote(s: string, quote = '"'): string {
  const q = goQuote(s, quote);
  return q.replace(/[^\x00-\x7f]/gu, (c) => {
    const cp = c.codePointAt(0)!;
    return cp < 0x10000 ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0');
  });
}

/** The %v text of a time.Time (its String method). */
function timeString(t: GoTime): string {
  return formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST');
}

function badVerb(v: unknown, verb: string, f: Flags = noFlags, depth = 1): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', f, depth + 1)})`;
}

/**
 * A lexer item passed to an error format, as Go passes its item struct: %s and %v print the item's
 * String(), any other verb prints the struct's fields (which only a template name containing % causes).
 */
export class ItemArg {
  constructor(
    readonly text: string,
    readonly typ: number,
    readonly bytePos: number,
    readonly val: string,
    readonly line: number,
  ) {}
}

/**
 * Formats one operand with one verb, as fmt's printArg/printValue do. `depth` is 0 for an operand and
 * grows for the elements of lists and maps; the budget tally of produced bytes restarts at depth 0.
 */
export function formatValue(v: unknown, verb: string, f: Flags, depth: number): string {
  const m = meter();
  if (depth === 0) m.fmtBytes = 0;
  // Each value formatted is a step (a list's elements are values too).
  m.step(1);
  const s = formatOne(v, verb, f, depth);
  // Lists and maps count their own brackets and separators; their elements were counted as leaves.
  if (!Array.isArray(v) && !isMap(v)) produced(s.length, verb === 'q' || verb === 'x' || verb === 'X' ? SLOW_CHARS_PER_STEP : CHARS_PER_STEP);
  return s;
}

function formatOne(v: unknown, verb: string, f: Flags, depth: number): string {
  if (v instanceof ItemArg) {
    if (verb === 's' || verb === 'v') return pad(v.text, f);
    return `{%!${verb}(parse.itemType=${v.typ}) %!${verb}(parse.Pos=${v.bytePos}) %!${verb}(string=${v.val}) %!${verb}(int=${v.line})}`;
  }
  // %w prints an error operand like %v.
  if (verb === 'w') verb = 'v';
  if (verb === 'T') return pad(v === undefined || v === null ? '<nil>' : typeName(v), f);
  if (v === undefined || v === null) {
    if (verb === 'v') return pad('<nil>', f);
    return badVerb(v, verb, f);
  }
  switch (typeof v) {
    case 'string':
      return fmtStringVerb(v, verb, f) ?? badVerb(v, verb, f);
    case 'boolean':
      if (verb === 't' || verb === 'v') return pad(v ? 'true' : 'false', f);
      return badVerb(v, verb, f);
    case 'bigint':
      return fmtInteger(v, verb, f, false) || badVerb(v, verb, f);
    case 'number':
      return fmtFloatVerb(v, verb, f) || badVerb(v, verb, f);
  }
  if (v instanceof JsonNumber) return fmtStringVerb(v.literal, verb, f) ?? badVerb(v, verb, f);
  if (v instanceof GoComplex) {
    if (!'vbgGxXfFeE'.includes(verb)) return badVerb(v, verb, f);
    const re = fmtFloatVerb(v.re, verb, { ...f, width: -1 });
    const im = fmtFloatVerb(v.im, verb, { ...f, width: -1, plus: true });
    return pad('(' + re + im + 'i)', f);
  }
  if (v instanceof TypedInt) return fmtInteger(v.v, verb, f, v.type.startsWith('u')) || badVerb(v, verb, f);
  if (v instanceof GoTime) {
    if ('vsxXq'.includes(verb)) return fmtStringVerb(timeString(v), verb, f) ?? badVerb(v, verb, f);
    return badVerb(v, verb, f);
  }
  if (Array.isArray(v)) {
    produced(v.length + 2);
    const parts = v.map((e) => (e === null || e === undefined ? '<nil>' : formatValue(e, verb, f, depth + 1)));
    return '[' + parts.join(' ') + ']';
  }
  if (isMap(v)) {
    const keys = Object.keys(v);
    produced(2 * keys.length + 5);
    keys.sort(compareStrings);
    const parts = keys.map((k) => {
      const e = v[k];
      const ks = formatValue(k, verb, f, depth + 1);
      return ks + ':' + (e === null || e === undefined ? '<nil>' : formatValue(e, verb, f, depth + 1));
    });
    return 'map[' + parts.join(' ') + ']';
  }
  return badVerb(v, verb, f);
}

/** Byte-wise string order, as Go sorts strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (hasRawBytes(a) || hasRawBytes(b)) return compareBytes(utf8Bytes(a), utf8Bytes(b));
  // UTF-16 order differs from UTF-8 byte order only for surrogate pairs vs U+E000..U+FFFF.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

function isStringKind(v: unknown): boolean {
  return kindOf(v) === 'string';
}

/** Refuses a result of `units` UTF-16 units (a lower bound of its UTF-8 size) past maxStringBytes. */
function checkTotal(units: number): void {
  const m = meter();
  if (units > m.limits.maxStringBytes) m.string(units);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (i > 0 && !isStringKind(a) && !isStringKind(args[i - 1])) out += ' ';
    const s = formatValue(a, 'v', noFlags, 0);
    checkTotal(out.length + s.length);
    out += s;
  }
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  const parts: string[] = [];
  let units = 0;
  for (const a of args) {
    const s = formatValue(a, 'v', noFlags, 0);
    checkTotal((units += s.length + 1));
    parts.push(s);
  }
  return parts.join(' ') + '\n';
}

/**
 * fmt.parsenum: digits at s[start:end]; a number past 1e6 before its last digit is "crazy long" and
 * ends the format (newi = end), as in Go.
 */
function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (num > 1e6 || num < -1e6) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

/** fmt.Sprintf, following fmt.(*pp).doPrintf step by step. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  const end = format.length;
  let argNum = 0;
  let afterIndex: boolean;
  let reordered = false;
  let goodArgNum: boolean;

  // fmt.(*pp).argNumber: an explicit [n] index at format[i].
  const argNumber = (i: number): [number, boolean] => {
    if (i >= end || format[i] !== '[') return [i, false];
    reordered = true;
    let wid = 1;
    let ok = false;
    let index = 0;
    if (end - i >= 3) {
      const close = format.indexOf(']', i + 1);
      if (close >= 0) {
        wid = close - i + 1;
        const [n, isnum, newi] = parsenum(format, i + 1, close);
        if (isnum && newi === close) {
          ok = true;
          index = n - 1;
        }
      }
    }
    if (ok && index >= 0 && index < args.length) {
      argNum = index;
      return [i + wid, true];
    }
    goodArgNum = false;
    return [i + wid, ok];
  };
  const intFromArg = (): [number, boolean] => {
    if (argNum >= args.length) return [0, false];
    const a = args[argNum++];
    const n = intOf(a);
    if (n === undefined || Math.abs(n) > 1e6) return [0, false];
    return [n, true];
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++;
    const f: Flags = { plus: false, minus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = true;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    [i, afterIndex] = argNumber(i);
    if (i < end && format[i] === '*') {
      i++;
      const [w, ok] = intFromArg();
      if (!ok) out += '%!(BADWIDTH)';
      else {
        f.width = Math.abs(w);
        if (w < 0) {
          f.minus = true;
          f.zero = false;
        }
      }
      afterIndex = false;
    } else {
      const [w, ok, ni] = parsenum(format, i, end);
      i = ni;
      if (ok) f.width = w;
      if (afterIndex && ok) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      [i, afterIndex] = argNumber(i);
      if (i < end && format[i] === '*') {
        i++;
        const [pr, ok] = intFromArg();
        if (!ok || pr < 0) {
          f.prec = -1;
          out += '%!(BADPREC)';
        } else f.prec = pr;
        afterIndex = false;
      } else {
        const [pr, ok, ni] = parsenum(format, i, end);
        i = ni;
        f.prec = ok ? pr : 0;
      }
    }
    if (!afterIndex) [i] = argNumber(i);
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argNum++];
    if (f.minus) f.zero = false;
    if (verb === 'v') {
      // %+v is %v for everything a template can hold; %#v is Go syntax.
      f.plus = false;
      if (f.sharp) {
        meter().fmtBytes = 0;
        const g = pad(goSyntax(a, true), { ...f, sharp: false });
        checkTotal(out.length + g.length);
        out += g;
        continue;
      }
    }
    const s = formatValue(a, verb, f, 0);
    checkTotal(out.length + s.length);
    out += s;
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ';
    out += args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a, 'v', noFlags, 0)}`))
      .join(', ');
    out += ')';
  }
  return out;
}

/** %#v: the value as Go source. */
function goSyntax(v: unknown, top: boolean): string {
  meter().step(1);
  if (Array.isArray(v)) produced(v.length + 20);
  else if (isMap(v)) produced(Object.keys(v).length + 20);
  const s = goSyntaxOne(v, top);
  if (!Array.isArray(v) && !isMap(v)) produced(s.length, SLOW_CHARS_PER_STEP);
  return s;
}

function goSyntaxOne(v: unknown, top: boolean): string {
  if (v === undefined || v === null) return top ? '<nil>' : 'interface {}(nil)';
  switch (typeof v) {
    case 'string':
      return goQuote(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloat(v, 'g', -1);
  }
  if (v instanceof JsonNumber) return goQuote(v.literal);
  if (v instanceof TypedInt) return v.type.startsWith('u') ? '0x' + v.v.toString(16) : v.v.toString();
  if (Array.isArray(v)) return typeName(v) + '{' + v.map((e) => goSyntax(e, false)).join(', ') + '}';
  if (isMap(v)) {
    const keys = Object.keys(v).sort(compareStrings);
    return typeName(v) + '{' + keys.map((k) => goQuote(k) + ':' + goSyntax(v[k], false)).join(', ') + '}';
  }
  return formatValue(v, 'v', noFlags, 0);
}

function intOf(a: unknown): number | undefined {
  if (typeof a === 'bigint') return Number(a);
  if (a instanceof TypedInt) return Number(a.v);
  return undefined;
}
