// Go's strconv rules for the literals a template may contain.
import { normalizeBytes } from './encoding.ts';

function lower(c: string): string {
  return c.toLowerCase();
}

/** Go's underscoreOK: underscores only between digits or after a base prefix. */
function underscoreOK(s0: string): boolean {
  let s = s0;
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(lower(s[1]!))) {
    i = 2;
    saw = '0';
    hex = lower(s[1]!) === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

/** strconv.ParseUint(s, 0, 64); null on any error. */
export function parseUint0(s: string): bigint | null {
  if (s.length === 0) return null;
  let base = 10;
  let body = s;
  if (s[0] === '0') {
    if (s.length >= 3 && lower(s[1]!) === 'b') {
      base = 2;
      body = s.slice(2);
    } else if (s.length >= 3 && lower(s[1]!) === 'o') {
      base = 8;
      body = s.slice(2);
    } else if (s.length >= 3 && lower(s[1]!) === 'x') {
      base = 16;
      body = s.slice(2);
    } else {
      base = 8;
      body = s.slice(1);
    }
  }
  let n = 0n;
  let underscores = false;
  let digits = 0;
  for (const c of body) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return null;
    n = n * BigInt(base) + BigInt(d);
    digits++;
    if (n > U64_MAX) return null;
  }
  if (digits === 0 && !(base === 8 && s === '0')) {
    if (!(s === '0')) return null;
  }
  if (underscores && !underscoreOK(s)) return null;
  return n;
}

/** strconv.ParseInt(s, 0, 64); null on any error. */
export function parseInt0(s: string): bigint | null {
  if (s.length === 0) return null;
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    body = s.slice(1);
  }
  const u = parseUint0(body);
  if (u === null) return null;
  if (!neg && u > I64_MAX) return null;
  if (neg && u > I64_MAX + 1n) return null;
  return neg ? -u : u;
}

/** strconv.ParseFloat(s, 64); null on syntax or range error. */
export function parseFloat64(s: string): number | null {
  let body = s;
  let sign = 1;
  if (body[0] === '+' || body[0] === '-') {
    sign = body[0] === '-' ? -1 : 1;
    body = body.slice(1);
  }
  const lowerBody = body.toLowerCase();
  if (lowerBody === 'inf' || lowerBody === 'infinity') return sign * Infinity;
  if (lowerBody === 'nan') return NaN;
  if (body.includes('_')) {
    if (!underscoreOK(s)) return null;
    body = body.replaceAll('_', '');
  }
  let v: number;
  if (/^0[xX]/.test(body)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(body);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
    const mant = (m[1] ?? '') + (m[2] ?? '');
    let x = 0;
    for (const c of mant) x = x * 16 + parseInt(c, 16);
    v = x * Math.pow(2, Number(m[3]) - 4 * (m[2] ?? '').length);
  } else {
    // (No `[0-9]+\.?[0-9]*`: its overlapping quantifiers backtrack quadratically on long digit runs.)
    if (!/^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(body)) return null;
    v = Number(body);
  }
  if (!Number.isFinite(v)) return null;
  return sign * v;
}

/** strconv.UnquoteChar-style decoding of one escape at s[i] (after the backslash). */
function unescape(s: string, i: number, quote: string): [string, number] | null {
  const c = s[i];
  switch (c) {
    case 'a':
      return ['\x07', i + 1];
    case 'b':
      return ['\b', i + 1];
    case 'f':
      return ['\f', i + 1];
    case 'n':
      return ['\n', i + 1];
    case 'r':
      return ['\r', i + 1];
    case 't':
      return ['\t', i + 1];
    case 'v':
      return ['\v', i + 1];
    case '\\':
      return ['\\', i + 1];
    case "'":
    case '"':
      if (c !== quote) return null;
      return [c, i + 1];
    case 'x':
    case 'u':
    case 'U': {
      const n = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const hex = s.slice(i + 1, i + 1 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return null;
      const v = parseInt(hex, 16);
      if (c !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) return null;
      return [String.fromCodePoint(v), i + 1 + n];
    }
    default:
      if (c !== undefined && c >= '0' && c <= '7') {
        const oct = s.slice(i, i + 3);
        if (!/^[0-7]{3}$/.test(oct)) return null;
        const v = parseInt(oct, 8);
        if (v > 255) return null;
        return [String.fromCodePoint(v), i + 3];
      }
      return null;
  }
}

/** strconv.Unquote for "...", `...` and '...'; null means "invalid syntax". */
export function unquote(s: string): string | null {
  if (s.length < 2) return null;
  const q = s[0]!;
  if (q !== s[s.length - 1]) return null;
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) return null;
    return body.replaceAll('\r', '');
  }
  if (q !== '"' && q !== "'") return null;
  let out = '';
  let raw = false;
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === q || c === '\n') return null;
    if (c === '\\') {
      const r = unescape(body, i + 1, q);
      if (!r) return null;
      const e = body[i + 1]!;
      // In a string, \x and octal escapes are bytes: one above 0x7f is a raw byte (engine form U+DC00 + byte).
      if (q === '"' && (e === 'x' || (e >= '0' && e <= '7')) && r[0].charCodeAt(0) >= 0x80) {
        out += String.fromCharCode(0xdc00 + r[0].charCodeAt(0));
        raw = true;
      } else out += r[0];
      i = r[1];
      continue;
    }
    out += c;
    i++;
  }
  if (q === "'" && [...out].length !== 1) return null;
  // Escaped bytes that form valid UTF-8 ("\xc3\xa9") are that character, as in Go.
  return raw ? normalizeBytes(out) : out;
}

/** Decodes a character constant ('a', '\n'); returns the code point or an error message. */
export function unquoteChar(text: string): number | string {
  const body = text.slice(1);
  let r: number;
  let rest: number;
  if (body[0] === '\\') {
    const e = unescape(body, 1, "'");
    if (!e) return 'invalid syntax';
    r = e[0].codePointAt(0)!;
    rest = e[1];
  } else {
    const cp = body.codePointAt(0);
    if (cp === undefined || body[0] === "'") return 'invalid syntax';
    r = cp;
    rest = cp > 0xffff ? 2 : 1;
  }
  if (body.slice(rest) !== "'") return `malformed character constant: ${text}`;
  return r;
}
