import { randomUUID } from 'node:crypto';

/** The sandbox installation, account and repository the drill's and the bench's jobs deploy to. */
export const INSTALLATION_ID = 4242;
export const OWNER = 'acme';
export const REPO = 'deploy-demo';

/** A job body like Ctrlplane's, for the jobs API; `workflowId` picks the sandbox workflow. */
export function jobBody(workflowId: number, id: string = randomUUID()): Record<string, unknown> {
  return {
    id,
    jobAgentConfig: { installationId: INSTALLATION_ID, owner: '{{.variables.github_org}}', repo: REPO, workflowId, ref: 'main' },
    deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
    environment: { id: randomUUID(), name: 'production' },
    resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: { namespace: 'prod' } },
    version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3' },
    variables: { github_org: OWNER },
  };
}
