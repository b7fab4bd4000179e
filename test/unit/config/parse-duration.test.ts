import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/parse-duration.ts';

describe('parseDuration', () => {
  it('reads the units gha-agent github redeliver --since and GITHUB_REDELIVER_INTERVAL take', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
  });

  it('refuses a bare number or junk', () => {
    for (const text of ['5', '', '1x', 'h', '5m junk']) expect(() => parseDuration(text)).toThrow(/not a duration/);
  });
});
