/**
 * API keys and their scopes (docs/security.md, "Scoped API keys"). `API_KEYS` is a comma-separated list; an entry is either a bare
 * key, which may do everything (every scope), or `<scope>+<scope>...=<key>`, a key
 * limited to those scopes:
 *
 *   API_KEYS=jobs:create+jobs:read=3f9c…,codec=77ab…,0c1d…
 *
 * Scope names hold only lowercase letters and `:`, and the key starts after the first `=`, so the key itself may
 * hold any character but `,`. Keys made as the docs say (`openssl rand -hex 32`, or base64, whose `=` is trailing
 * padding) can never be read as scoped. An entry that looks scoped but names an unknown scope stops the process.
 */

/** What a key may do; each route of /api/v1 and /codec declares the one it needs (`config.scope`). */
export const API_SCOPES = ['jobs:create', 'jobs:read', 'jobs:report', 'jobs:cancel', 'codec'] as const;

export type ApiScope = (typeof API_SCOPES)[number];

/** What each scope opens, for docs and error messages. */
export const API_SCOPE_ROUTES: Record<ApiScope, string> = {
  'jobs:create': 'POST /api/v1/jobs, POST /api/v1/render',
  'jobs:read': 'GET /api/v1/jobs, GET /api/v1/jobs/{id}, GET /api/v1/workspaces, GET /api/v1/workspaces/{ws}/jobs/{id}',
  'jobs:report': 'PATCH /api/v1/jobs/{id}',
  'jobs:cancel': 'POST /api/v1/jobs/{id}/cancel',
  codec: 'POST /codec/encode, POST /codec/decode',
};

/** A key limited to some scopes. */
export interface ScopedApiKey {
  key: string;
  scopes: readonly ApiScope[];
}

/** A bare string is a key with every scope (the meaning every key had before scopes). */
export type ApiKeyEntry = string | ScopedApiKey;

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/** `scope+scope=key`: the scope list is lowercase letters, `:` and `+` only, and a key follows the `=`. */
const SCOPED_ENTRY = /^([a-z][a-z:+]*)=(.+)$/s;

/**
 * Parses `API_KEYS`. Throws an Error whose message never contains a key (it may end up in a log), only the
 * entry's position and the offending scope.
 */
export function parseApiKeys(text: string | undefined): ApiKeyEntry[] {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  const keys: ApiKeyEntry[] = [];
  entries.forEach((entry, index) => {
    const match = SCOPED_ENTRY.exec(entry);
    let parsed: ApiKeyEntry = entry;
    if (match) {
      const names = (match[1] as string).split('+');
      const unknown = names.filter((name) => !isApiScope(name));
      if (unknown.length) {
        throw new Error(
          `entry ${index + 1} names unknown scope ${unknown.map((name) => `"${name}"`).join(', ')} (scopes: ${API_SCOPES.join(', ')}; ` +
            'write a scoped key as scope+scope=key, or a bare key for every scope)',
        );
      }
      const key = (match[2] as string).trim();
      if (!key) throw new Error(`entry ${index + 1} has scopes but no key after "="`);
      parsed = { key, scopes: [...new Set(names as ApiScope[])] };
    }
    const key = typeof parsed === 'string' ? parsed : parsed.key;
    if (seen.has(key)) throw new Error(`entry ${index + 1} repeats a key listed before it (list each key once)`);
    seen.add(key);
    keys.push(parsed);
  });
  return keys;
}

/** The key text of an entry. */
export function apiKeyText(entry: ApiKeyEntry): string {
  return typeof entry === 'string' ? entry : entry.key;
}

/** The scopes of an entry; a bare key has all of them. */
export function apiKeyScopes(entry: ApiKeyEntry): readonly ApiScope[] {
  return typeof entry === 'string' ? API_SCOPES : entry.scopes;
}
