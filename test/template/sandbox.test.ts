// The engine (with re2js) runs inside Temporal's workflow sandbox: no Node API, no timers, no WeakRef or
// FinalizationRegistry, no eval or Function, no TextEncoder/TextDecoder needed. Checked by bundling
// src/template and running it in a bare V8 context where all of those are missing or throw.
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

describe('the template engine in a bare JavaScript context', () => {
  it('renders, including regular expressions, with no host API', () => {
    const entry = fileURLToPath(new URL('../../src/template/index.ts', import.meta.url));
    const { outputFiles } = buildSync({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'engine',
      platform: 'neutral',
      mainFields: ['module', 'main'],
    });
    const context = createContext({});
    runInContext(
      `
      for (const name of ['WeakRef', 'FinalizationRegistry', 'TextEncoder', 'TextDecoder', 'setTimeout', 'setInterval',
        'queueMicrotask', 'SharedArrayBuffer', 'Atomics']) delete globalThis[name];
      const forbidden = (what) => function () { throw new Error(what + ' is not allowed in the sandbox'); };
      globalThis.eval = forbidden('eval');
      globalThis.Function = new Proxy(Function, { construct: forbidden('new Function'), apply: forbidden('Function()') });
      `,
      context,
    );
    runInContext(outputFiles[0]!.text, context);
    const render = (src: string, data: unknown) =>
      runInContext(`engine.renderTemplate(${JSON.stringify(src)}, ${JSON.stringify(data)}, { now: () => new Date(0), random: () => 0 })`, context) as string;
    expect(
      render(
        '{{ regexMatch "^v(\\\\d+)\\\\.(\\\\d+)" .v }} {{ regexReplaceAll "(?P<maj>\\\\d+)\\\\.(\\\\d+)" .v "${maj}-$2" }} {{ regexFindAll "\\\\pL" "aβ1" -1 }} ' +
          '{{ regexSplit "," "a,b" -1 }} {{ .v | upper | b64enc }} {{ sha256sum "x" | trunc 8 }} {{ toJson (dict "a" (list 1 2)) }}',
        { v: 'v1.22.3' },
      ),
    ).toBe('true v1-22.3 [a β] [a b] VjEuMjIuMw== 2d711642 {"a":[1,2]}');
    expect(render('{{ regexMatch "(a+)+$" .s }}', { s: 'a'.repeat(40) + '!' })).toBe('false');
    expect(() => render('{{ repeat 100000000 "x" }}', {})).toThrow(/render budget exceeded/);
  });
});
