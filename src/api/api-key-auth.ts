import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The key a caller sent: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  const apiKey = Array.isArray(header) ? header[0] : header;
  if (apiKey) return apiKey.trim();
  const authorization = request.headers.authorization;
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return match?.[1]?.trim();
}

/**
 * Requires a valid API key on every route of the plugin it is registered in. Keys are compared as SHA-256
 * digests in constant time (equal lengths, no early exit) and never logged.
 */
export function requireApiKey(app: FastifyInstance, keys: readonly string[]): void {
  const digests = keys.map(digest);
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (!key) throw new HttpError(401, 'unauthorized', 'missing API key: send X-API-Key: <key> or Authorization: Bearer <key>');
    const given = digest(key);
    let ok = false;
    for (const known of digests) ok = timingSafeEqual(given, known) || ok;
    if (!ok) throw new HttpError(401, 'unauthorized', digests.length ? 'invalid API key' : 'invalid API key: the server has no API keys configured (API_KEYS)');
  });
}
