// Pure-JS SHA-256, base64 and UTF-8: the workflow sandbox offers no Node modules.
//
// Go strings are bytes; the engine's strings are JavaScript strings holding those bytes "surrogate-escaped"
// (as Python's surrogateescape): every valid UTF-8 sequence is its code point, and every byte that is not
// part of a valid sequence (always 0x80-0xff) is the lone low surrogate U+DC00 + byte. Valid UTF-8 never
// decodes to a lone surrogate, so the form is unambiguous, and strings that are valid UTF-8 (all data,
// all template text) are unchanged. See README "Strings are bytes".

/** True when `s` holds a raw (invalid UTF-8) byte, i.e. a lone surrogate in U+DC80-U+DCFF. */
export function hasRawBytes(s: string): boolean {
  return RAW_BYTE.test(s);
}
const RAW_BYTE = /[\udc80-\udcff]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** The engine's form of Go bytes: re-decodes `s` when raw bytes next to each other may now form valid UTF-8. */
export function normalizeBytes(s: string): string {
  return RAW_BYTE.test(s) ? decodeUtf8(utf8Encode(s)) : s;
}

/**
 * A string from outside the engine (data, template source) as Go would see it after JSON decoding: lone
 * surrogates (which JSON.parse keeps) become U+FFFD, so that no caller string is mistaken for raw bytes.
 */
export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(/\p{Cs}/gu, '\ufffd') : s;
}

/** Raw bytes replaced by U+FFFD, as Go's encoding/json writes invalid UTF-8: the form for JSON and APIs. */
export function replaceRawBytes(s: string): string {
  return RAW_BYTE.test(s) ? s.replace(/[\udc80-\udcff]/gu, '\ufffd') : s;
}

/** The bytes of a Go string held in the engine's form (a raw byte is one byte; other lone surrogates U+FFFD). */
export function utf8Encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else if (c >= 0xdc80 && c <= 0xdcff) {
        out[n++] = c & 0xff;
        continue;
      } else c = 0xfffd;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63);
      out[n++] = 0x80 | (c & 63);
    }
  }
  return out.subarray(0, n);
}

/** A string from char codes, in chunks (fromCharCode takes a bounded number of arguments). */
function fromCodes(codes: Uint8Array | Uint16Array): string {
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.subarray(i, i + 8192));
  return out;
}

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Hex SHA-256 of the UTF-8 bytes of `s`. */
export function sha256Hex(s: string): string {
  const msg = utf8Encode(s);
  const len = msg.length;
  const total = ((len + 9 + 63) >> 6) << 6;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[len] = 0x80;
  const bits = len * 8;
  const view = new DataView(buf.buffer);
  view.setUint32(total - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(total - 4, bits >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as number[];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e! >>> 6) | (e! << 26)) ^ ((e! >>> 11) | (e! << 21)) ^ ((e! >>> 25) | (e! << 7));
      const ch = (e! & f!) ^ (~e! & g!);
      const t1 = (hh! + S1 + ch + K[i]! + w[i]!) >>> 0;
      const S0 = ((a! >>> 2) | (a! << 30)) ^ ((a! >>> 13) | (a! << 19)) ^ ((a! >>> 22) | (a! << 10));
      const maj = (a! & b!) ^ (a! & c!) ^ (b! & c!);
      const t2 = (S0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d! + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0]! += a!;
    h[1]! += b!;
    h[2]! += c!;
    h[3]! += d!;
    h[4]! += e!;
    h[5]! += f!;
    h[6]! += g!;
    h[7]! += hh!;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, '0')).join('');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));

export function base64Encode(s: string): string {
  const b = utf8Encode(s);
  const out = new Uint8Array(Math.ceil(b.length / 3) * 4);
  let o = 0;
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out[o++] = B64_CODES[(n >> 18) & 63]!;
    out[o++] = B64_CODES[(n >> 12) & 63]!;
    out[o++] = i + 1 < b.length ? B64_CODES[(n >> 6) & 63]! : 61;
    out[o++] = i + 2 < b.length ? B64_CODES[n & 63]! : 61;
  }
  return fromCodes(out);
}

/** base64.StdEncoding.DecodeString; throws Go's error text on bad input. */
export function base64Decode(s: string): string {
  // Go ignores \r and \n.
  const src = s.replace(/[\r\n]/g, '');
  const bytes: number[] = [];
  let i = 0;
  const bad = (at: number): never => {
    throw new Error(`illegal base64 data at input byte ${at}`);
  };
  while (i < src.length) {
    const quad: number[] = [];
    let j = 0;
    for (; j < 4; j++) {
      if (i + j >= src.length) {
        if (j === 0) break;
        bad(i);
      }
      const c = src[i + j]!;
      if (c === '=') break;
      const v = B64.indexOf(c);
      if (v < 0) bad(i + j);
      quad.push(v);
    }
    if (j < 4 && i + j < src.length && src[i + j] === '=') {
      // Padding: need exactly the right number of '=' and nothing after.
      if (j < 2) bad(i + j);
      const padLen = 4 - j;
      for (let p = 0; p < padLen; p++) if (src[i + j + p] !== '=') bad(i + j + p);
      if (i + 4 < src.length) bad(i + 4);
    } else if (j < 4 && j > 0) {
      bad(src.length);
    }
    const n = quad.length;
    if (n === 0) break;
    const v = ((quad[0] ?? 0) << 18) | ((quad[1] ?? 0) << 12) | ((quad[2] ?? 0) << 6) | (quad[3] ?? 0);
    bytes.push((v >> 16) & 255);
    if (n > 2) bytes.push((v >> 8) & 255);
    if (n > 3) bytes.push(v & 255);
    i += 4;
  }
  return decodeUtf8(bytes);
}

/** Go bytes in the engine's form: valid UTF-8 decoded, each invalid byte kept as U+DC00 + byte (utf8.DecodeRune's width 1). */
export function decodeUtf8(bytes: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    let cp = 0xdc00 + b;
    let n = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && (bytes[i + 1]! & 0xc0) === 0x80) {
      cp = ((b & 31) << 6) | (bytes[i + 1]! & 63);
      n = 2;
    } else if (b >= 0xe0 && b < 0xf0 && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
      cp = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      n = 3;
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) {
        cp = 0xdc00 + b;
        n = 1;
      }
    } else if (b >= 0xf0 && b < 0xf5 && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80 && (bytes[i + 3]! & 0xc0) === 0x80) {
      cp = ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      n = 4;
      if (cp < 0x10000 || cp > 0x10ffff) {
        cp = 0xdc00 + b;
        n = 1;
      }
    }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}
