import {
  ActivityCancellationType,
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  metricMeter,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { msToNumber as toMs } from '@temporalio/common';
import type { Activities } from '../activities/create-activities.ts';
import type { DeploymentLockContext } from '../config/configured-deployment-lock.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { type CarriedJob, carriedJob, createPendingJob, type Job, type JobWorkflowInput, resumedJob } from '../domain/job.ts';
import type { CtrlplaneJobStatus } from '../domain/ctrlplane-status.ts';
import { claimCtrlplaneJob, type CtrlplaneReporter, startCtrlplaneReporter } from './ctrlplane-reporter.ts';
import { isTerminalStatus } from '../domain/job-status.ts';
import { searchAttributes } from '../contract/search-attributes.ts';
import { FailureType, jobQuery, setStatusUpdate, workflowRunEventSignal } from '../contract/workflow-contract.ts';
import { failureMessage } from './activity-failure.ts';
import { type CarriedJobState, JobState } from './job-state.ts';
import type { RunBinding } from './run-binding.ts';
import { DEFAULT_JOB_TIMEOUTS, type JobTimeouts } from '../domain/job-timeouts.ts';
import { renderJobAgentConfig } from '../domain/render-job-agent-config.ts';
import { jobPatches, laterPatched, type JobPatch } from './job-patches.ts';
import { type JobAgentConfig, type ValidatedJobAgentConfig, withResolvedOwner } from '../domain/job-agent-config.ts';
import { QuietTimer } from './quiet-timer.ts';
import { firstThatFits, MAX_CONTINUE_AS_NEW_BYTES } from './continue-as-new-size.ts';

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
  /** The job less what the input carries (`carriedJob`); runs that continued before carried all of it. */
  job: CarriedJob;
  state: CarriedJobState;
  wait: WaitProgress;
  /** The status Ctrlplane has from us; null when reports had stopped (Ctrlplane ended or dropped the job). */
  ctrlplaneReported?: CtrlplaneJobStatus | null;
}

/** Where the wait for the run stands. */
interface WaitProgress {
  /** When the wait began (ms since epoch, workflow time): the job's deadlines count from here. */
  startedAt: number;
  pollDelayMs: number;
  intervalMs: number;
}

/** Called at each turn of the wait: continues the workflow as new when its history has grown long. */
type ContinueIfLong = (wait: WaitProgress) => Promise<void>;

/**
 * Mutations (dispatch, cancel) wait for their installation's turn inside the activity, heartbeating (GitHub asks for
 * one mutating request per second per installation; a burst of 200 jobs queues for minutes): the heartbeat timeout,
 * not the queue, bounds how long a worker that died mid-request holds the job up; an hour bounds the queue.
 */
const mutationTimeouts = { startToCloseTimeout: '1 hour', heartbeatTimeout: '30 seconds' } satisfies ActivityOptions;

/**
 * Network errors, 5xx and rate limits are retried (rate limits after GitHub's `retry-after`, the rest with backoff)
 * for up to ten attempts; InvalidIntegration (401/403/404/422, no credentials) is final.
 */
const githubRetry = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [FailureType.InvalidIntegration],
} satisfies ActivityOptions['retry'];

/** Dispatch: retried as above; each retry checks for an existing run first. */
const dispatchOptions: ActivityOptions = { ...mutationTimeouts, retry: githubRetry };
const github = proxyActivities<Activities>(dispatchOptions);

/**
 * A numeric organizationId (Ctrlplane's reading) → the organization's login, once per job, before the dispatch: its
 * result is in history, so a retried dispatch never asks again. Retried like the dispatch; a 404 is final.
 */
const { resolveGithubOrganizationLogin } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: githubRetry });

/** Lookups while waiting: a failed poll is retried a little, then left to the next poll. */
const { lookUpWorkflowRun, findWorkflowRun, getWorkflowRun } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3, nonRetryableErrorTypes: [FailureType.InvalidIntegration] },
});

/** Cancelling the GitHub run is worth insisting on: a run left going deploys after the job said cancelled. */
const { cancelWorkflowRun } = proxyActivities<Activities>({
  ...mutationTimeouts,
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: [FailureType.InvalidIntegration] },
});

function isInvalidIntegration(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === FailureType.InvalidIntegration;
}

/** The published form of what the workflow was started with: status and repository (the API and poller set both). */
function publishedAtStart(): string {
  const attributes = workflowInfo().typedSearchAttributes;
  const status = attributes.get(searchAttributes.status);
  const repository = attributes.get(searchAttributes.repository);
  if (status === undefined) return '';
  return JSON.stringify([[searchAttributes.status.name, status], ...(repository === undefined ? [] : [[searchAttributes.repository.name, repository]])]);
}

/** What the job waits for besides its run (GitHub's request budget), shown in its details while it lasts. */
interface WaitingNote {
  note?: string;
}

/**
 * Keeps the Temporal UI's view of the job current: search attributes and the details pane (one line: status, run
 * link, GitHub's own status), and counts the job when it ends.
 *
 * With `onlyChanges`, an upsert happens only when a value changes, counting what the start already set (for a run that
 * did not continue as new): a job started with its repository (since 0.1.0's final build) skips its first upsert. Jobs
 * started without one, as every recorded history was, compare against status alone and upsert as they did, so they
 * replay unchanged. With `oncePerTask`, the changes of one workflow task (the run and in_progress, known together from
 * the dispatch) make one upsert, sent after the task's other code has run.
 */
function createPublisher(onlyChanges: boolean, initial: string, oncePerTask: boolean, waiting: WaitingNote): (job: Job) => void {
  // Jobs that reached a final status, by status; the SDK drops metrics during replay, so each job counts once.
  const jobsCompleted = metricMeter.createCounter('gha_agent_jobs_completed', 'jobs', 'Jobs that reached a final status');
  let counted = false;
  let published = initial;
  let pending: Job | undefined;
  const upsert = (job: Job): void => {
    const config = job.renderedJobAgentConfig;
    const pairs = [
      { key: searchAttributes.status, value: job.status },
      ...(config ? [{ key: searchAttributes.repository, value: `${config.owner}/${config.repo}` }] : []),
      ...(job.run ? [{ key: searchAttributes.runId, value: job.run.id }] : []),
    ];
    // Each upsert is a history event and a visibility write; skip the ones that would change nothing.
    const values = JSON.stringify(pairs.map(({ key, value }) => [key.name, value]));
    if (!onlyChanges || values !== published) {
      upsertSearchAttributes(pairs);
      published = values;
    }
  };
  return (job) => {
    if (!oncePerTask) upsert(job);
    else {
      // A microtask runs within the workflow task, after the code that changed the job, before its commands are sent.
      if (pending === undefined) {
        void Promise.resolve().then(() => {
          const latest = pending as Job;
          pending = undefined;
          upsert(latest);
        });
      }
      pending = job;
    }
    const parts = [`**${job.status}**`];
    if (job.run) parts.push(job.links.run ? `[run ${job.run.id}](${job.links.run})` : `run ${job.run.id}`);
    if (job.run?.status) parts.push(`GitHub: ${job.run.status}${job.run.conclusion ? ` / ${job.run.conclusion}` : ''}`);
    if (job.message && !job.run) parts.push(job.message);
    if (waiting.note && !isTerminalStatus(job.status)) parts.push(waiting.note);
    setCurrentDetails(parts.join(' · '));
    if (isTerminalStatus(job.status) && !counted) {
      counted = true;
      jobsCompleted.add(1, { status: job.status });
    }
  };
}

/**
 * What the next run of a job's workflow starts with, checked against MAX_CONTINUE_AS_NEW_BYTES before the call, so
 * Temporal never refuses it (a refused continue terminates the workflow). The input is carried once. Past the limit,
 * the de-duplication memory and events held for an unconfirmed run are left behind (a repeated event changes nothing;
 * a run not yet confirmed is found by the next look-up); if it is still too large, undefined: the job does not
 * continue and goes on in this run, whose history Temporal lets grow to 51,200 events, 25 times the 2,000 at which a
 * job continues (docs/architecture.md "Invariants").
 */
function continueArgs(
  args: JobWorkflowArgs,
  input: JobWorkflowInput,
  state: JobState,
  wait: WaitProgress,
  ctrlplaneReported: CtrlplaneJobStatus | null | undefined,
): JobWorkflowArgs | undefined {
  const carried = state.carry();
  const resumeWith = (carriedState: typeof carried): JobWorkflowArgs => ({
    ...args,
    resume: { job: carriedJob(state.job, input), state: carriedState, wait, ctrlplaneReported },
  });
  const fit = firstThatFits([() => resumeWith(carried), () => resumeWith({ ...carried, deliveryDigests: [], held: [] })]);
  if (fit.choice === 0) return fit.args;
  const details = { bytes: fit.bytes, limit: MAX_CONTINUE_AS_NEW_BYTES };
  if (fit.args) log.warn('continuing as new without remembered deliveries and held events: the job would carry too much', details);
  else log.warn('not continuing as new: the job would carry more than Temporal accepts; it goes on in this run', details);
  return fit.args;
}

/** One deployment job: render → dispatch → wait for the run → final status (docs/architecture.md). */
export async function jobWorkflow(args: JobWorkflowArgs): Promise<Job> {
  const { timeouts: timeoutOverrides, resume, ...input } = args;
  const timeouts = { ...DEFAULT_JOB_TIMEOUTS, ...timeoutOverrides };
  const patched = jobPatches();
  // Jobs started before this change upserted on every change, changed or not; their histories replay that way.
  const onlyChanges = patched('upsert-changed-search-attributes-only');
  const waiting: WaitingNote = {};
  const publish = createPublisher(onlyChanges, onlyChanges && !resume ? publishedAtStart() : '', patched('one-upsert-per-workflow-task'), waiting);
  // Jobs started before events were bound to their job replay with the old, unbound handling.
  const bindEvents = resume ? true : patched('bind-run-events-to-job');
  const state = new JobState(resume ? resumedJob(input, resume.job) : createPendingJob(input), publish, { bindEvents, carried: resume?.state });

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

  let reporter: CtrlplaneReporter | undefined;
  // Set once what this run would carry is too large to continue as new: it goes on waiting here (below).
  let tooLargeToContinue = false;
  const continueIfLong: ContinueIfLong = async (wait) => {
    const info = workflowInfo();
    if (tooLargeToContinue) return;
    if (!info.continueAsNewSuggested && info.historyLength < (timeouts.historyEventLimit ?? Number.POSITIVE_INFINITY)) return;
    // Only between events: no update half-answered, no Ctrlplane report in flight. Jobs that began before this
    // existed replay without it (the patch is asked only when a continue is due, so others carry no marker).
    // Nor with a cancel pending: it belongs to this run, which must handle it (cancel the GitHub run).
    if (CancellationScope.current().consideredCancelled) return;
    // An update's handler is done before its bookkeeping is: the wait, woken by the change it made, can get here first.
    // Jobs started before wait for it; older ones go on waiting for the next event, as they did.
    if (!allHandlersFinished() && patched('continue-as-new-once-handlers-finish')) await condition(allHandlersFinished);
    if (!allHandlersFinished() || (reporter && !reporter.idle()) || !patched('continue-as-new-when-history-grows')) return;
    const next = continueArgs(args, input, state, wait, input.ctrlplane ? (reporter?.reported() ?? null) : undefined);
    if (!next) {
      tooLargeToContinue = true;
      return;
    }
    log.info('history has grown long; continuing as new', { historyLength: info.historyLength, historySize: info.historySize });
    await continueAsNew<typeof jobWorkflow>(next);
  };
  const showWaiting = (note: string | undefined) => {
    if (waiting.note === note) return;
    waiting.note = note;
    publish(state.job);
  };
  const run = () => runJob(input, state, publish, patched, timeouts, continueIfLong, resume?.wait, showWaiting);

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

/** Render → dispatch → wait; ends with the job in a final status (or cancelled). A continued run only waits. */
async function runJob(
  input: JobWorkflowInput,
  state: JobState,
  publish: (job: Job) => void,
  patched: (patch: JobPatch) => boolean,
  timeouts: JobTimeouts,
  continueIfLong: ContinueIfLong,
  resumedWait: WaitProgress | undefined,
  showWaiting: ShowWaiting,
): Promise<void> {
  let dispatchStarted = false;
  let target: RunBinding | undefined;
  try {
    if (resumedWait) {
      dispatchStarted = true;
      target = state.carry().binding;
      if (!target) throw ApplicationFailure.nonRetryable('a continued job carries no run binding');
      await waitForFinalStatus(state, target, patched, timeouts, continueIfLong, showWaiting, resumedWait);
      return;
    }
    // 1. Render and validate the job agent config.
    // Jobs rendered before `<no value>` was refused replay as they ran (dispatched, then refused by GitHub); jobs
    // started before configs were read as Ctrlplane reads them replay with the reading they had.
    const rendered = renderJobAgentConfig(input, {
      refuseNoValue: () => patched('refuse-no-value'),
      ctrlplaneReading: () => laterPatched('read-config-as-ctrlplane'),
    });
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
      // cancelled too (jobs started before this replay with the immediate cancel they had).
      const cancellationType = patched('dispatch-answer-before-cancel')
        ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
        : ActivityCancellationType.TRY_CANCEL;
      dispatched = await github.dispatchWorkflowRun.executeWithOptions(
        { ...dispatchOptions, cancellationType, summary: `dispatch ${config.owner}/${config.repo}#${config.workflowId}@${config.ref}` },
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
    await waitForFinalStatus(state, target, patched, timeouts, continueIfLong, showWaiting);
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

/** Shows (or, with undefined, clears) what the job waits for besides its run in its Temporal details. */
type ShowWaiting = (note: string | undefined) => void;

async function waitForFinalStatus(
  state: JobState,
  target: RunBinding,
  patched: (patch: JobPatch) => boolean,
  timeouts: JobTimeouts,
  continueIfLong: ContinueIfLong,
  showWaiting: ShowWaiting,
  resumed?: WaitProgress,
): Promise<void> {
  const started = resumed?.startedAt ?? Date.now();
  const deadline = started + toMs(timeouts.jobTimeout);
  const discoveryDeadline = started + toMs(timeouts.discoveryTimeout);
  const pollInterval = toMs(timeouts.pollInterval);
  // Jobs started before polls backed off replay with the fixed interval.
  const backoff = resumed ? true : patched('poll-with-backoff');
  // Jobs started before replay with a timer started and cancelled for every event (continued runs too).
  const quietTimer = patched('one-quiet-timer-while-events-arrive') ? new QuietTimer() : undefined;
  let pollDelay = resumed?.pollDelayMs ?? pollInterval;
  let interval = resumed?.intervalMs ?? toMs(timeouts.quietPeriod);
  // The poll is due when nothing has arrived for `interval`.
  let pollAt = Date.now() + interval;
  while (!state.terminal) {
    await continueIfLong({ startedAt: started, pollDelayMs: pollDelay, intervalMs: interval });
    const now = Date.now();
    if (now >= deadline) {
      state.finish('failure', `no final status from GitHub within ${formatDuration(toMs(timeouts.jobTimeout))} of dispatch`);
      return;
    }
    // Past the discovery deadline without a run, the job waits for a look-up the budget let through, then ends.
    const limit = state.job.run || now >= discoveryDeadline ? deadline : Math.min(deadline, discoveryDeadline);
    const seen = state.observations;
    const held = state.heldArrivals;
    const changed = () => state.terminal || state.observations !== seen || state.heldArrivals !== held;
    let arrived: boolean;
    if (quietTimer) {
      const wakeAt = Math.max(now + 1, Math.min(pollAt, limit));
      const timer = quietTimer.armFor(wakeAt);
      await condition(() => changed() || timer.fired);
      arrived = changed();
      // Woken by a timer set for an earlier poll than the one now due: set one for the rest.
      if (!arrived && Date.now() < wakeAt) continue;
    } else {
      arrived = await condition(changed, Math.max(1, Math.min(interval, limit - now)));
    }
    if (arrived && state.heldArrivals !== held && !state.job.run && !state.terminal) {
      // An event for a run not yet known to be ours (GHES answers dispatches with 204): confirm it on the job's
      // repository through the API before it counts.
      const outcome = await lookUpRun(state, target, interval, showWaiting);
      pollAt = Date.now() + (typeof outcome === 'object' ? outcome.deferMs : interval);
      continue;
    }
    if (arrived) {
      interval = toMs(timeouts.quietPeriod);
      pollDelay = pollInterval;
      pollAt = Date.now() + interval;
      continue;
    }
    const before = runFingerprint(state);
    const outcome = await lookUpRun(state, target, interval, showWaiting);
    if (typeof outcome === 'object') {
      // The budget said wait: come back then, the poll's interval unchanged.
      pollAt = Date.now() + outcome.deferMs;
      continue;
    }
    // Past the discovery deadline, only a look-up that found no run ends the job (a failed one is not an answer).
    if (outcome === 'seen' && !state.job.run && Date.now() >= discoveryDeadline && !state.terminal) {
      state.finish(
        'external_run_not_found',
        `no GitHub run for job ${state.job.id} found in ${target.owner}/${target.repo} within ${formatDuration(toMs(timeouts.discoveryTimeout))} of dispatch ` +
          `(does the workflow's run-name contain \${{ inputs.job_id }}?)`,
      );
      return;
    }
    // A run that stays as it was is polled less and less often (up to 16 × the poll interval), so a job whose run
    // lasts a day, or whose webhooks never come, keeps a small history; any change brings the interval back.
    pollDelay = backoff && runFingerprint(state) === before ? Math.min(pollDelay * 2, pollInterval * MAX_POLL_BACKOFF) : pollInterval;
    interval = backoff ? pollDelay : pollInterval;
    pollAt = Date.now() + interval;
  }
}

/** Polls back off to this many poll intervals while the run does not change. */
const MAX_POLL_BACKOFF = 16;

/** What a lookup can change: the job's status and the run as GitHub reports it. */
function runFingerprint(state: JobState): string {
  const run = state.job.run;
  return [state.job.status, run?.id, run?.status, run?.conclusion, run?.attempt, run?.updatedAt].join('|');
}

/** What a look-up found: the run (or none yet), nothing (it failed, and was logged), or when to come back. */
type LookUpOutcome = 'seen' | 'failed' | { deferMs: number };

/** Longest a look-up waits for the budget before it asks again: whatever GitHub's headers said. */
const MAX_BUDGET_WAIT_MS = 16 * 60_000;

/**
 * Asks GitHub for the run when webhooks stay away (a listing shared with the worker's other jobs of the workflow may
 * answer, if no older than half the job's `interval`); a failed lookup is logged and left to the next one. When the
 * installation's request budget says wait, says so in the job's details and returns how long (docs/architecture.md
 * "GitHub's request budget"). Jobs started before the budget replay with the look-ups they made.
 */
async function lookUpRun(state: JobState, target: RunBinding, interval: number, showWaiting: ShowWaiting): Promise<LookUpOutcome> {
  // Jobs started before took a failed look-up past the discovery deadline as "no run"; they replay that way.
  const budgeted = laterPatched('look-up-within-budget');
  try {
    let run;
    if (budgeted) {
      const answer = await lookUpWorkflowRun({ ...target, jobId: state.job.id, runId: state.job.run?.id, maxAgeMs: Math.floor(interval / 2) });
      if ('waitMs' in answer) {
        showWaiting(answer.reason);
        // A relative wait, timed by the workflow's own clock: the worker's may differ from the server's.
        return { deferMs: Math.min(Math.max(1000, answer.waitMs), MAX_BUDGET_WAIT_MS) };
      }
      showWaiting(undefined);
      run = answer.run;
    } else {
      run = state.job.run ? await getWorkflowRun({ ...target, runId: state.job.run.id }) : await findWorkflowRun({ ...target, jobId: state.job.id });
    }
    if (run) {
      state.applyObservation(run);
      state.releaseHeld();
    }
    return 'seen';
  } catch (error) {
    if (isCancellation(error)) throw error;
    log.warn('looking up the GitHub run failed', { error: failureMessage(error) });
    return budgeted ? 'failed' : 'seen';
  }
}

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
