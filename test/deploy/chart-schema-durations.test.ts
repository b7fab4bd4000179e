import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDuration } from '../../src/config/parse-duration.ts';

const schema = JSON.parse(readFileSync(new URL('../../charts/github-actions-agent/values.schema.json', import.meta.url), 'utf8')) as {
  definitions: { duration: { pattern: string } };
  properties: Record<string, { properties?: Record<string, unknown> }>;
};

describe('the chart takes durations exactly as the process does', () => {
  it('uses the grammar of src/config/parse-duration.ts (or empty for the default)', () => {
    expect(schema.definitions.duration.pattern).toBe(`^$|${DURATION_PATTERN}`);
    const chart = new RegExp(schema.definitions.duration.pattern);
    for (const text of ['90s', '1h30m', '10 minutes', '24h', '2 hours 30 minutes', '500ms', '90', '1 fortnight', '5m junk', '-1s', '1.5h']) {
      const processAccepts = (() => {
        try {
          parseDuration(text);
          return true;
        } catch {
          return false;
        }
      })();
      expect(chart.test(text), text).toBe(processAccepts);
    }
  });

  it('applies it to every duration setting', () => {
    const ref = { $ref: '#/definitions/duration' };
    expect(schema.properties.jobs?.properties).toMatchObject({ webhookQuietPeriod: ref, pollInterval: ref, runDiscoveryTimeout: ref, timeout: ref });
    expect(schema.properties.ctrlplane?.properties?.pollInterval).toMatchObject(ref);
    expect(schema.properties.jobTokens?.properties?.gracePeriod).toMatchObject(ref);
  });
});
