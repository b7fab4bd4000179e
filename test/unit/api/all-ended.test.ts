import { describe, expect, it } from 'vitest';
import { allEnded } from '../../../src/api/all-ended.ts';

describe('allEnded', () => {
  it('rejects with the first failure only once every call has ended, so none outlives the answer', async () => {
    let slowEnded = false;
    const slow = new Promise<string>((resolve) => setTimeout(() => ((slowEnded = true), resolve('slow')), 50));
    const failed = Promise.reject(new Error('unavailable'));
    await expect(allEnded([failed, slow])).rejects.toThrow('unavailable');
    expect(slowEnded).toBe(true);
  });

  it('answers the values in order when all succeed', async () => {
    await expect(allEnded([Promise.resolve(1), new Promise<number>((resolve) => setTimeout(() => resolve(2), 5))])).resolves.toEqual([1, 2]);
  });
});
