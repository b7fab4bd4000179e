/**
 * Maps the paths Ctrlplane clients produce from a `base_url` to our routes, so `base_url` works with or
 * without a trailing `/api`. The client get-job-inputs bundles prepends `/api` to the path of every request
 * URL: base `https://agent.example` gives `/api/v1/...`, base `https://agent.example/api` gives
 * `/api/api/v1/...`. Newer clients append `/v1/...` to the base as given: `/v1/...` or `/api/v1/...`.
 * Only `v1` paths are touched; everything else passes through unchanged.
 */
export function normalizeApiPath(url: string): string {
  if (url.startsWith('/api/api/v1/') || url.startsWith('/api/api/v1?') || url === '/api/api/v1') return url.slice(4);
  if (url.startsWith('/v1/') || url.startsWith('/v1?') || url === '/v1') return `/api${url}`;
  return url;
}
