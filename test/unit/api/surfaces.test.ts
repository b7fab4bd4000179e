import { describe, expect, it } from 'vitest';
import { buildOfflineApp } from './offline-app.ts';

/** /metrics, /docs and /api/openapi.json: served by default, each can be taken off the API's port (API_METRICS_PORT, API_DOCS). */
describe('metrics and docs on the API port', () => {
  it('are served by default', async () => {
    const app = await buildOfflineApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
      expect([200, 302]).toContain((await app.inject({ method: 'GET', url: '/docs' })).statusCode);
    } finally {
      await app.close();
    }
  });

  it('are gone when turned off, while the API itself and the probes stay', async () => {
    const app = await buildOfflineApp({ metricsRoute: false, docs: false });
    try {
      for (const url of ['/metrics', '/docs', '/docs/', '/docs/json', '/api/openapi.json']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(404);
        expect(response.json(), url).toMatchObject({ error: 'not_found' });
      }
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { 'x-api-key': 'key-one' } })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
