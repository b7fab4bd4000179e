import type { Octokit } from '@octokit/rest';
import { describeGithubError } from '../github-app/github-app-octokit.ts';
import { inspectWorkflowFile } from './inspect-workflow-file.ts';

export interface WorkflowListing {
  id: number;
  path: string;
  name: string;
  state: string;
  /** `yes`, or why a Ctrlplane job cannot be dispatched to it (or tracked) as it is. */
  dispatch: string;
}

/** A repository's workflows with what their files on the default branch say about dispatching a job. */
export async function listDispatchableWorkflows(github: Octokit, owner: string, repo: string): Promise<WorkflowListing[]> {
  const { data: repository } = await github.request('GET /repos/{owner}/{repo}', { owner, repo });
  const workflows = await github.paginate('GET /repos/{owner}/{repo}/actions/workflows', { owner, repo, per_page: 100 });
  const out: WorkflowListing[] = [];
  for (const workflow of workflows) {
    let dispatch: string;
    try {
      const { data } = await github.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path: workflow.path, ref: repository.default_branch });
      const file = data as { content?: string };
      const facts = inspectWorkflowFile(Buffer.from(file.content ?? '', 'base64').toString('utf8'));
      if (facts.parseError) dispatch = `no: invalid YAML (${facts.parseError})`;
      else if (!facts.hasDispatchTrigger) dispatch = 'no: no workflow_dispatch trigger';
      else if (!facts.hasJobIdInput) dispatch = 'no: no job_id input';
      else if (!facts.runNameHasJobId) dispatch = 'yes, but run-name lacks inputs.job_id (webhooks match by run ID only)';
      else dispatch = 'yes';
    } catch (error) {
      dispatch = `unknown: cannot read the file (${describeGithubError(error).message})`;
    }
    if (workflow.state !== 'active' && dispatch.startsWith('yes')) dispatch = `no: workflow is ${workflow.state}`;
    out.push({ id: workflow.id, path: workflow.path, name: workflow.name, state: workflow.state, dispatch });
  }
  return out;
}
