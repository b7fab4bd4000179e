import { ApplicationFailure, Context } from '@temporalio/activity';
import { type DispatchRule, describeRefusedTarget, isDispatchAllowed } from '../config/dispatch-allowlist.ts';
import { type DeploymentLockContext, describeLockedKeysChanged, lockedSettingsChanged } from '../config/configured-deployment-lock.ts';
import type { DeploymentDefinition } from '../config/declarative-config.ts';
import { mintJobToken } from '../auth/job-token.ts';
import { parseJobWorkflowId } from '../domain/job-id.ts';
import { FailureType } from '../contract/workflow-contract.ts';
import type { GithubClient, GithubClientFactory } from './github-client-factory.ts';
import { toGithubFailure } from './github-failure.ts';
import { inMutationTurn } from './in-mutation-turn.ts';
import { runMatchesJob } from './job-run-matcher.ts';
import { MAX_LISTING_PAGES, type RunListing, WorkflowRunListings } from './workflow-run-listings.ts';
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
  /**
   * The job's context without its variables, for the check against a configured Deployment of the same name
   * (`configured-deployment-lock.ts`); absent for jobs pulled from Ctrlplane, whose config Ctrlplane sets.
   */
  lockContext?: DeploymentLockContext;
}

export interface DispatchWorkflowRunResult {
  /** Absent when GitHub answered 204 without run details (older GitHub Enterprise Server). */
  run?: WorkflowRunSummary;
  /** True when an earlier attempt had already started the run and this one found it instead of dispatching. */
  recovered: boolean;
}

/** The job's run, looked for in a listing of its own: where a run created a moment ago must be seen (dispatch, cancel). */
export interface FindWorkflowRunInput extends RepoTarget {
  workflowId: number | string;
  jobId: string;
  notBefore: string;
}

/** A waiting job's look-up of its run, when webhooks stay away (docs/architecture.md "GitHub's request budget"). */
export interface LookUpWorkflowRunInput extends FindWorkflowRunInput {
  /** The run, once known. */
  runId?: number;
  /** How old a listing shared with other jobs may answer (ms): half the interval at which the job looks. */
  maxAgeMs: number;
}

/**
 * The run (null: GitHub has none, yet or any more), or how long to wait (ms) before asking again because the
 * installation's budget says so: relative, since the worker's clock and the workflow's may differ.
 */
export type LookUpWorkflowRunResult = { run: WorkflowRunSummary | null } | { waitMs: number; reason: string };

export interface GetWorkflowRunInput extends RepoTarget {
  runId: number;
}

/** A numeric GitHub organization ID (Ctrlplane's `organizationId`), looked up as an installation. */
export interface ResolveGithubOrganizationInput {
  installationId: number;
  organizationId: number;
}

/** A run as GitHub lists it. */
type ListedRun = Awaited<ReturnType<GithubClient['rest']['actions']['listWorkflowRuns']>>['data']['workflow_runs'][number];

/** Runs per listing request: GitHub's largest page. */
const LISTING_PAGE = 100;

/** Margin for clock skew between us and GitHub when filtering runs by creation time. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ActivitiesOptions {
  /** JOB_TOKEN_SECRET: the first signs the per-job tokens a dispatch hands to GitHub. Worker memory only. */
  jobTokenSecrets?: readonly string[];
  /** DISPATCH_ALLOWLIST: checked before every dispatch, whatever the job's origin (API or Ctrlplane). */
  dispatchAllowlist?: readonly DispatchRule[];
  /** CONFIG_FILE's Deployments: a job of one dispatches only what it locks (checked again, as the API checked). */
  configuredDeployments?: ReadonlyMap<string, DeploymentDefinition>;
}

const REDACTED_JOB_TOKEN = '[job token]';

/**
 * An error from a dispatch that carried a job token, with the token blanked wherever the error could show it: the
 * Octokit request it keeps (`request.body`, logged with the error by the SDK when the activity fails) and the
 * messages. Retryable errors leave the activity as they are, so this runs before any of them does.
 */
function withoutToken(error: unknown, token: string): unknown {
  const seen = new Set<unknown>();
  const scrub = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const target = value as { message?: unknown; request?: { body?: unknown }; cause?: unknown };
    if (typeof target.message === 'string' && target.message.includes(token)) target.message = target.message.replaceAll(token, REDACTED_JOB_TOKEN);
    const body = target.request?.body;
    if (target.request && body !== undefined && body !== null) {
      // Octokit keeps the body as it was sent: the parameters object, or a string.
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      if (text?.includes(token)) {
        const scrubbed = text.replaceAll(token, REDACTED_JOB_TOKEN);
        target.request.body = typeof body === 'string' ? scrubbed : (JSON.parse(scrubbed) as unknown);
      }
    }
    scrub(target.cause);
  };
  scrub(error);
  return error;
}

/**
 * All I/O to GitHub. Built by a factory so tests hand in a client factory pointed at the sandbox; credentials
 * stay in the factory (worker memory), never in activity inputs or results. So does JOB_TOKEN_SECRET, and the
 * job tokens made from it go to GitHub and nowhere else.
 */
export function createActivities(github: GithubClientFactory, options: ActivitiesOptions = {}) {
  const jobTokenSecret = options.jobTokenSecrets?.[0];
  // Waiting jobs of one workflow share listings of its runs, within the installation's budget.
  const workflowListings = new WorkflowRunListings<ListedRun>(github.budget);

  const listingFailure = (input: FindWorkflowRunInput) => (error: unknown) =>
    toGithubFailure(error, (status, message) =>
      status === 404
        ? `workflow not found: ${input.owner}/${input.repo}/${input.workflowId} (${message})`
        : `listing runs of ${input.owner}/${input.repo}/${input.workflowId} failed: ${message} (HTTP ${status})`,
    );

  /** The workflow's runs created since `since`, newest first, up to MAX_LISTING_PAGES pages (`until` stops sooner). */
  async function listRuns(input: FindWorkflowRunInput, since: number, until?: (runs: ListedRun[]) => boolean): Promise<RunListing<ListedRun>> {
    const client = github.forInstallation(input.installationId);
    const runs: ListedRun[] = [];
    let pages = 0;
    let complete = false;
    for await (const response of client.paginate.iterator(client.rest.actions.listWorkflowRuns, {
      owner: input.owner,
      repo: input.repo,
      workflow_id: input.workflowId,
      event: 'workflow_dispatch',
      per_page: LISTING_PAGE,
      created: `>=${new Date(since).toISOString()}`,
    })) {
      runs.push(...response.data);
      pages++;
      complete = response.data.length < LISTING_PAGE || !/rel="next"/.test(response.headers.link ?? '');
      if (complete || pages >= MAX_LISTING_PAGES || until?.(response.data)) break;
    }
    return { runs, complete };
  }

  /** The job's run, or null when GitHub has none (yet): a listing of its own, paged until the run is found. */
  async function findWorkflowRun(input: FindWorkflowRunInput): Promise<WorkflowRunSummary | null> {
    try {
      const since = Date.parse(input.notBefore) - CLOCK_SKEW_MS;
      const { runs } = await listRuns(input, since, (page) => page.some((run) => runMatchesJob(run, input.jobId)));
      const match = runs.find((run) => runMatchesJob(run, input.jobId));
      return match ? summarizeRun(match) : null;
    } catch (error) {
      throw listingFailure(input)(error);
    }
  }

  /** The run as GitHub reports it now; null when it does not exist (deleted, or not visible to the App). */
  async function getWorkflowRun(input: GetWorkflowRunInput): Promise<WorkflowRunSummary | null> {
    try {
      const client = github.forInstallation(input.installationId);
      const { data } = await client.rest.actions.getWorkflowRun({ owner: input.owner, repo: input.repo, run_id: input.runId });
      return summarizeRun(data);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw toGithubFailure(error, (status, message) => `reading run ${input.runId} of ${input.owner}/${input.repo} failed: ${message} (HTTP ${status})`);
    }
  }

  return {
    /**
     * Starts the GitHub workflow for a job. A retry after an unknown outcome (timeout, dropped connection, worker
     * crash) first looks for the run the earlier attempt may have started, so one job never starts two runs.
     */
    async dispatchWorkflowRun(input: DispatchWorkflowRunInput): Promise<DispatchWorkflowRunResult> {
      const target = `${input.owner}/${input.repo}/${input.workflowId}`;
      if (!isDispatchAllowed(options.dispatchAllowlist, input)) {
        throw ApplicationFailure.create({ type: FailureType.InvalidIntegration, message: describeRefusedTarget(input), nonRetryable: true });
      }
      const configured = input.lockContext && options.configuredDeployments?.get(input.lockContext.deployment?.name ?? '');
      if (configured && input.lockContext) {
        const { installationId, owner, repo, workflowId, ref, jobTokenInput } = input;
        const changed = lockedSettingsChanged(configured, input.lockContext, { installationId, owner, repo, workflowId, ref, jobTokenInput });
        if (changed.length) {
          throw ApplicationFailure.create({
            type: FailureType.InvalidIntegration,
            message: describeLockedKeysChanged(configured, changed),
            nonRetryable: true,
          });
        }
      }
      const inputs: Record<string, string> = { job_id: input.jobId };
      if (input.jobTokenInput) {
        if (!jobTokenSecret) {
          throw ApplicationFailure.create({
            type: FailureType.InvalidIntegration,
            nonRetryable: true,
            message:
              `jobTokenInput "${input.jobTokenInput}" is set but the worker has no JOB_TOKEN_SECRET to sign job tokens with: ` +
              'set JOB_TOKEN_SECRET (the same value) on the worker and the API, or remove jobTokenInput from the job agent config',
          });
        }
        // Bound to the job's origin, which its workflow ID carries: the token reaches this job, not another origin's job of the same ID.
        const origin = parseJobWorkflowId(Context.current().info.workflowExecution?.workflowId ?? '')?.origin ?? 'api';
        inputs[input.jobTokenInput] = mintJobToken(jobTokenSecret, input.jobId, Date.now(), origin);
      }
      const token = input.jobTokenInput ? inputs[input.jobTokenInput] : undefined;
      try {
        const client = github.forInstallation(input.installationId);
        const retry = Context.current().info.attempt > 1;
        const response = await inMutationTurn(github, input.installationId, async (signal) => {
          // Checked in the turn, not before the wait: a run an earlier attempt started while this one waited counts.
          const existing = retry ? await findWorkflowRun(input) : null;
          if (existing) return { recovered: existing };
          return client.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
            owner: input.owner,
            repo: input.repo,
            workflow_id: input.workflowId,
            ref: input.ref,
            inputs,
            return_run_details: true,
            // The outcome of a failed POST is unknown; the next activity attempt checks before dispatching again.
            request: { retries: 0, signal },
          });
        });
        if ('recovered' in response) return { run: response.recovered, recovered: true };
        const details = response.status === 200 ? (response.data as { workflow_run_id?: number; html_url?: string }) : undefined;
        if (details?.workflow_run_id) {
          return {
            run: { runId: details.workflow_run_id, status: 'requested', conclusion: null, htmlUrl: details.html_url },
            recovered: false,
          };
        }
        return { recovered: false };
      } catch (caught) {
        const error = token ? withoutToken(caught, token) : caught;
        throw toGithubFailure(error, (status, message) => {
          if (status === 404)
            return `workflow not found: ${target} at ${input.ref} (check owner, repo, workflowId and that the App is installed on the repository)`;
          if (status === 403) return `GitHub App may not dispatch workflows in ${input.owner}/${input.repo}: ${message} (grant Actions: read and write)`;
          if (/no ref found/i.test(message)) return `ref not found: ${input.ref} in ${input.owner}/${input.repo} (${message})`;
          if (/unexpected inputs/i.test(message) && input.jobTokenInput) {
            return `GitHub refused to dispatch ${target} at ${input.ref}: ${message} (HTTP ${status}; does the workflow declare the "${input.jobTokenInput}" input of jobTokenInput under on.workflow_dispatch.inputs?)`;
          }
          if (/workflow_dispatch/i.test(message)) return `workflow ${target} has no workflow_dispatch trigger: ${message}`;
          return `GitHub refused to dispatch ${target} at ${input.ref}: ${message} (HTTP ${status})`;
        });
      }
    },

    findWorkflowRun,

    /**
     * A waiting job's run as GitHub reports it now, from a listing of its workflow's runs shared with the worker's other
     * jobs of that workflow (docs/architecture.md "GitHub's request budget"); or, when the installation's budget says so,
     * when to come back. A run the listing does not hold (an old run of a busy workflow, or a deleted one) is read alone.
     */
    async lookUpWorkflowRun(input: LookUpWorkflowRunInput): Promise<LookUpWorkflowRunResult> {
      const since = Date.parse(input.notBefore) - CLOCK_SKEW_MS;
      const key = `${input.installationId}/${`${input.owner}/${input.repo}`.toLowerCase()}/${input.workflowId}`;
      let answer;
      try {
        answer = await workflowListings.answer({ installationId: input.installationId, key, since, maxAgeMs: input.maxAgeMs, asker: input.jobId }, (from) =>
          listRuns(input, from),
        );
      } catch (error) {
        throw listingFailure(input)(error);
      }
      const wait = (decision: { until: number; reason: string }) => ({ waitMs: Math.max(0, decision.until - Date.now()), reason: decision.reason });
      if ('deferred' in answer) return wait(answer.deferred);
      const { runs, complete } = answer.listing;
      const match = runs.find((run) => (input.runId === undefined ? runMatchesJob(run, input.jobId) : run.id === input.runId));
      if (match) return { run: summarizeRun(match) };
      // Newest first: a listing that reaches runs older than the job's holds every run the job could have.
      const oldest = runs.at(-1);
      const coversJob = complete || (oldest !== undefined && Date.parse(oldest.created_at) < since);
      if (coversJob && input.runId === undefined) return { run: null };
      // The run is not in the listing (deleted, or older than its pages reach): read alone, if the budget lets.
      const followUp = github.budget?.followUp(input.installationId);
      if (followUp) return wait(followUp);
      if (input.runId !== undefined) return { run: await getWorkflowRun({ ...input, runId: input.runId }) };
      return { run: await findWorkflowRun(input) };
    },

    /**
     * The login of a numeric GitHub organization ID, as Ctrlplane's GitHub agent turns `organizationId` into the owner:
     * `GET /organizations/{id}`, a route GitHub does not document but has long served, answering what
     * `GET /orgs/{org}` answers. Not found (404) is final, as every refusal of GitHub's (InvalidIntegration).
     */
    async resolveGithubOrganizationLogin(input: ResolveGithubOrganizationInput): Promise<string> {
      const described = `GitHub organization ID ${input.organizationId} (organizationId, looked up as installation ${input.installationId})`;
      let data: unknown;
      try {
        const client = github.forInstallation(input.installationId);
        ({ data } = await client.request('GET /organizations/{organization_id}', { organization_id: input.organizationId }));
      } catch (error) {
        throw toGithubFailure(error, (status, message) =>
          status === 404
            ? `${described} not found (GitHub: ${message}): check organizationId, or set owner to the organization's login instead`
            : `looking up ${described} failed: ${message} (HTTP ${status})`,
        );
      }
      const login = (data as { login?: unknown } | null)?.login;
      if (typeof login !== 'string' || login === '') {
        throw ApplicationFailure.create({ type: FailureType.InvalidIntegration, message: `GitHub answered no login for ${described}`, nonRetryable: true });
      }
      return login;
    },

    /** Asks GitHub to cancel the run; a run that already finished (409) is fine. */
    async cancelWorkflowRun(input: GetWorkflowRunInput): Promise<void> {
      try {
        const client = github.forInstallation(input.installationId);
        // Ahead of waiting dispatches: a run left going deploys after its job said cancelled.
        await inMutationTurn(
          github,
          input.installationId,
          (signal) => client.rest.actions.cancelWorkflowRun({ owner: input.owner, repo: input.repo, run_id: input.runId, request: { signal } }),
          { urgent: true },
        );
      } catch (error) {
        if ((error as { status?: number }).status === 409) return;
        throw toGithubFailure(error, (status, message) => `cancelling run ${input.runId} of ${input.owner}/${input.repo} failed: ${message} (HTTP ${status})`);
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
