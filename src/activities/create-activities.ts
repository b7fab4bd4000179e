import { Context } from '@temporalio/activity';
import type { GithubClientFactory } from './github-client-factory.ts';
import { toGithubFailure } from './github-failure.ts';
import { runMatchesJob } from './job-run-matcher.ts';
import { summarizeRun, type WorkflowRunSummary } from './workflow-run-summary.ts';

export interface RepoTarget {
  installationId: number;
  owner: string;
  repo: string;
}

export interface DispatchWorkflowRunInput extends RepoTarget {
  workflowId: number | string;
  ref: string;
  jobId: string;
  /** ISO time the job workflow first tried to dispatch; runs created before it cannot be this job's. */
  notBefore: string;
  /**
   * Opt-in per deployment (`jobTokenInput` in the job agent config): the name of a second `workflow_dispatch`
   * input that receives a per-job token. The token itself is made here, never in workflow history.
   */
  jobTokenInput?: string;
}

export interface DispatchWorkflowRunResult {
  /** Absent when GitHub answered 204 without run details (older GitHub Enterprise Server). */
  run?: WorkflowRunSummary;
  /** True when an earlier attempt had already started the run and this one found it instead of dispatching. */
  recovered: boolean;
}

export interface FindWorkflowRunInput extends RepoTarget {
  workflowId: number | string;
  jobId: string;
  notBefore: string;
}

export interface GetWorkflowRunInput extends RepoTarget {
  runId: number;
}

/** Margin for clock skew between us and GitHub when filtering runs by creation time. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * All I/O to GitHub. Built by a factory so tests hand in a client factory pointed at the sandbox; credentials
 * stay in the factory (worker memory), never in activity inputs or results.
 */
export function createActivities(github: GithubClientFactory) {
  async function findWorkflowRun(input: FindWorkflowRunInput): Promise<WorkflowRunSummary | null> {
    const since = new Date(Date.parse(input.notBefore) - CLOCK_SKEW_MS).toISOString();
    try {
      const client = github.forInstallation(input.installationId);
      const runs = await client.paginate(
        client.rest.actions.listWorkflowRuns,
        {
          owner: input.owner,
          repo: input.repo,
          workflow_id: input.workflowId,
          event: 'workflow_dispatch',
          created: `>=${since}`,
          per_page: 100,
        },
        (response, done) => {
          const match = response.data.find((run) => runMatchesJob(run, input.jobId));
          if (match) done();
          return match ? [match] : [];
        },
      );
      return runs[0] ? summarizeRun(runs[0]) : null;
    } catch (error) {
      throw toGithubFailure(error, (status, message) =>
        status === 404
          ? `workflow not found: ${input.owner}/${input.repo}/${input.workflowId} (${message})`
          : `listing runs of ${input.owner}/${input.repo}/${input.workflowId} failed: ${message} (HTTP ${status})`,
      );
    }
  }

  return {
    /**
     * Starts the GitHub workflow for a job. A retry after an unknown outcome (timeout, dropped connection, worker
     * crash) first looks for the run the earlier attempt may have started, so one job never starts two runs.
     */
    async dispatchWorkflowRun(input: DispatchWorkflowRunInput): Promise<DispatchWorkflowRunResult> {
      const target = `${input.owner}/${input.repo}/${input.workflowId}`;
      if (Context.current().info.attempt > 1) {
        const existing = await findWorkflowRun(input);
        if (existing) return { run: existing, recovered: true };
      }
      try {
        const client = github.forInstallation(input.installationId);
        const response = await client.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
          owner: input.owner,
          repo: input.repo,
          workflow_id: input.workflowId,
          ref: input.ref,
          inputs: { job_id: input.jobId },
          return_run_details: true,
          // The outcome of a failed POST is unknown; the next activity attempt checks before dispatching again.
          request: { retries: 0 },
        });
        const details = response.status === 200 ? (response.data as { workflow_run_id?: number; html_url?: string }) : undefined;
        if (details?.workflow_run_id) {
          return {
            run: { runId: details.workflow_run_id, status: 'requested', conclusion: null, htmlUrl: details.html_url },
            recovered: false,
          };
        }
        return { recovered: false };
      } catch (error) {
        throw toGithubFailure(error, (status, message) => {
          if (status === 404) return `workflow not found: ${target} at ${input.ref} (check owner, repo, workflowId and that the App is installed on the repository)`;
          if (status === 403) return `GitHub App may not dispatch workflows in ${input.owner}/${input.repo}: ${message} (grant Actions: read and write)`;
          if (/no ref found/i.test(message)) return `ref not found: ${input.ref} in ${input.owner}/${input.repo} (${message})`;
          if (/workflow_dispatch/i.test(message)) return `workflow ${target} has no workflow_dispatch trigger: ${message}`;
          return `GitHub refused to dispatch ${target} at ${input.ref}: ${message} (HTTP ${status})`;
        });
      }
    },

    findWorkflowRun,

    /** The run as GitHub reports it now; null when it does not exist (deleted, or not visible to the App). */
    async getWorkflowRun(input: GetWorkflowRunInput): Promise<WorkflowRunSummary | null> {
      try {
        const client = github.forInstallation(input.installationId);
        const { data } = await client.rest.actions.getWorkflowRun({ owner: input.owner, repo: input.repo, run_id: input.runId });
        return summarizeRun(data);
      } catch (error) {
        if ((error as { status?: number }).status === 404) return null;
        throw toGithubFailure(error, (status, message) => `reading run ${input.runId} of ${input.owner}/${input.repo} failed: ${message} (HTTP ${status})`);
      }
    },

    /** Asks GitHub to cancel the run; a run that already finished (409) is fine. */
    async cancelWorkflowRun(input: GetWorkflowRunInput): Promise<void> {
      try {
        const client = github.forInstallation(input.installationId);
        await client.rest.actions.cancelWorkflowRun({ owner: input.owner, repo: input.repo, run_id: input.runId });
      } catch (error) {
        if ((error as { status?: number }).status === 409) return;
        throw toGithubFailure(error, (status, message) => `cancelling run ${input.runId} of ${input.owner}/${input.repo} failed: ${message} (HTTP ${status})`);
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
