import { describe, expect, it } from 'vitest';
import { RepositoryIndex } from '../../../src/api/repository-index.ts';

/** A lookUp that answers from a changing set of repositories with running jobs, recording each question. */
function fakeVisibility(initial: string[] = []) {
  const withJobs = new Set(initial);
  const questions: string[][] = [];
  return {
    withJobs,
    questions,
    lookUp: async (names: string[]) => {
      questions.push([...names].sort());
      return new Set(names.filter((name) => withJobs.has(name)));
    },
  };
}

describe('RepositoryIndex', () => {
  it('asks once for a burst of deliveries from many repositories, and answers each', async () => {
    const visibility = fakeVisibility(['acme/deploy']);
    const index = new RepositoryIndex({ lookUp: visibility.lookUp, batchIntervalMs: 50 });
    const names = ['acme/deploy', ...Array.from({ length: 200 }, (_, i) => `other/repo-${i % 20}`)];
    const answers = await Promise.all(names.map((name) => index.mayHaveJobs(name)));
    expect(answers[0]).toBe(true);
    expect(answers.slice(1).every((answer) => answer === false)).toBe(true);
    expect(visibility.questions).toHaveLength(1);
    expect(visibility.questions[0]).toHaveLength(21);
  });

  it('answers a repository seen with jobs from memory, case-insensitively, until it is forgotten', async () => {
    let now = 0;
    const visibility = fakeVisibility(['acme/deploy']);
    const index = new RepositoryIndex({ lookUp: visibility.lookUp, batchIntervalMs: 0, rememberMs: 60_000, now: () => now });
    expect(await index.mayHaveJobs('acme/deploy')).toBe(true);
    expect(await index.mayHaveJobs('Acme/Deploy')).toBe(true);
    expect(visibility.questions).toHaveLength(1);
    now = 61_000;
    visibility.withJobs.clear();
    expect(await index.mayHaveJobs('acme/deploy')).toBe(false);
    expect(visibility.questions).toHaveLength(2);
  });

  it('never remembers "no jobs": a repository whose first job just started is found by the next delivery', async () => {
    const visibility = fakeVisibility();
    const index = new RepositoryIndex({ lookUp: visibility.lookUp, batchIntervalMs: 10 });
    expect(await index.mayHaveJobs('acme/new')).toBe(false);
    visibility.withJobs.add('acme/new');
    expect(await index.mayHaveJobs('acme/new')).toBe(true);
  });

  it('starts batches at most once per interval under steady traffic', async () => {
    const visibility = fakeVisibility();
    const index = new RepositoryIndex({ lookUp: visibility.lookUp, batchIntervalMs: 100 });
    const started = Date.now();
    const deliveries: Promise<boolean>[] = [];
    while (Date.now() - started < 450) {
      deliveries.push(index.mayHaveJobs(`org/repo-${deliveries.length}`));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(deliveries);
    const elapsed = Date.now() - started;
    expect(deliveries.length).toBeGreaterThan(40);
    expect(visibility.questions.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(visibility.questions.flat()).toHaveLength(deliveries.length);
  });

  it('passes a failed lookup on to every delivery that waited for it, and asks again next time', async () => {
    let fail = true;
    const index = new RepositoryIndex({
      lookUp: async () => {
        if (fail) throw new Error('Temporal unavailable');
        return new Set(['acme/deploy']);
      },
      batchIntervalMs: 0,
    });
    await expect(Promise.all([index.mayHaveJobs('acme/deploy'), index.mayHaveJobs('x/y')])).rejects.toThrow('Temporal unavailable');
    fail = false;
    expect(await index.mayHaveJobs('acme/deploy')).toBe(true);
  });

  it('looks a repository up by the name as GitHub spells it (search attributes are case-sensitive)', async () => {
    const visibility = fakeVisibility(['Acme/API']);
    const index = new RepositoryIndex({
      lookUp: async (names) => {
        visibility.questions.push(names);
        return new Set(names.filter((name) => visibility.withJobs.has(name)).map((name) => name.toLowerCase()));
      },
      batchIntervalMs: 0,
    });
    expect(await index.mayHaveJobs('Acme/API')).toBe(true);
    expect(visibility.questions[0]).toEqual(['Acme/API']);
  });
});
