import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { GithubObjects, RunRecord } from './github-objects.ts';
import type { JsonObject } from './openapi-spec.ts';
import { legacyNodeId } from './rebase-example.ts';

export type WorkflowRunAction = 'requested' | 'in_progress' | 'completed';

interface WebhookDefinition {
  name: string;
  examples: JsonObject[];
}

const require = createRequire(import.meta.url);
let examples: Record<WorkflowRunAction, string> | undefined;

/**
 * The `workflow_run` example deliveries from `@octokit/webhooks-examples`, one per action. The
 * package has no `in_progress` example; that delivery has the same shape as `requested` (GitHub's
 * schemas for the two differ only in `action`), so the `requested` one is its template.
 */
function workflowRunExamples(): Record<WorkflowRunAction, string> {
  if (examples) return examples;
  const file = require.resolve('@octokit/webhooks-examples/api.github.com/index.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as WebhookDefinition[];
  const list = all.find((d) => d.name === 'workflow_run')?.examples ?? [];
  const pick = (action: string, status: string): JsonObject => {
    const found = list.find((e) => e.action === action && (e.workflow_run as JsonObject).status === status);
    if (!found) throw new Error(`@octokit/webhooks-examples has no workflow_run ${action} example with status ${status}`);
    return found;
  };
  const requested = pick('requested', 'queued');
  const completed = pick('completed', 'completed');
  const inProgress = list.find((e) => e.action === 'in_progress') ?? { ...requested, action: 'in_progress' };
  examples = {
    requested: JSON.stringify(requested),
    in_progress: JSON.stringify(inProgress),
    completed: JSON.stringify(completed),
  };
  return examples;
}

/**
 * A `workflow_run` delivery body for one of our runs: the example payload with our run, workflow,
 * repository, organization, sender and installation put in.
 */
export function buildWorkflowRunPayload(objects: GithubObjects, action: WorkflowRunAction, run: RunRecord, installationId: number): JsonObject {
  const example = JSON.parse(workflowRunExamples()[action]) as JsonObject;
  const exampleRun = example.workflow_run as JsonObject;
  const apiRun = objects.run(run);
  const repository = objects.rebaseRepository(example.repository as JsonObject, run.repo);
  // The run nests the short repository shape of the example delivery, not the REST one.
  const nestedRepository = objects.rebaseRepository(exampleRun.repository as JsonObject, run.repo);
  const organization = objects.account(run.repo.owner);
  const exampleOrganization = (example.organization as JsonObject | undefined) ?? {};
  return {
    ...example,
    action,
    workflow_run: {
      ...exampleRun,
      ...apiRun,
      repository: nestedRepository,
      head_repository: nestedRepository,
    },
    workflow: objects.workflow(run.repo, run.workflow, run.createdAt),
    repository,
    organization: {
      ...exampleOrganization,
      login: organization.login,
      id: organization.id,
      node_id: organization.node_id,
      url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}`,
      repos_url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}/repos`,
      events_url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}/events`,
      hooks_url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}/hooks`,
      issues_url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}/issues`,
      members_url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}/members{/member}`,
      public_members_url: `${objects.apiBaseUrl}/orgs/${run.repo.owner}/public_members{/member}`,
      avatar_url: organization.avatar_url,
      description: '',
    },
    sender: objects.botUser(),
    installation: { id: installationId, node_id: legacyNodeId('IntegrationInstallation', installationId) },
  };
}
