// The render budget (issue #17): no template or data may crash the process, exhaust its memory or run
// for seconds. Each hole is reproduced here; every test checks the exact message and that ordinary
// templates still render under the same budget.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDER_BUDGET, ProgramCache, TemplateError, renderConfig, renderTemplate, type RenderOptions } from '../../src/template/index.ts';
import { estimateProgramBytes } from '../../src/template/engine.ts';

/** Renders and returns the error message (failing the test when the render succeeds). */
function failure(source: string, data: unknown = {}, options?: RenderOptions): string {
  try {
    renderTemplate(source, data, { name: 't', ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as Error).message;
  }
  throw new Error(`rendered without error: ${source}`);
}

/** Runs `f` and checks that it took less than `ms` (a generous sanity bound, not a benchmark). */
function quickly<T>(f: () => T, ms = 2000): T {
  const start = performance.now();
  const out = f();
  expect(performance.now() - start).toBeLessThan(ms);
  return out;
}

const STEPS = 'render budget exceeded: more than 1000000 execution steps (maxSteps)';

describe('render budget defaults', () => {
  it('are exported, documented values', () => {
    expect(DEFAULT_RENDER_BUDGET).toEqual({
      maxSteps: 1_000_000,
      maxOutputBytes: 1_048_576,
      maxStringBytes: 1_048_576,
      maxCollectionItems: 100_000,
      maxDepth: 100,
      maxTemplateBytes: 65_536,
    });
    expect(Object.isFrozen(DEFAULT_RENDER_BUDGET)).toBe(true);
  });

  it('leave ordinary templates alone', () => {
    const data = { version: { tag: 'v1.22.3-rc.1' }, items: ['a', 'b', 'c'], n: 3 };
    expect(
      renderTemplate(
        '{{ regexReplaceAll "^v?(\\\\d+)\\\\.(\\\\d+).*$" .version.tag "$1.$2" }} {{ range $i, $x := .items }}{{ $i }}={{ $x | upper }} {{ end }}' +
          '{{ repeat 3 "ab" }} {{ until 3 }} {{ printf "%05.1f|%-4s|" 3.14159 "x" }}{{ indent 2 "a\\nb" }} {{ splitList "," "x,y" | join "-" }}',
        data,
      ),
    ).toBe('1.22 0=A 1=B 2=C ababab [0 1 2] 003.1|x   |  a\n  b x-y');
  });

  it('rejects an invalid budget', () => {
    expect(() => renderTemplate('x', {}, { budget: { maxSteps: -1 } })).toThrow('render budget: maxSteps must be a non-negative number');
  });
});

describe('strings and collections are checked before they are built', () => {
  it('repeat 100000000 "😀" | len fails at once instead of exhausting memory', () => {
    expect(quickly(() => failure('{{ repeat 100000000 "😀" | len }}'))).toBe(
      'template: t:1:3: executing "t" at <repeat 100000000 "😀">: error calling repeat: render budget exceeded: string would be 400000000 bytes (maxStringBytes 1048576)',
    );
    // Within the budget: len measures UTF-8 bytes.
    expect(renderTemplate('{{ repeat 1000 "😀" | len }}', {})).toBe('4000');
  });

  it('a string doubled in a loop stops at maxStringBytes', () => {
    expect(quickly(() => failure('{{ $s := "x" }}{{ range 40 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}'))).toBe(
      'template: t:1:37: executing "t" at <print $s $s>: error calling print: render budget exceeded: string would be 2097152 bytes (maxStringBytes 1048576)',
    );
  });

  it('printf with a huge width or precision', () => {
    expect(quickly(() => failure('{{ printf "%10000000d" 1 }}'))).toBe(
      'template: t:1:3: executing "t" at <printf "%10000000d" 1>: error calling printf: render budget exceeded: formatted value would be more than 1048576 bytes (maxStringBytes)',
    );
    expect(failure('{{ printf "%.5000000f" 1.5 }}')).toMatch(/error calling printf: render budget exceeded: formatted value would be more than 1048576 bytes/);
    // Go itself gives up on widths of nine digits or more, and so does the engine.
    expect(renderTemplate('{{ printf "%100000000d" 1 }}|{{ printf "%10000000000d" 1 }}', {})).toBe('%!(NOVERB)%!(EXTRA int=1)|%!(NOVERB)%!(EXTRA int=1)');
    expect(renderTemplate('{{ printf "%8d|%-6.2f|" 42 3.14159 }}', {})).toBe('      42|3.14  |');
  });

  it('indent and nindent', () => {
    expect(quickly(() => failure('{{ indent 100000000 "x" }}'))).toBe(
      'template: t:1:3: executing "t" at <indent 100000000 "x">: error calling indent: render budget exceeded: string would be 100000001 bytes (maxStringBytes 1048576)',
    );
    // The padding is counted once per line.
    expect(failure('{{ nindent 600 (repeat 2000 "x\\n") }}')).toMatch(/error calling nindent: render budget exceeded: string would be 1204600 bytes/);
  });

  it('replace, join and cat', () => {
    expect(failure('{{ replace "" (repeat 1000 "x") (repeat 10000 "a") }}')).toBe(
      'template: t:1:3: executing "t" at <replace "" (repeat 1000 "x") (repeat 10000 "a")>: error calling replace: render budget exceeded: string would be 10011000 bytes (maxStringBytes 1048576)',
    );
    expect(failure('{{ $s := repeat 600000 "x" }}{{ join "" (list $s $s) }}')).toMatch(
      /error calling join: render budget exceeded: string would be 1200000 bytes/,
    );
    expect(failure('{{ $s := repeat 600000 "x" }}{{ cat $s $s }}')).toMatch(/error calling cat: render budget exceeded/);
  });

  it('splitList of a long string into too many pieces', () => {
    expect(quickly(() => failure('{{ splitList "" (repeat 5000000 "a") }}'))).toBe(
      'template: t:1:17: executing "t" at <repeat 5000000 "a">: error calling repeat: render budget exceeded: string would be 5000000 bytes (maxStringBytes 1048576)',
    );
    expect(quickly(() => failure('{{ splitList "" (repeat 1000000 "a") }}'))).toBe(
      'template: t:1:3: executing "t" at <splitList "" (repeat 1000000 "a")>: error calling splitList: render budget exceeded: list would have 1000000 items (maxCollectionItems 100000)',
    );
    expect(failure('{{ split "," (repeat 200000 ",") }}')).toMatch(/error calling split: render budget exceeded: list would have 200001 items/);
  });

  it('until, untilStep, list building and dict', () => {
    expect(quickly(() => failure('{{ until 100000000 }}'))).toBe(
      'template: t:1:3: executing "t" at <until 100000000>: error calling until: render budget exceeded: list would have 100000000 items (maxCollectionItems 100000)',
    );
    expect(failure('{{ untilStep 0 9223372036854775807 1 }}')).toMatch(/error calling untilStep: render budget exceeded: list would have \d+ items/);
    expect(failure('{{ $l := until 60000 }}{{ concat $l $l }}')).toMatch(/error calling concat: render budget exceeded: list would have 120000 items/);
    expect(failure('{{ $l := until 100000 }}{{ append $l 1 }}')).toMatch(/error calling append: render budget exceeded: list would have 100001 items/);
    expect(failure('{{ fromJson (print "[" (repeat 150000 "0,") "0]") }}')).toMatch(
      /error calling fromJson: render budget exceeded: JSON would have more than 100000 values/,
    );
  });

  it('toJson and printing of a list holding the same large string many times', () => {
    expect(failure('{{ $s := repeat 600000 "x" }}{{ toJson (list $s $s) }}')).toMatch(
      /error calling toJson: render budget exceeded: string would be \d+ bytes/,
    );
    expect(failure('{{ $s := repeat 600000 "x" }}{{ list $s $s }}')).toBe(
      'template: t:1:32: executing "t" at <{{list $s $s}}>: render budget exceeded: formatted value would be more than 1048576 bytes (maxStringBytes)',
    );
  });

  it("keeps Go's own errors where Go fails first", () => {
    expect(failure('{{ repeat -1 "x" }}')).toBe('template: t:1:3: executing "t" at <repeat -1 "x">: error calling repeat: strings: negative Repeat count');
    expect(failure('{{ indent 9223372036854775807 "x" }}')).toBe(
      'template: t:1:3: executing "t" at <indent 9223372036854775807 "x">: error calling indent: runtime error: makeslice: len out of range',
    );
  });
});

describe('execution steps', () => {
  it('range over a huge integer', () => {
    expect(quickly(() => failure('{{ range 100000000000 }}{{ end }}'))).toBe(`template: t:1:9: executing "t" at <{{range 100000000000}}{{end}}>: ${STEPS}`);
  });

  it('nested ranges of 1000 x 1000 x 1000', () => {
    expect(quickly(() => failure('{{ range 1000 }}{{ range 1000 }}{{ range 1000 }}{{ end }}{{ end }}{{ end }}'))).toBe(
      `template: t:1:41: executing "t" at <{{range 1000}}{{end}}>: ${STEPS}`,
    );
  });

  it('appending in a loop (each append copies the list)', () => {
    expect(quickly(() => failure('{{ $l := list }}{{ range 100000 }}{{ $l = append $l . }}{{ end }}'))).toBe(
      `template: t:1:42: executing "t" at <append $l .>: error calling append: ${STEPS}`,
    );
    expect(renderTemplate('{{ $l := list }}{{ range 1000 }}{{ $l = append $l . }}{{ end }}{{ len $l }}', {})).toBe('1000');
  });

  it('string work is charged: hashing a large string over and over', () => {
    expect(quickly(() => failure('{{ $s := repeat 1000000 "x" }}{{ range 1000 }}{{ $_ := sha256sum $s }}{{ end }}'))).toBe(
      `template: t:1:55: executing "t" at <sha256sum $s>: error calling sha256sum: ${STEPS}`,
    );
  });

  it('quadratic sprig functions are charged per comparison', () => {
    expect(quickly(() => failure('{{ uniq (until 100000) | len }}'))).toBe(
      `template: t:1:3: executing "t" at <uniq (until 100000)>: error calling uniq: ${STEPS}`,
    );
    expect(renderTemplate('{{ uniq (list 1 2 1 3 2) }}', {})).toBe('[1 2 3]');
  });

  it('a smaller maxSteps applies', () => {
    expect(failure('{{ range 20 }}.{{ end }}', {}, { budget: { maxSteps: 10 } })).toBe(
      'template: t:1:14: executing "t" at <.>: render budget exceeded: more than 10 execution steps (maxSteps)',
    );
  });
});

describe('template nesting', () => {
  it("stops deep recursion through {{template}} at maxDepth, with Go's message", () => {
    expect(quickly(() => failure('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}'))).toBe(
      'template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100)',
    );
    expect(failure('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', {}, { budget: { maxDepth: 5 } })).toBe(
      'template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (5)',
    );
    // Bounded recursion within the limit works.
    expect(
      renderTemplate('{{ define "c" }}{{ if gt (len .) 0 }}{{ first . }}{{ template "c" (rest .) }}{{ end }}{{ end }}{{ template "c" (until 50) }}', {}),
    ).toBe([...Array(50).keys()].join(''));
  });

  it('reports a JavaScript stack overflow as an error instead of crashing', () => {
    // A cyclic map (only `set` can make one) printed: Go would overflow its stack and die.
    expect(quickly(() => failure('{{ $d := dict }}{{ $_ := set $d "x" $d }}{{ $d }}'))).toBe(
      'template: t:1:44: executing "t" at <{{$d}}>: render budget exceeded: nesting too deep for the JavaScript stack',
    );
    // toJson detects the cycle as Go's encoder does.
    expect(failure('{{ $d := dict }}{{ $_ := set $d "x" $d }}{{ mustToJson $d }}')).toBe(
      'template: t:1:44: executing "t" at <mustToJson $d>: error calling mustToJson: json: unsupported value: encountered a cycle via map[string]interface {}',
    );
  });
});

describe('output', () => {
  it('many small pieces past maxOutputBytes', () => {
    expect(quickly(() => failure('{{ $s := repeat 1000 "x" }}{{ range 2000 }}{{ $s }}{{ end }}'))).toBe(
      'template: t:1:46: executing "t" at <{{$s}}>: render budget exceeded: output would be 1049000 bytes (maxOutputBytes 1048576)',
    );
    expect(failure('{{ range 300 }}ééé{{ end }}', {}, { budget: { maxOutputBytes: 1000 } })).toBe(
      'template: t:1:15: executing "t" at <ééé>: render budget exceeded: output would be 1002 bytes (maxOutputBytes 1000)',
    );
    expect(renderTemplate('{{ range 3 }}ab{{ end }}', {}, { budget: { maxOutputBytes: 6 } })).toBe('ababab');
  });
});

describe('regular expressions (re2js: linear time)', () => {
  it("(a+)+$ against 40 a's and a ! returns false at once", () => {
    const aaa = 'a'.repeat(40) + '!';
    expect(
      quickly(() => renderTemplate('{{ regexMatch "(a+)+$" .s }}|{{ regexFind "(a|aa)+$" .s }}|{{ regexReplaceAll "(a+)+$" .s "x" }}', { s: aaa }), 500),
    ).toBe(`false||${aaa}`);
  });

  it("keeps Go's error messages for bad patterns", () => {
    expect(renderTemplate('{{ regexMatch "(a" "a" }}', {})).toBe('false');
    expect(failure('{{ mustRegexMatch "(a" "a" }}')).toBe(
      'template: t:1:3: executing "t" at <mustRegexMatch "(a" "a">: error calling mustRegexMatch: error parsing regexp: missing closing ): `(a`',
    );
    expect(failure('{{ regexFind "a**" "a" }}')).toBe(
      'template: t:1:3: executing "t" at <regexFind "a**" "a">: error calling regexFind: regexp: Compile(`a**`): error parsing regexp: invalid nested repetition operator: `**`',
    );
  });

  it('refuses a pattern that would compile to a huge program, and charges matching by input x program size', () => {
    expect(quickly(() => failure('{{ regexMatch (repeat 30000 "a?") (repeat 30000 "a") }}'))).toBe(
      'template: t:1:3: executing "t" at <regexMatch (repeat 30000 "a?") (repeat 30000 "a")>: error calling regexMatch: render budget exceeded: regular expression would compile to about 60002 instructions (limit 20000)',
    );
    expect(quickly(() => failure('{{ regexMatch (print (repeat 5000 "a?") (repeat 5000 "a")) (repeat 5000 "a") }}'))).toMatch(
      /error calling regexMatch: render budget exceeded: more than 1000000 execution steps/,
    );
    // Many matches in a long input: each search is charged from where it starts.
    expect(quickly(() => failure('{{ regexFindAll "a*b|a" (repeat 20000 "a") -1 }}'))).toBe(
      `template: t:1:3: executing "t" at <regexFindAll "a*b|a" (repeat 20000 "a") -1>: error calling regexFindAll: ${STEPS}`,
    );
  });

  it('charges a loop over many matches linearly when matches have a bounded length', () => {
    const s = 'a-'.repeat(90_000);
    expect(
      quickly(() => renderTemplate('{{ regexReplaceAll "-" .s "+" | len }} {{ regexFindAll "a" .s -1 | len }} {{ regexSplit "-" .s -1 | len }}', { s })),
    ).toBe('180000 90000 90001');
  });

  it('bounds replacement output', () => {
    expect(failure('{{ regexReplaceAll "a" (repeat 20000 "a") (repeat 100 "$0") }}')).toMatch(
      /error calling regexReplaceAll: render budget exceeded: string would be \d+ bytes \(maxStringBytes 1048576\)/,
    );
  });
});

describe('every string function is charged by the bytes it touches (issue #26)', () => {
  // Each loop calls a function that loops over characters in JavaScript: charged as native string work, it would
  // render within the budget and take seconds (trim: 64 trims of 1 MB of spaces, 3.7 s). Charged by what it
  // touches, a few calls exhaust the budget.
  const cases: Record<string, string> = {
    trim: `{{ $s := repeat 1000000 " " }}{{ range until 8 }}{{ $x := trim $s }}{{ end }}`,
    regexQuoteMeta: `{{ $s := repeat 500000 "." }}{{ range until 4 }}{{ $x := regexQuoteMeta $s }}{{ end }}`,
    split: `{{ $s := repeat 49999 "a," }}{{ range until 20 }}{{ $x := split "," $s }}{{ end }}`,
    join: `{{ $l := splitList "," (repeat 99999 "aaaaaaaa,") }}{{ range until 12 }}{{ $x := join "," $l }}{{ end }}`,
    indent: `{{ $s := repeat 100000 "a\\n" }}{{ range until 12 }}{{ $x := indent 3 $s }}{{ end }}`,
    upper: `{{ $s := repeat 300000 "é" }}{{ range until 4 }}{{ $x := upper $s }}{{ end }}`,
    title: `{{ $s := repeat 1000000 "a" }}{{ $x := title $s }}`,
    len: `{{ $s := repeat 300000 "é" }}{{ range until 16 }}{{ $x := len $s }}{{ end }}`,
    'printf %q': `{{ $s := repeat 300000 "é" }}{{ range until 8 }}{{ $x := printf "%q" $s }}{{ end }}`,
    urlquery: `{{ $s := repeat 150000 "é" }}{{ range until 12 }}{{ $x := urlquery $s }}{{ end }}`,
    b64dec: `{{ $s := repeat 700000 "a" | b64enc }}{{ range until 3 }}{{ $x := b64dec $s }}{{ end }}`,
  };
  it.each(Object.entries(cases))('%s', (_, source) => {
    expect(failure(source)).toMatch(/render budget exceeded: more than 1000000 execution steps \(maxSteps\)$/);
  });

  it('a precision keeps the first code points of a long string', () => {
    // Only the kept characters are read: %.1s of 1 MB costs what its argument is charged.
    expect(renderTemplate(`{{ $s := repeat 500000 "é" }}{{ range until 50 }}{{ printf "%.1s|%.2q" $s "😀xyz" }}{{ end }}`, {})).toBe('é|"😀x"'.repeat(50));
  });
});

describe('template sources and the parse cache', () => {
  it('refuses a source over maxTemplateBytes before parsing it', () => {
    const big = `{{ "${'x'.repeat(70_000)}" }}`;
    expect(failure(big)).toBe('template: t: render budget exceeded: template source is 70008 bytes (maxTemplateBytes 65536)');
    expect(renderTemplate(big, {}, { budget: { maxTemplateBytes: 100_000 } })).toHaveLength(70_000);
  });

  it('reports nesting too deep for the parser as an error', () => {
    const src = `{{ ${'('.repeat(9000)}1${')'.repeat(9000)} }}`;
    const msg = failure(src);
    // Either the JavaScript stack or Go's own limit (10000 parentheses) stops it.
    expect(msg === 'template: t: render budget exceeded: template nested too deeply to parse' || msg.endsWith('max expression depth exceeded')).toBe(true);
  });

  it('bounds the cache by the estimated heap bytes of what it holds', () => {
    const a0 = new ProgramCache().get('a', `{{ "${'a'.repeat(40)}" }}`);
    const one = estimateProgramBytes(a0);
    // A parse tree takes many times its source.
    expect(one).toBeGreaterThan(10 * 46);
    const cache = new ProgramCache({ maxBytes: 2 * one + 1000 });
    const a = cache.get('a', `{{ "${'a'.repeat(40)}" }}`);
    cache.get('b', `{{ "${'b'.repeat(40)}" }}`);
    expect(cache.size).toBe(2);
    expect(cache.get('a', `{{ "${'a'.repeat(40)}" }}`)).toBe(a); // a is now the most recent
    cache.get('c', `{{ "${'c'.repeat(40)}" }}`); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.get('a', `{{ "${'a'.repeat(40)}" }}`)).toBe(a);
    // A program larger than the whole cache is parsed but not kept.
    cache.get('d', '{{1}}'.repeat(200));
    expect(cache.size).toBe(2);
  });
});

describe('renderConfig applies one budget to the whole config', () => {
  it('1000 strings, each within the budget, together over maxOutputBytes', () => {
    const config: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) config[`k${i}`] = '{{ repeat 2000 "x" }}';
    try {
      quickly(() => renderConfig(config, {}));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as TemplateError).path).toBe('jobAgentConfig.k524');
      expect((e as Error).message).toBe(
        'jobAgentConfig.k524: template: k524:1:3: executing "k524" at <{{repeat 2000 "x"}}>: render budget exceeded: output would be 1050000 bytes (maxOutputBytes 1048576)',
      );
    }
    // Any one of them alone is fine, and so is the config with a larger budget.
    expect(renderTemplate(config.k0!, {})).toHaveLength(2000);
    expect(Object.keys(renderConfig(config, {}, { budget: { maxOutputBytes: 4 << 20 } }))).toHaveLength(1000);
  });

  it('steps add up over the strings too', () => {
    const config = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, '{{ range 100000 }}{{ end }}']));
    // Each string alone takes about 100000 steps; the tenth passes the million.
    expect(() => renderConfig(config, {})).toThrow(
      'jobAgentConfig.s9: template: s9:1:9: executing "s9" at <{{range 100000}}{{end}}>: render budget exceeded: more than 1000000 execution steps (maxSteps)',
    );
    expect(renderTemplate(config.s0!, {})).toBe('');
  });

  it('renders an ordinary config', () => {
    expect(renderConfig({ repo: '{{ .r | lower }}', args: ['--tag={{ .t }}', 1] }, { r: 'API', t: 'v1' })).toEqual({
      repo: 'api',
      args: ['--tag=v1', 1],
    });
  });
});
