import type { IncomingHttpHeaders } from 'node:http';

/** How a request tried to authenticate; only `api-key` gets past the API. */
export type CtrlplaneAuth = 'api-key' | 'bearer' | 'none' | 'invalid';

/** Ctrlplane's API keys read `<prefix>.<secret>`; anything else can never authenticate. */
const API_KEY_SHAPE = /^[^.\s]+\.\S+$/;

export function isApiKeyShaped(key: string): boolean {
  return API_KEY_SHAPE.test(key);
}

/**
 * Classifies a request's credentials as Ctrlplane's API sees them: only the `X-API-Key` header counts.
 * A Bearer token is refused even when it carries a valid key, since that is what the real API does and
 * an agent that sends one would fail in production.
 */
export function authenticate(headers: IncomingHttpHeaders, apiKeys: ReadonlySet<string>): CtrlplaneAuth {
  const apiKey = headers['x-api-key'];
  // An empty header counts as none, as Ctrlplane's validator reads it.
  if (apiKey !== undefined && apiKey !== '') return typeof apiKey === 'string' && apiKeys.has(apiKey) ? 'api-key' : 'invalid';
  const authorization = headers.authorization;
  if (authorization === undefined) return 'none';
  return /^bearer\s+\S+/i.test(authorization) ? 'bearer' : 'invalid';
}
