import { describe, expect, it } from 'vitest';
import { InstallationBudget } from '../../src/activities/installation-budget.ts';

const HOUR = 3_600_000;
const headers = (limit: number, remaining: number, resetMs: number) => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
  'x-ratelimit-resource': 'core',
});

describe('InstallationBudget', () => {
  it('lets look-ups go until GitHub has answered, then spreads them over what is left of the window', () => {
    let now = 1_000_000;
    const budget = new InstallationBudget(0.8, () => now);
    expect(budget.lookUp(1, 'a')).toBeUndefined();
    // 5,000 an hour, 80 % of it ours, a tenth of that kept for dispatches: look-ups stop at 1,000 + 400 left.
    budget.observe(1, headers(5000, 4600, now + HOUR));
    // 3,200 look-ups over the hour: one every 1.125 s.
    expect(budget.lookUp(1, 'a')).toBeUndefined();
    const deferred = budget.lookUp(1, 'b');
    expect(deferred?.until).toBe(now + 1125);
    expect(deferred?.reason).toMatch(/GitHub's request budget of installation 1/);
    // Every look-up of workflow b is told the same time; another workflow is told the next slot.
    expect(budget.lookUp(1, 'b')?.until).toBe(now + 1125);
    expect(budget.lookUp(1, 'c')?.until).toBe(now + 2250);
    now += 1125;
    expect(budget.lookUp(1, 'b')).toBeUndefined();
    // Another installation has a budget of its own.
    expect(budget.lookUp(2, 'b')).toBeUndefined();
    expect(budget.snapshots().find((s) => s.installationId === 1)).toEqual({
      installationId: 1,
      limit: 5000,
      budget: 4000,
      used: 400,
      reserve: 400,
      deferred: 3,
    });
  });

  it('stops look-ups at the reserve until the window resets, and dispatches at the budget', () => {
    let now = 0;
    const budget = new InstallationBudget(0.8, () => now);
    budget.observe(7, headers(100, 29, 60_000));
    // 100 a window: ours 80, 8 of it kept for dispatches and cancels; look-ups stop at 28 left.
    expect(budget.lookUp(7, 'a')).toBeUndefined();
    budget.sending(7);
    expect(budget.lookUp(7, 'a')?.until).toBe(61_000);
    expect(budget.lookUp(7, 'b')?.until).toBeGreaterThan(61_000);
    expect(budget.mutationWait(7)).toBe(0);
    budget.observe(7, headers(100, 20, 60_000));
    expect(budget.mutationWait(7)).toBe(61_000);
    now = 30_000;
    expect(budget.mutationWait(7)).toBe(31_000);
    // The window reset: nothing known until GitHub answers again.
    now = 60_000;
    expect(budget.mutationWait(7)).toBe(0);
  });

  it('reads a refused request (remaining 0) as a spent budget, and ignores other resources and answers without a count', () => {
    const now = 0;
    const budget = new InstallationBudget(1, () => now);
    budget.observe(1, { ...headers(5000, 10, HOUR), 'x-ratelimit-resource': 'search' });
    budget.observe(1, {});
    expect(budget.snapshots()).toEqual([]);
    budget.observe(1, headers(5000, 0, HOUR));
    expect(budget.mutationWait(1)).toBe(HOUR + 1000);
    expect(budget.lookUp(1, 'a')?.until).toBe(HOUR + 1000);
  });

  it('holds a workflow whose slot came when the budget was spent meanwhile, until the reset', () => {
    let now = 0;
    const budget = new InstallationBudget(0.8, () => now);
    budget.observe(1, headers(100, 80, HOUR));
    expect(budget.lookUp(1, 'first')).toBeUndefined();
    const slots = Array.from({ length: 5 }, (_, i) => budget.lookUp(1, `w${i}`)?.until as number);
    expect(slots.every((until) => until > 0 && until < HOUR)).toBe(true);
    // Dispatches (or another replica) spent the look-ups' share before the slots came.
    budget.observe(1, headers(100, 25, HOUR));
    now = Math.max(...slots);
    for (let i = 0; i < 5; i++) expect(budget.lookUp(1, `w${i}`)?.until).toBeGreaterThanOrEqual(HOUR + 1000);
  });

  it('bounds what a reset header can make anyone wait: a broken one far off, one already past by our clock', () => {
    const now = 1_000_000;
    const budget = new InstallationBudget(0.8, () => now);
    // About the year 5138.
    budget.observe(1, headers(5000, 0, 99_999_999_999_000));
    expect(budget.mutationWait(1)).toBeLessThanOrEqual(65 * 60_000 + 1000);
    expect(budget.lookUp(1, 'a')?.until).toBeLessThanOrEqual(now + 65 * 60_000 + 1000);
    // Our clock ahead of GitHub's: the count still holds until the next answer.
    budget.observe(2, headers(5000, 0, now - 30_000));
    expect(budget.mutationWait(2)).toBeGreaterThan(0);
    expect(budget.lookUp(2, 'a')).toBeDefined();
  });

  it('lets a look-up read alone what its listing did not hold while look-ups have budget, else not before the reset', () => {
    const now = 0;
    const budget = new InstallationBudget(0.8, () => now);
    budget.observe(1, headers(100, 40, HOUR));
    expect(budget.followUp(1)).toBeUndefined();
    budget.observe(1, headers(100, 28, HOUR));
    expect(budget.followUp(1)?.until).toBe(HOUR + 1000);
  });

  it('refuses a budget that is not a share of the limit', () => {
    expect(() => new InstallationBudget(0)).toThrow(/share of the rate limit/);
    expect(() => new InstallationBudget(1.5)).toThrow(/share of the rate limit/);
  });
});
