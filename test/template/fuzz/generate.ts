// Random templates and data for the differential fuzz test (test/template/template-fuzz.test.ts): pipelines
// of sprig and builtin functions over a dispatch-like context, with variables, range/with/if, unicode strings
// cut at any byte, odd number literals. Seeded and deterministic: a seed and an index name one case.

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  name: string;
  template: string;
  /** The data as JSON text (number literals kept). */
  data: string;
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: R, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const UNICODE_STRINGS = ['héllo wörld ✓', 'é☕', '日本語', '😀x😀', 'a\u0301b', 'Ωmega', 'ß', 'İı', '\u00a0x\u0085y', 'ǅ', '\ufffd', 'ab\tc d\n', 'ﬁ'];
const ASCII_STRINGS = [
  '',
  'a',
  'abc',
  'Hello World',
  '  padded  ',
  'a,b,,c',
  'x-y_z',
  'v1.2.3',
  '42',
  '3.75',
  '0x1F',
  'true',
  '%d',
  'a\\b',
  'say "hi"',
  '<b>&</b>',
];
const NUMBERS = ['0', '1', '-1', '3', '1.50', '0.25', '1e3', '-0.0', '10000000000000000000001', '123456789012345678', '0.000001', '1.5e-7', '1e21', '2.5'];

function jsonString(s: string): string {
  return JSON.stringify(s);
}

/** The data: a small dispatch context with unicode and odd numbers, drawn anew for each case. */
export function genData(r: R): string {
  const str = (): string => jsonString(r() < 0.5 ? pick(r, UNICODE_STRINGS) : pick(r, ASCII_STRINGS));
  const num = (): string => pick(r, NUMBERS);
  const list = (): string => `[${Array.from({ length: int(r, 0, 3) }, () => (r() < 0.7 ? str() : num())).join(', ')}]`;
  return (
    `{"variables": {"unicode": ${str()}, "s": ${str()}, "t": ${str()}, "n": ${num()}, "m": ${num()}, "list": ${list()}, ` +
    `"obj": {"k": ${str()}, "n": ${num()}}, "empty": "", "nullish": null, "flag": ${r() < 0.5}}, ` +
    `"resource": {"name": ${str()}, "config": {"replicas": ${num()}, "zones": ${list()}}}, "version": {"tag": ${str()}}}`
  );
}

/** Template generator state: the variables in scope, for `$x` references. */
interface Scope {
  vars: string[];
  depth: number;
}

function strLiteral(r: R): string {
  const x = r();
  if (x < 0.45) return goQuote(pick(r, UNICODE_STRINGS));
  if (x < 0.85) return goQuote(pick(r, ASCII_STRINGS));
  // Escapes: raw bytes in literals (Go's strings are bytes), and raw strings.
  if (x < 0.95) return `"${pick(r, ['\\xc3', '\\xa9', '\\xc3\\xa9', '\\xe2\\x98', '\\x80', '\\xff', '\\377', '\\u00e9', '\\U0001F600', 'a\\x00b'])}"`;
  return '`' + pick(r, ['raw é', 'a\\nb', '']) + '`';
}

function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

function field(r: R): string {
  return pick(r, [
    '.variables.unicode',
    '.variables.s',
    '.variables.t',
    '.variables.n',
    '.variables.m',
    '.variables.list',
    '.variables.obj',
    '.variables.obj.k',
    '.variables.empty',
    '.variables.nullish',
    '.variables.flag',
    '.resource.name',
    '.resource.config.replicas',
    '.resource.config.zones',
    '.version.tag',
    '.variables.missing',
  ]);
}

function smallInt(r: R): string {
  return String(pick(r, [0, 1, 2, 3, 4, 5, 7, -1, 10, 100]));
}

/** An operand: a literal, a field, a variable or a parenthesised expression. */
function operand(r: R, sc: Scope, want: 'str' | 'int' | 'any'): string {
  const x = r();
  if (sc.depth > 3 || x < 0.25) {
    if (want === 'int') return smallInt(r);
    if (want === 'str' && r() < 0.6) return strLiteral(r);
    return r() < 0.5 ? field(r) : strLiteral(r);
  }
  if (x < 0.45) return field(r);
  if (x < 0.55 && sc.vars.length > 0) return pick(r, sc.vars);
  return `(${expr(r, { ...sc, depth: sc.depth + 1 }, want)})`;
}

const STRING_FUNCS: ((r: R, sc: Scope) => string)[] = [
  (r, sc) => `trunc ${smallInt(r)} ${operand(r, sc, 'str')}`,
  (r, sc) => `substr ${smallInt(r)} ${smallInt(r)} ${operand(r, sc, 'str')}`,
  (r, sc) => `slice ${operand(r, sc, 'str')} ${smallInt(r)}`,
  (r, sc) => `slice ${operand(r, sc, 'str')} ${smallInt(r)} ${smallInt(r)}`,
  (r, sc) => `upper ${operand(r, sc, 'str')}`,
  (r, sc) => `lower ${operand(r, sc, 'str')}`,
  (r, sc) => `title ${operand(r, sc, 'str')}`,
  (r, sc) => `trim ${operand(r, sc, 'str')}`,
  (r, sc) => `nospace ${operand(r, sc, 'str')}`,
  (r, sc) => `repeat ${int(r, 0, 3)} ${operand(r, sc, 'str')}`,
  (r, sc) => `cat ${operand(r, sc, 'any')} ${operand(r, sc, 'any')}`,
  (r, sc) => `replace ${operand(r, sc, 'str')} ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
  (r, sc) => `quote ${operand(r, sc, 'any')}`,
  (r, sc) => `squote ${operand(r, sc, 'any')}`,
  (r, sc) =>
    `printf ${pick(r, ['"%s"', '"%q"', '"%x"', '"% X"', '"%v|%v"', '"%.2s"', '"%5.1s|"', '"%-4s|"', '"%d"', '"%c"', '"%U"', '"%+q"', '"%#q"', '"%T"'])} ${operand(r, sc, 'any')} ${operand(r, sc, 'any')}`,
  (r, sc) => `print ${operand(r, sc, 'any')} ${operand(r, sc, 'any')}`,
  (r, sc) => `toString ${operand(r, sc, 'any')}`,
  (r, sc) => `b64enc ${operand(r, sc, 'str')}`,
  (r, sc) => `b64dec ${operand(r, sc, 'str')}`,
  (r, sc) => `sha256sum ${operand(r, sc, 'str')}`,
  (r, sc) => `indent ${int(r, 0, 2)} ${operand(r, sc, 'str')}`,
  (r, sc) => `trimAll ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
  (r, sc) => `trimPrefix ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
  (r, sc) => `trimSuffix ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
  (r, sc) => `join ${operand(r, sc, 'str')} ${operand(r, sc, 'any')}`,
  (r, sc) => `default ${operand(r, sc, 'any')} ${operand(r, sc, 'any')}`,
  (r, sc) => `toJson ${operand(r, sc, 'any')}`,
  (r, sc) => `html ${operand(r, sc, 'any')}`,
  (r, sc) => `js ${operand(r, sc, 'any')}`,
  (r, sc) => `urlquery ${operand(r, sc, 'any')}`,
  (r, sc) => `regexReplaceAll ${pick(r, ['"."', '"[é]"', '"\\\\w+"', '"^"', '"(.)$"'])} ${operand(r, sc, 'str')} "<$1>"`,
  (r, sc) => `regexFind ${pick(r, ['"."', '"..$"', '"\\\\W"', '"\\\\x{FFFD}+"', '"[^a-z]+"'])} ${operand(r, sc, 'str')}`,
  (r, sc) => `plural ${operand(r, sc, 'str')} ${operand(r, sc, 'str')} ${smallInt(r)}`,
  (r, sc) => `ternary ${operand(r, sc, 'str')} ${operand(r, sc, 'str')} ${boolExpr(r, sc)}`,
  (r, sc) => `base ${operand(r, sc, 'str')}`,
  (r, sc) => `clean ${operand(r, sc, 'str')}`,
  (r, sc) => `toPrettyJson ${operand(r, sc, 'any')}`,
  (r, sc) => `fromJson ${operand(r, sc, 'str')}`,
];

const INT_FUNCS: ((r: R, sc: Scope) => string)[] = [
  (r, sc) => `len ${operand(r, sc, 'any')}`,
  (r, sc) => `index ${operand(r, sc, 'str')} ${smallInt(r)}`,
  (r, sc) => `add ${operand(r, sc, 'int')} ${operand(r, sc, 'int')}`,
  (r, sc) => `sub ${operand(r, sc, 'int')} ${smallInt(r)}`,
  (r, sc) => `mul ${operand(r, sc, 'int')} ${smallInt(r)}`,
  (r, sc) => `atoi ${operand(r, sc, 'str')}`,
  (r, sc) => `int ${operand(r, sc, 'any')}`,
  (r, sc) => `float64 ${operand(r, sc, 'any')}`,
  (r, sc) => `max ${operand(r, sc, 'int')} ${operand(r, sc, 'int')}`,
];

const LIST_FUNCS: ((r: R, sc: Scope) => string)[] = [
  (r, sc) => `list ${operand(r, sc, 'any')} ${operand(r, sc, 'any')}`,
  (r, sc) => `splitList ${pick(r, ['","', '""', '"é"', '" "', '"\\xa9"'])} ${operand(r, sc, 'str')}`,
  (r, sc) => `split ${pick(r, ['","', '"l"', '"\\xc3"'])} ${operand(r, sc, 'str')}`,
  (r, sc) => `regexSplit ${pick(r, ['"."', '","', '""'])} ${operand(r, sc, 'str')} -1`,
  (r, sc) => `sortAlpha ${operand(r, sc, 'any')}`,
  (r, sc) => `uniq (list ${operand(r, sc, 'any')} ${operand(r, sc, 'any')})`,
  (r, sc) => `toStrings ${operand(r, sc, 'any')}`,
  (r, sc) => `dict ${operand(r, sc, 'str')} ${operand(r, sc, 'any')}`,
];

function boolExpr(r: R, sc: Scope): string {
  const a = (): string => operand(r, sc, 'any');
  return pick(r, [
    () => `contains ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
    () => `hasPrefix ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
    () => `hasSuffix ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
    () => `eq ${a()} ${a()}`,
    () => `ne ${a()} ${a()}`,
    () => `lt ${operand(r, sc, 'str')} ${operand(r, sc, 'str')}`,
    () => `ge ${a()} ${a()}`,
    () => `empty ${a()}`,
    () => `not ${a()}`,
    () => `and ${a()} ${a()}`,
    () => `or ${a()} ${a()}`,
    () => `regexMatch ${pick(r, ['"^.$"', '"é"', '"\\\\pL"'])} ${operand(r, sc, 'str')}`,
  ])();
}

/** A pipeline: a command, optionally piped into string functions taking the value last. */
function expr(r: R, sc: Scope, want: 'str' | 'int' | 'any'): string {
  const x = r();
  let head: string;
  if (want === 'int' || x < 0.15) head = pick(r, INT_FUNCS)(r, sc);
  else if (x < 0.25) head = pick(r, LIST_FUNCS)(r, sc);
  else if (x < 0.33) head = boolExpr(r, sc);
  else head = pick(r, STRING_FUNCS)(r, sc);
  if (r() < 0.3) {
    const tail = pick(r, [
      'len',
      'upper',
      'title',
      'nospace',
      'trunc 3',
      'substr 1 4',
      'quote',
      'printf "%q"',
      'printf "%x"',
      'trim',
      'toString',
      'b64enc',
      'cat "é"',
      'lower',
      'html',
      'js',
    ]);
    head += ` | ${tail}`;
  }
  return head;
}

function action(r: R, sc: Scope, out: string[]): void {
  const x = r();
  if (x < 0.45 || sc.depth > 2) {
    out.push(`{{${expr(r, sc, 'any')}}}`);
  } else if (x < 0.6) {
    const v = `$v${sc.vars.length}`;
    out.push(`{{${v} := ${expr(r, sc, 'any')}}}`);
    sc.vars.push(v);
    if (r() < 0.8) out.push(`{{${pick(r, [v, `${v} | len`, `printf "%q" ${v}`, `${v} | upper`, `printf "%x" ${v}`, `slice ${v} 1`])}}}`);
  } else if (x < 0.72) {
    out.push(`{{if ${boolExpr(r, sc)}}}`);
    block(r, { vars: [...sc.vars], depth: sc.depth + 1 }, out);
    if (r() < 0.5) {
      out.push('{{else}}');
      block(r, { vars: [...sc.vars], depth: sc.depth + 1 }, out);
    }
    out.push('{{end}}');
  } else if (x < 0.86) {
    const src = pick(r, [
      field(r),
      `(${pick(r, LIST_FUNCS)(r, sc)})`,
      `(splitList "" ${operand(r, sc, 'str')})`,
      `(until ${int(r, 0, 4)})`,
      String(int(r, 0, 3)),
    ]);
    const inner = { vars: [...sc.vars, '$i', '$e'], depth: sc.depth + 1 };
    out.push(`{{range $i, $e := ${src}}}`);
    out.push(`{{$i}}=${pick(r, ['{{$e}}', '{{printf "%q" $e}}', '{{len $e}}', '{{trunc 1 (toString $e)}}', '{{.}}'])};`);
    if (r() < 0.3) block(r, inner, out);
    out.push(r() < 0.3 ? '{{else}}none{{end}}' : '{{end}}');
  } else {
    out.push(`{{with ${expr(r, sc, 'any')}}}`);
    out.push(pick(r, ['[{{.}}]', '{{len .}}', '{{printf "%q" .}}', '{{. | upper}}']));
    out.push(r() < 0.3 ? '{{else}}empty{{end}}' : '{{end}}');
  }
}

function block(r: R, sc: Scope, out: string[]): void {
  const n = int(r, 1, 3);
  for (let i = 0; i < n; i++) {
    if (r() < 0.25) out.push(pick(r, ['|', ' ', 'é', '\n', 'x']));
    action(r, sc, out);
  }
}

/** Case `index` of the run seeded `seed`: deterministic, so a seed replays a whole run. */
export function genCase(seed: number, index: number): FuzzCase {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const out: string[] = [];
  block(r, { vars: [], depth: 0 }, out);
  return { name: `${seed}-${index}`, template: out.join(''), data: genData(r) };
}
