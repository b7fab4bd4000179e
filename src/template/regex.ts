// Go RE2 regular expressions on top of JavaScript RegExp: the common syntax is translated
// ((?P<name>...), inline flags, \A \z, POSIX classes) and replacement templates expand as
// Go's Regexp.Expand does ($1, ${name}, $$).

const cache = new Map<string, RegExp>();

const posix: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** Compiles a Go regexp; throws Error with Go's message shape on failure. */
export function compileGoRegex(src: string): RegExp {
  const hit = cache.get(src);
  if (hit) return hit;
  let flags = 'gu';
  let body = src;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
    body = body.slice(lead[0].length);
  }
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])')
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => (posix[name] ? (neg ? `^${posix[name]}` : posix[name]!) : m))
    .replace(/\\p([A-Z])/g, '\\p{$1}')
    .replace(/\\P([A-Z])/g, '\\P{$1}');
  let re: RegExp;
  try {
    re = new RegExp(body, flags);
  } catch {
    try {
      re = new RegExp(body, flags.replace('u', ''));
    } catch (e) {
      throw new Error(`error parsing regexp: ${goRegexError((e as Error).message, src)}`);
    }
  }
  if (cache.size > 256) cache.clear();
  cache.set(src, re);
  return re;
}

/** Go's wording for the syntax errors JavaScript reports. */
function goRegexError(jsMessage: string, src: string): string {
  if (/Unterminated character class/.test(jsMessage)) return `missing closing ]: \`${src.slice(src.lastIndexOf('['))}\``;
  if (/Unterminated group/.test(jsMessage)) return `missing closing ): \`${src}\``;
  if (/Unmatched '\)'/.test(jsMessage)) return `unexpected ): \`${src}\``;
  if (/Nothing to repeat/.test(jsMessage)) {
    const m = /(^|[^\\])([*+?]|\{\d+(?:,\d*)?\})/.exec(src);
    return `missing argument to repetition operator: \`${m ? m[2] : '*'}\``;
  }
  if (/Invalid escape|\\ at end of pattern/.test(jsMessage)) return `invalid escape sequence: \`${src.slice(src.lastIndexOf('\\'))}\``;
  return `${jsMessage}: \`${src}\``;
}

interface Match {
  index: number;
  end: number;
  groups: (string | undefined)[];
  named: Record<string, string | undefined>;
}

/** All non-overlapping matches, ignoring empty matches that abut a previous match (as Go does). */
export function allMatches(re: RegExp, s: string, limit = -1): Match[] {
  const out: Match[] = [];
  re.lastIndex = 0;
  let prevEnd = -1;
  while (limit < 0 || out.length < limit) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      if (m.index === prevEnd) {
        // advance one code point and retry
        re.lastIndex = m.index + (s.codePointAt(m.index)! > 0xffff ? 2 : 1);
        if (m.index >= s.length) break;
        continue;
      }
      re.lastIndex = m.index + (m.index < s.length && s.codePointAt(m.index)! > 0xffff ? 2 : 1);
    }
    out.push({ index: m.index, end, groups: [...m], named: m.groups ?? {} });
    prevEnd = end;
    if (m.index >= s.length) break;
  }
  return out;
}

/** Regexp.Expand for a replacement template. */
function expand(template: string, m: Match): string {
  let out = '';
  for (let i = 0; i < template.length; ) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i += 2;
      continue;
    }
    let name: string | undefined;
    let next = i + 1;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const n = close < 0 ? '' : template.slice(i + 2, close);
      if (close >= 0 && /^[A-Za-z0-9_]+$/.test(n)) {
        name = n;
        next = close + 1;
      }
    } else {
      const r = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (r) {
        name = r[0];
        next = i + 1 + r[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      i++;
      continue;
    }
    if (/^[0-9]+$/.test(name)) {
      const k = Number(name);
      out += (k < m.groups.length ? m.groups[k] : undefined) ?? '';
    } else {
      out += m.named[name] ?? '';
    }
    i = next;
  }
  return out;
}

export function replaceAll(re: RegExp, s: string, repl: string, literal: boolean): string {
  let out = '';
  let last = 0;
  for (const m of allMatches(re, s)) {
    out += s.slice(last, m.index) + (literal ? repl : expand(repl, m));
    last = m.end;
  }
  return out + s.slice(last);
}
