// JSON in and out the way Go's encoding/json does it.
import { formatFloat } from './fmt.ts';
import { compareStrings } from './fmt.ts';
import { timeJson } from './time.ts';
import { GoTime, JsonNumber, TypedInt, isMap, typeName } from './values.ts';
import { BudgetError, SLOW_CHARS_PER_STEP, meter } from './budget.ts';

/**
 * Parses JSON text. With `useNumber` numbers become JsonNumber holding their literal (as
 * json.Decoder.UseNumber keeps them); otherwise float64 (JS numbers), as json.Unmarshal does.
 * Throws SyntaxError on invalid input, BudgetError past `maxItems` values in all.
 */
export function parseJson(text: string, useNumber = true, maxItems = Infinity): unknown {
  let i = 0;
  let items = 0;
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at offset ${i}`);
  };
  const value = (): unknown => {
    if (++items > maxItems) throw new BudgetError(`JSON would have more than ${maxItems} values (maxCollectionItems)`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        obj[k] = value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail();
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r) fail();
    i += r![0].length;
    if (useNumber) return new JsonNumber(r![0]);
    // json.Unmarshal leaves an out-of-range number as nil (and reports an error sprig ignores).
    const n = Number(r![0]);
    return Number.isFinite(n) ? n : null;
  };
  const str = (): string => {
    const m = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r) fail();
    i += r![0].length;
    return JSON.parse(r![0]) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}

function quoteJson(s: string, escapeHTML: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20) {
      switch (c) {
        case 8:
          rep = '\\b';
          break;
        case 12:
          rep = '\\f';
          break;
        case 10:
          rep = '\\n';
          break;
        case 13:
          rep = '\\r';
          break;
        case 9:
          rep = '\\t';
          break;
        default:
          rep = '\\u00' + c.toString(16).padStart(2, '0');
      }
    } else if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) rep = '\\u00' + c.toString(16);
    else if (c === 0x2028 || c === 0x2029) rep = '\\u' + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      rep = '\\ufffd';
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

class JsonError extends Error {}

function validNumber(s: string): boolean {
  return /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(s);
}

/** Go's encoder checks for cycles only below this many nested maps and slices. */
const START_DETECTING_CYCLES_AFTER = 1000;

interface EncodeState {
  escapeHTML: boolean;
  indent: string;
  /** UTF-16 units produced so far, bounded by maxStringBytes (a lower bound of the UTF-8 size). */
  units: number;
  maxUnits: number;
  level: number;
  seen: Set<object>;
}

function produced(st: EncodeState, s: string): string {
  grow(st, s.length);
  if (s.length >= SLOW_CHARS_PER_STEP) meter().work(s.length, SLOW_CHARS_PER_STEP);
  return s;
}

function grow(st: EncodeState, units: number): void {
  st.units += units;
  if (st.units > st.maxUnits) meter().string(st.units);
}

function encode(v: unknown, st: EncodeState, prefix: string): string {
  meter().step(1);
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return produced(st, quoteJson(v, st.escapeHTML));
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number': {
      if (!Number.isFinite(v)) throw new JsonError(`json: unsupported value: ${formatFloat(v, 'g', -1)}`);
      if (Object.is(v, -0)) return '-0';
      return String(v);
    }
  }
  if (v instanceof JsonNumber) {
    const s = v.literal === '' ? '0' : v.literal;
    if (!validNumber(s)) throw new JsonError(`json: invalid number literal ${JSON.stringify(s)}`);
    return produced(st, s);
  }
  if (v instanceof TypedInt) return v.v.toString();
  if (v instanceof GoTime) return quoteJson(timeJson(v), st.escapeHTML);
  const indent = st.indent;
  const inner = prefix + indent;
  if (!Array.isArray(v) && !isMap(v)) throw new JsonError(`json: unsupported type`);
  // Maps and slices can only be cyclic through `set`; Go reports the cycle once nesting passes 1000.
  if (++st.level > START_DETECTING_CYCLES_AFTER) {
    if (st.seen.has(v)) throw new JsonError(`json: unsupported value: encountered a cycle via ${typeName(v)}`);
    st.seen.add(v);
  }
  try {
    // Indentation and separators count too: `inner` is repeated once per element.
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      grow(st, (inner.length + 2) * v.length);
      const parts = v.map((e) => encode(e, st, inner));
      if (!indent) return '[' + parts.join(',') + ']';
      return '[\n' + parts.map((p) => inner + p).join(',\n') + '\n' + prefix + ']';
    }
    const keys = Object.keys(v).sort(compareStrings);
    if (keys.length === 0) return '{}';
    grow(st, (inner.length + 4) * keys.length);
    const parts = keys.map((k) => produced(st, quoteJson(k, st.escapeHTML)) + (indent ? ': ' : ':') + encode(v[k], st, inner));
    if (!indent) return '{' + parts.join(',') + '}';
    return '{\n' + parts.map((p) => inner + p).join(',\n') + '\n' + prefix + '}';
  } finally {
    if (st.level-- > START_DETECTING_CYCLES_AFTER) st.seen.delete(v);
  }
}

/**
 * json.Marshal / MarshalIndent(v, "", indent); throws JsonError on unsupported values, BudgetError when
 * the text would pass maxStringBytes.
 */
export function marshalJson(v: unknown, opts: { escapeHTML?: boolean; indent?: string } = {}): string {
  const st: EncodeState = {
    escapeHTML: opts.escapeHTML ?? true,
    indent: opts.indent ?? '',
    units: 0,
    maxUnits: meter().limits.maxStringBytes,
    level: 0,
    seen: new Set(),
  };
  return encode(v, st, '');
}

export { JsonError };
