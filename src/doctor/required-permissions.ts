/** The repository permissions the guide asks for, and why. */
export const REQUIRED_PERMISSIONS = [
  { name: 'actions', level: 'write', label: 'Actions: Read and write', why: 'to dispatch workflows' },
  { name: 'contents', level: 'read', label: 'Contents: Read-only', why: 'to read workflow files' },
  { name: 'metadata', level: 'read', label: 'Metadata: Read-only', why: 'to see the repositories' },
] as const;

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

/** Labels of the required permissions a permission set lacks (`write` covers `read`). */
export function missingPermissions(granted: Readonly<Record<string, string | undefined>> | undefined): string[] {
  return REQUIRED_PERMISSIONS.filter((p) => (RANK[granted?.[p.name] ?? ''] ?? 0) < (RANK[p.level] as number)).map((p) => `${p.label} (${p.why})`);
}
