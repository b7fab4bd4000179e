import { ActivityCancellationType, ApplicationFailure, CancellationScope, isCancellation, log, setHandler } from '@temporalio/workflow';
import type { DeploymentLockContext } from '../config/configured-deployment-lock.ts';
import type { CtrlplaneJobStatus } from '../domain/ctrlplane-status.ts';
import { type JobAgentConfig, type ValidatedJobAgentConfig, withResolvedOwner } from '../domain/job-agent-config.ts';
import { type CarriedJob, createPendingJob, type Job, type JobWorkflowInput, resumedJob } from '../domain/job.ts';
import { jobQuery, setStatusUpdate, workflowRunEventSignal } from '../contract/workflow-contract.ts';
import { failureMessage } from './activity-failure.ts';
import { continueWhenLong } from './continue-when-long.ts';
import { claimCtrlplaneJob, type CtrlplaneReporter, startCtrlplaneReporter } from './ctrlplane-reporter.ts';
import {
  cancelWorkflowRun,
  dispatchOptions,
  dispatchWorkflowRun,
  findWorkflowRun,
  isInvalidIntegration,
  resolveGithubOrganizationLogin,
} from './github-activities.ts';
import { createPublisher, type Publish, publishedAtStart, type WaitingNote } from './job-publisher.ts';
import { type CarriedJobState, JobState } from './job-state.ts';
import { DEFAULT_JOB_TIMEOUTS, type JobTimeouts } from '../domain/job-timeouts.ts';
import { renderJobAgentConfig } from '../domain/render-job-agent-config.ts';
import type { RunBinding } from './run-binding.ts';
import { type ContinueIfLong, type ShowWaiting, waitForFinalStatus, type WaitProgress } from './wait-for-final-status.ts';

export interface JobWorkflowArgs extends JobWorkflowInput {
  timeouts?: Partial<JobTimeouts>;
  /** Set only by continue-as-new: where the previous run of this job's workflow left off. */
  resume?: JobResume;
}

/**
 * Everything a job waiting for its run carries into the next run of its workflow (continue-as-new), so that the
 * next run goes on exactly as this one would have: the job, the binding and de-duplication state, the wait's
 * clock (deadlines count from the first dispatch, not from the continue), and what Ctrlplane was last told.
 */
export interface JobResume {
  /** The job less what the input carries (`carriedJob`). */
  job: CarriedJob;
  state: CarriedJobState;
  wait: WaitProgress;
  /** The status Ctrlplane has from us; null when reports had stopped (Ctrlplane ended or dropped the job). */
  ctrlplaneReported?: CtrlplaneJobStatus | null;
}

/** One deployment job: render → dispatch → wait for the run → final status (docs/architecture.md). */
export async function jobWorkflow(args: JobWorkflowArgs): Promise<Job> {
  const { timeouts: timeoutOverrides, resume, ...input } = args;
  const timeouts = { ...DEFAULT_JOB_TIMEOUTS, ...timeoutOverrides };
  const waiting: WaitingNote = {};
  const publish = createPublisher({ published: resume ? '' : publishedAtStart(), waiting });
  const state = new JobState(resume ? resumedJob(input, resume.job) : createPendingJob(input), publish, resume?.state);
  handleRequests(state);

  let reporter: CtrlplaneReporter | undefined;
  const continueIfLong = continueWhenLong({ args, input, state, timeouts, reporter: () => reporter });
  const showWaiting: ShowWaiting = (note) => {
    if (waiting.note === note) return;
    waiting.note = note;
    publish(state.job);
  };
  const run = () => runJob({ input, state, publish, timeouts, continueIfLong, showWaiting, resumedWait: resume?.wait });

  // Jobs pulled from Ctrlplane are claimed first and report every status back (docs/architecture.md).
  if (!input.ctrlplane) {
    await run();
    return state.job;
  }
  if (!resume) {
    const claim = await claimCtrlplaneJob(input.ctrlplane, input.id);
    if (!claim.claimed) {
      state.finish('skipped', claim.reason);
      return state.job;
    }
  }
  // A job cancelled in Ctrlplane (seen by a report) is cancelled here like one cancelled through Temporal.
  const job = new CancellationScope();
  if (resume?.ctrlplaneReported !== null) {
    reporter = startCtrlplaneReporter(state, input.ctrlplane, input.id, () => job.cancel(), resume?.ctrlplaneReported);
  }
  if (input.ctrlplane.problem && !resume) state.finish('invalid_job_agent', input.ctrlplane.problem);
  else await job.run(run);
  await reporter?.flushed();
  return state.job;
}

/** The job's query, its `workflow_run` events (a signal) and statuses reported by hand (an update). */
function handleRequests(state: JobState): void {
  setHandler(jobQuery, () => state.job);
  setHandler(workflowRunEventSignal, (event) => {
    const rejected = state.applyRunEvent(event);
    // The API refuses longer delivery IDs; a signal sent some other way is not the log's to carry whole.
    if (rejected) log.info('workflow_run event not applied', { deliveryId: String(event.deliveryId).slice(0, 64), runId: event.runId, reason: rejected });
  });
  setHandler(
    setStatusUpdate,
    (change) => {
      state.applyManualChange(change);
      const { status, message, externalId, updatedAt, startedAt, completedAt } = state.job;
      return { status, message, externalId, updatedAt, startedAt, completedAt };
    },
    {
      validator: (change) => {
        const problem = state.checkManualChange(change);
        if (problem) throw ApplicationFailure.create({ type: 'JobStatusConflict', message: problem, nonRetryable: true });
      },
    },
  );
}

interface RunJobOptions {
  input: JobWorkflowInput;
  state: JobState;
  publish: Publish;
  timeouts: JobTimeouts;
  continueIfLong: ContinueIfLong;
  showWaiting: ShowWaiting;
  /** Where the previous run of the workflow left the wait; a continued run only waits. */
  resumedWait?: WaitProgress;
}

/** Render → dispatch → wait; ends with the job in a final status (or cancelled). A continued run only waits. */
async function runJob({ input, state, publish, timeouts, continueIfLong, showWaiting, resumedWait }: RunJobOptions): Promise<void> {
  let dispatchStarted = false;
  let target: RunBinding | undefined;
  try {
    if (resumedWait) {
      dispatchStarted = true;
      target = state.carry().binding;
      if (!target) throw ApplicationFailure.nonRetryable('a continued job carries no run binding');
      await waitForFinalStatus({ state, target, timeouts, continueIfLong, showWaiting, resumed: resumedWait });
      return;
    }
    // 1. Render and validate the job agent config.
    const rendered = renderJobAgentConfig(input);
    if (!rendered.ok) {
      state.finish('invalid_job_agent', rendered.message);
      return;
    }
    const config = await withOwner(state, rendered.config);
    if (!config) return;
    state.job.renderedJobAgentConfig = config;
    const notBefore = new Date().toISOString();
    target = { installationId: config.installationId, owner: config.owner, repo: config.repo, workflowId: config.workflowId, notBefore };
    state.bind(target);
    publish(state.job);

    // 2. Dispatch the GitHub workflow.
    if (state.terminal) return; // ended by hand before we got here
    dispatchStarted = true;
    let dispatched;
    try {
      // A cancel that lands while the dispatch is in flight waits for its answer, so the run it started is known and
      // cancelled too.
      dispatched = await dispatchWorkflowRun.executeWithOptions(
        {
          ...dispatchOptions,
          cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
          summary: `dispatch ${config.owner}/${config.repo}#${config.workflowId}@${config.ref}`,
        },
        [{ ...target, ref: config.ref, jobId: input.id, ...(config.jobTokenInput ? { jobTokenInput: config.jobTokenInput } : {}), ...lockContext(input) }],
      );
    } catch (error) {
      if (isCancellation(error)) throw error;
      state.finish(isInvalidIntegration(error) ? 'invalid_integration' : 'failure', failureMessage(error));
      return;
    }
    if (dispatched.run) state.attachRun(dispatched.run);
    state.releaseHeld();
    if (!state.terminal && state.job.status === 'pending') {
      state.transition('in_progress', `dispatched ${config.owner}/${config.repo}/${config.workflowId} at ${config.ref}`);
    }

    // 3. Wait for the run to finish: webhooks first, the API when they stay away.
    await waitForFinalStatus({ state, target, timeouts, continueIfLong, showWaiting });
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(() => cancelGithubRun(state, dispatchStarted ? target : undefined, input.id));
    state.finish('cancelled', 'job cancelled');
  }
}

/**
 * What the dispatch activity needs to check a job of a configured Deployment against it (docs/architecture.md
 * "Configured Deployments"): the job's context without its variables. Jobs pulled from Ctrlplane carry none.
 */
function lockContext(input: JobWorkflowInput): { lockContext?: DeploymentLockContext } {
  if (input.ctrlplane) return {};
  const { id, deployment, environment, resource, version, release, inputs } = input;
  return { lockContext: { id, deployment, environment, resource, version, release, inputs } };
}

/**
 * The config with its owner: as given, or the login GitHub names for its numeric `organizationId` (Ctrlplane's
 * reading). Undefined when the lookup ended the job: a 404 or other refusal is invalid_integration, as a refused
 * dispatch is; a lookup that kept failing is failure.
 */
async function withOwner(state: JobState, config: ValidatedJobAgentConfig): Promise<JobAgentConfig | undefined> {
  if (config.owner !== undefined) return config;
  try {
    const login = await resolveGithubOrganizationLogin({ installationId: config.installationId, organizationId: config.organizationId });
    return withResolvedOwner(config, login);
  } catch (error) {
    if (isCancellation(error)) throw error;
    state.finish(isInvalidIntegration(error) ? 'invalid_integration' : 'failure', failureMessage(error));
    return undefined;
  }
}

/** Cancels the job's GitHub run, once a dispatch may have started one; a failure is logged, the job still ends cancelled. */
async function cancelGithubRun(state: JobState, target: RunBinding | undefined, jobId: string): Promise<void> {
  if (!target || state.terminal) return;
  try {
    // A run started a moment ago must be found and cancelled: a listing of its own, not one shared with other jobs.
    const runId = state.job.run?.id ?? (await findWorkflowRun({ ...target, jobId }))?.runId;
    if (runId !== undefined) await cancelWorkflowRun({ ...target, runId });
  } catch (error) {
    log.warn('cancelling the GitHub run failed', { error: failureMessage(error) });
  }
}
