import { describe, expect, it } from 'vitest';
import { normalizeApiPath } from '../../../src/api/normalize-api-path.ts';

describe('normalizeApiPath', () => {
  it('maps what a base_url ending in /api produces with a client that prepends /api', () => {
    expect(normalizeApiPath('/api/api/v1/workspaces')).toBe('/api/v1/workspaces');
    expect(normalizeApiPath('/api/api/v1/jobs/abc?x=1')).toBe('/api/v1/jobs/abc?x=1');
  });

  it('maps what a base_url without /api produces with a client that appends /v1 to it', () => {
    expect(normalizeApiPath('/v1/workspaces')).toBe('/api/v1/workspaces');
    expect(normalizeApiPath('/v1/jobs?status=pending')).toBe('/api/v1/jobs?status=pending');
  });

  it('leaves every other path alone', () => {
    for (const url of ['/api/v1/jobs', '/api/github/webhook', '/healthz', '/docs', '/api/openapi.json', '/v1x', '/api/api/github/webhook']) {
      expect(normalizeApiPath(url)).toBe(url);
    }
  });
});
