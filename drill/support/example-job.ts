import { randomUUID } from 'node:crypto';

/** The sandbox installation, account and repository the drill's and the bench's jobs deploy to. */
export const INSTALLATION_ID = 4242;
export const OWNER = 'acme';
export const REPO = 'deploy-demo';

/** A GitHub App installation of the sandbox and the account (organization) it is installed on. */
export interface SandboxInstallation {
  id: number;
  owner: string;
}

/**
 * `count` installations, each on an organization of its own with the same repository: the first is INSTALLATION_ID
 * on OWNER, the others `acme-2`, `acme-3`… An agent deploying for many organizations spreads its jobs this way, and
 * GitHub's one mutating request a second holds per installation (GITHUB_MUTATION_INTERVAL_MS).
 */
export function sandboxInstallations(count = 1): SandboxInstallation[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? { id: INSTALLATION_ID, owner: OWNER } : { id: INSTALLATION_ID + i, owner: `${OWNER}-${i + 1}` }));
}

/** A job body like Ctrlplane's, for the jobs API; `workflowId` picks the sandbox workflow, `installation` its organization. */
export function jobBody(
  workflowId: number,
  id: string = randomUUID(),
  installation: SandboxInstallation = { id: INSTALLATION_ID, owner: OWNER },
): Record<string, unknown> {
  return {
    id,
    jobAgentConfig: { installationId: installation.id, owner: '{{.variables.github_org}}', repo: REPO, workflowId, ref: 'main' },
    deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
    environment: { id: randomUUID(), name: 'production' },
    resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod' } },
    version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3' },
    variables: { github_org: installation.owner },
  };
}
