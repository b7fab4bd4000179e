/**
 * The one workspace this service has. Ctrlplane scopes jobs by workspace; here every API key sees every job of
 * the agent (keys are interchangeable credentials, not tenants), so one fixed workspace is the honest answer.
 * Its ID is constant so it is the same on every replica and across restarts.
 */
export const DEFAULT_WORKSPACE = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'default',
  slug: 'default',
  createdAt: '2025-01-01T00:00:00.000Z',
} as const;

/** The workspace ID or its slug both name it, as Ctrlplane accepts either in most places. */
export function isDefaultWorkspace(idOrSlug: string): boolean {
  return idOrSlug === DEFAULT_WORKSPACE.id || idOrSlug === DEFAULT_WORKSPACE.slug;
}
