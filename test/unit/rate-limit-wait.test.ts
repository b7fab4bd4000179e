import { describe, expect, it } from 'vitest';
import { rateLimitWaitSeconds } from '../../src/activities/github-failure.ts';

describe('how long GitHub asks us to wait', () => {
  it('takes retry-after when GitHub sends it', () => {
    expect(rateLimitWaitSeconds({ 'retry-after': '37' })).toBe(37);
  });

  it('waits until x-ratelimit-reset when the primary limit is spent', () => {
    expect(rateLimitWaitSeconds({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1000120' }, 1_000_000_000)).toBe(120);
  });

  it('waits a minute otherwise, as GitHub advises for secondary limits', () => {
    expect(rateLimitWaitSeconds({})).toBe(60);
    expect(rateLimitWaitSeconds({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '1' })).toBe(60);
  });
});
