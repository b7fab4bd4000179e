/** Where the CLI finds the API: flags first, then GHA_AGENT_API_URL / GHA_AGENT_API_KEY. */
export interface ApiTarget {
  url: string;
  key?: string;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export function apiTargetFrom(flags: { 'api-url'?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv): ApiTarget {
  const url = (flags['api-url'] ?? env.GHA_AGENT_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
  return { url, key: flags['api-key'] ?? env.GHA_AGENT_API_KEY };
}

/** An error answer of the API, with its JSON `{error, message}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A tiny JSON client for the jobs API; the key goes in `X-API-Key` and never into a message. */
export function createApiClient(target: ApiTarget, fetchImpl: typeof fetch = fetch) {
  return async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (target.key) headers['x-api-key'] = target.key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchImpl(`${target.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new Error(
        `cannot reach the API at ${target.url}: ${(error as Error).cause ? String((error as { cause: unknown }).cause) : (error as Error).message}`,
        { cause: error },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const { error, message } = (parsed ?? {}) as { error?: string; message?: string };
      const hint =
        response.status === 401
          ? target.key
            ? " (the key must be one of the API's API_KEYS, or the token of a job that is still running; check --api-key or GHA_AGENT_API_KEY)"
            : ' (pass --api-key or set GHA_AGENT_API_KEY)'
          : response.status === 403
            ? ' (the key lacks the scope this needs: see docs/security.md, "Scoped API keys")'
            : '';
      throw new ApiError(response.status, error ?? 'http_error', `${response.status} ${message ?? (text || response.statusText)}${hint}`);
    }
    return parsed as T;
  };
}

export type ApiRequest = ReturnType<typeof createApiClient>;
