// Differential fuzzing against Go (#28): a few thousand generated templates over a dispatch-like context, each
// rendered by Go's text/template + sprig and by the engine, compared byte for byte. A fresh seed each run,
// printed; TEMPLATE_FUZZ_SEED=<seed> replays it, TEMPLATE_FUZZ_CASES=<n> changes the count (default 3000).
// A difference is shrunk against Go and appended to test/conformance/cases/fuzz-regressions.json, so the
// corpus keeps it (regenerate golden.json with `cd test/conformance && go run . > golden.json`).
// `npm run fuzz:templates` runs 100 000 cases.
import { describe, expect, it } from 'vitest';
import { addToCorpus, fuzz, fuzzSeed, goAvailable, shrink } from './fuzz/differential.ts';

const cases = Number(process.env.TEMPLATE_FUZZ_CASES ?? 3000);

describe('template engine against Go, on generated templates', () => {
  it('renders generated templates byte for byte as Go does', { timeout: 600_000 }, () => {
    if (!goAvailable()) {
      if (process.env.CI) throw new Error('Go is not on PATH under CI=true: the template fuzz test cannot run');
      console.warn('Go is NOT on PATH: the template fuzz test was skipped.');
      return;
    }
    const seed = fuzzSeed();
    const started = Date.now();
    console.log(`template fuzz: seed ${seed}, ${cases} cases (replay: TEMPLATE_FUZZ_SEED=${seed})`);
    const diffs = fuzz(seed, cases, 5000, (done, n) => {
      if (cases > 5000) console.log(`template fuzz: ${done}/${cases} cases, ${n} differences`);
    });
    const shrunk = diffs.slice(0, 20).map((d) => shrink(d));
    const added = addToCorpus(shrunk);
    console.log(`template fuzz: seed ${seed}: ${cases} cases, ${diffs.length} differences, ${added} added to the corpus, ${Date.now() - started} ms`);
    expect(shrunk.map((d) => ({ template: d.case.template, data: d.case.data, go: d.go, ours: d.ours }))).toEqual([]);
  });
});
