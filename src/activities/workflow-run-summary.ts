import { workflowPageUrl } from '../domain/github-links.ts';

/** The fields of a GitHub workflow run the workflow keeps; the rest of GitHub's object stays out of history. */
export interface WorkflowRunSummary {
  runId: number;
  status: string | null;
  conclusion: string | null;
  runAttempt?: number;
  htmlUrl?: string;
  updatedAt?: string;
  workflowUrl?: string;
}

interface GithubRun {
  id: number;
  status?: string | null;
  conclusion?: string | null;
  run_attempt?: number;
  html_url?: string;
  updated_at?: string;
  path?: string;
  repository?: { html_url?: string };
}

export function summarizeRun(run: GithubRun): WorkflowRunSummary {
  return {
    runId: run.id,
    status: run.status ?? null,
    conclusion: run.conclusion ?? null,
    runAttempt: run.run_attempt,
    htmlUrl: run.html_url,
    updatedAt: run.updated_at,
    workflowUrl: workflowPageUrl(run.repository?.html_url, run.path),
  };
}
