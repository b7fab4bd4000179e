// JSON in and out the way Go's encoding/json does it.
import { formatFloat } from './fmt.ts';
import { compareStrings } from './fmt.ts';
import { timeJson } from './time.ts';
import { GoTime, JsonNumber, TypedInt, isMap } from './values.ts';

/**
 * Parses JSON text. With `useNumber` numbers become JsonNumber holding their literal (as
 * json.Decoder.UseNumber keeps them); otherwise float64 (JS numbers), as json.Unmarshal does.
 * Throws SyntaxError on invalid input.
 */
export function parseJson(text: string, useNumber = true): unknown {
  let i = 0;
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
        case 8: rep = '\\b'; break;
        case 12: rep = '\\f'; break;
        case 10: rep = '\\n'; break;
        case 13: rep = '\\r'; break;
        case 9: rep = '\\t'; break;
        default: rep = '\\u00' + c.toString(16).padStart(2, '0');
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

function encode(v: unknown, escapeHTML: boolean, indent: string, prefix: string): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return quoteJson(v, escapeHTML);
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
    return s;
  }
  if (v instanceof TypedInt) return v.v.toString();
  if (v instanceof GoTime) return quoteJson(timeJson(v), escapeHTML);
  const inner = prefix + indent;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const parts = v.map((e) => encode(e, escapeHTML, indent, inner));
    if (!indent) return '[' + parts.join(',') + ']';
    return '[\n' + parts.map((p) => inner + p).join(',\n') + '\n' + prefix + ']';
  }
  if (isMap(v)) {
    const keys = Object.keys(v).sort(compareStrings);
    if (keys.length === 0) return '{}';
    const parts = keys.map((k) => quoteJson(k, escapeHTML) + (indent ? ': ' : ':') + encode(v[k], escapeHTML, indent, inner));
    if (!indent) return '{' + parts.join(',') + '}';
    return '{\n' + parts.map((p) => inner + p).join(',\n') + '\n' + prefix + '}';
  }
  throw new JsonError(`json: unsupported type`);
}

/** json.Marshal / MarshalIndent(v, "", indent); throws on unsupported values. */
export function marshalJson(v: unknown, opts: { escapeHTML?: boolean; indent?: string } = {}): string {
  return encode(v, opts.escapeHTML ?? true, opts.indent ?? '', '');
}

export { JsonError };
