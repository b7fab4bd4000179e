import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/parse-duration.ts';

describe('parseDuration: the one duration grammar of every setting', () => {
  it('reads compact and spelled-out durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('10 minutes')).toBe(600_000);
    expect(parseDuration('1 second')).toBe(1000);
    expect(parseDuration('2 hours 30 minutes')).toBe(9_000_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  it('refuses a bare number or junk', () => {
    for (const text of ['5', '', '1x', 'h', '5m junk', '10 fortnights', '-5m', '5 m s']) expect(() => parseDuration(text), text).toThrow(/not a duration/);
  });
});
