import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { ensureTemporalTestServer } from '../../scripts/ensure-temporal-test-server.mjs';
import type {
  Activities,
  DispatchWorkflowRunInput,
  DispatchWorkflowRunResult,
  FindWorkflowRunInput,
  GetWorkflowRunInput,
  LookUpWorkflowRunInput,
  LookUpWorkflowRunResult,
} from '../../src/activities/create-activities.ts';
import type { WorkflowRunSummary } from '../../src/activities/workflow-run-summary.ts';
import type { JobWorkflowInput } from '../../src/domain/job.ts';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/contract/search-attributes.ts';
import { createJobWorker } from '../../src/worker/create-job-worker.ts';

/**
 * Temporal's time-skipping test server (`.tools/`, fetched by scripts/ensure-temporal-test-server.mjs), with the job
 * workflow's search attributes: workflow timers fire as soon as nothing else is running, so a job's hours of waiting
 * take milliseconds.
 */
export async function startTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const path = await ensureTemporalTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
  // The test server adds search attributes but cannot list them (so not `registerSearchAttributes`, which lists first).
  const { INDEXED_VALUE_TYPE_KEYWORD, INDEXED_VALUE_TYPE_INT } = proto.temporal.api.enums.v1.IndexedValueType;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => [name, type === 'Int' ? INDEXED_VALUE_TYPE_INT : INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

export const OWNER = 'acme';
export const REPO = 'deploys';
export const WORKFLOW_ID = 'deploy.yml';

/** A job's input as the API builds it, dispatching `acme/deploys` `deploy.yml`. */
export function jobInput(createdAt: Date): JobWorkflowInput {
  return {
    id: randomUUID(),
    createdAt: createdAt.toISOString(),
    jobAgentConfig: { installationId: 1, owner: OWNER, repo: REPO, workflowId: WORKFLOW_ID },
    deployment: { id: 'd1', name: 'api', slug: 'api' },
    environment: { id: 'e1', name: 'production' },
    resource: { id: 'r1', name: 'cluster-1', identifier: 'cluster-1', kind: 'Kubernetes', version: 'v1' },
    version: { id: 'v1', tag: 'v1.2.3' },
    variables: {},
  } as JobWorkflowInput;
}

export interface FakeGithubOptions {
  /** Whether the dispatch answers with the run it started (github.com) or 204 without it (older GHES). */
  returnRunDetails: boolean;
  /** Whether a look-up finds the run (false: a run nothing ties to the job, as when its run-name lacks the job ID). */
  findsRun: boolean;
}

/**
 * The job worker's GitHub activities over an in-memory GitHub, like the sandbox's: a dispatch starts a run that stays
 * in_progress (its webhooks, if any, are the test's signals); every request is recorded. No listing cache and no request budget, so
 * each look-up the workflow makes is one request here: what the tests count as polls.
 */
export class FakeGithub {
  readonly dispatches: DispatchWorkflowRunInput[] = [];
  readonly lookUps: LookUpWorkflowRunInput[] = [];
  readonly cancels: GetWorkflowRunInput[] = [];
  private readonly runs = new Map<string, WorkflowRunSummary>();
  private nextRunId = 1000;

  constructor(private readonly options: FakeGithubOptions = { returnRunDetails: true, findsRun: true }) {}

  /** The run a job's dispatch started. */
  runOf(jobId: string): WorkflowRunSummary | undefined {
    return this.runs.get(jobId);
  }

  private found(jobId: string): WorkflowRunSummary | null {
    return this.options.findsRun ? (this.runs.get(jobId) ?? null) : null;
  }

  activities(): Activities {
    const fake: Pick<Activities, 'dispatchWorkflowRun' | 'lookUpWorkflowRun' | 'findWorkflowRun' | 'cancelWorkflowRun'> = {
      dispatchWorkflowRun: async (input: DispatchWorkflowRunInput): Promise<DispatchWorkflowRunResult> => {
        this.dispatches.push(input);
        const run: WorkflowRunSummary = { runId: this.nextRunId++, status: 'in_progress', conclusion: null, runAttempt: 1, updatedAt: input.notBefore };
        this.runs.set(input.jobId, run);
        return this.options.returnRunDetails ? { run, recovered: false } : { recovered: false };
      },
      lookUpWorkflowRun: async (input: LookUpWorkflowRunInput): Promise<LookUpWorkflowRunResult> => {
        this.lookUps.push(input);
        return { run: this.found(input.jobId) };
      },
      findWorkflowRun: async (input: FindWorkflowRunInput) => this.found(input.jobId),
      cancelWorkflowRun: async (input: GetWorkflowRunInput) => {
        this.cancels.push(input);
      },
    };
    // The jobs here name their owner by login, so the organization look-up is never called.
    return fake as unknown as Activities;
  }
}

/** The production job worker (bundle, interceptors) on the test environment, running `github`'s activities. */
export async function startJobWorker(env: TestWorkflowEnvironment, taskQueue: string, github: FakeGithub, workflowBundlePath: string): Promise<Worker> {
  return createJobWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities: github.activities(),
    workflowBundlePath,
  });
}
