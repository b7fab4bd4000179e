import { randomUUID } from 'node:crypto';
import { type CtrlplaneJobStatus, isFinalCtrlplaneStatus } from '../../src/domain/ctrlplane-status.ts';
import { isTerminalStatus, type JobStatus } from '../../src/domain/job-status.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';
import { API_KEY, CTRLPLANE_WORKSPACE_ID, REPO, WORKFLOW, jobBody, type Cluster } from './cluster.ts';

export type JobOrigin = 'api' | 'ctrlplane';

export interface DrillJob {
  id: string;
  origin: JobOrigin;
  workflowId: number;
}

/** What one drill's jobs came to; `problems` empty means the drill passed. */
export interface LedgerReport {
  jobs: number;
  deliveries: number;
  /** Delivery attempts answered non-2xx (GitHub shows them failed; the redelivery loop sends them again). */
  failedAttempts: number;
  redeliveries: number;
  problems: string[];
}

/** `fetch` against the API through the load balancer, with the drill's key. */
export function api(cluster: Cluster, path: string, init: { method?: string; json?: unknown } = {}): Promise<Response> {
  return fetch(`${cluster.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': API_KEY, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The jobs one drill starts, through both doors (the jobs API behind the load balancer, Ctrlplane's queue), and the
 * checks every drill ends with: each job ended as expected, none dispatched twice, and each GitHub delivery for
 * their runs either applied to its job or answered non-2xx (so GitHub, or the redelivery loop, sends it again).
 */
export class JobLedger {
  readonly jobs: DrillJob[] = [];
  private readonly deliveriesBefore: number;

  constructor(private readonly cluster: Cluster) {
    this.deliveriesBefore = cluster.github.deliveries.length;
  }

  /**
   * Creates a job through the jobs API, on the cluster's next installation; a 502/503 while replicas roll is retried
   * with the same job ID, as a client would.
   */
  async createApiJob(workflowId: number, context: Record<string, unknown> = {}): Promise<DrillJob> {
    const id = randomUUID();
    const body = { ...jobBody(workflowId, id, this.cluster.nextInstallation()), ...context };
    for (let attempt = 1; ; attempt++) {
      const response = await api(this.cluster, '/api/v1/jobs', { method: 'POST', json: body }).catch(() => undefined);
      if (response && (response.status === 201 || response.status === 200)) break;
      if (attempt >= 20 || (response && response.status < 500)) {
        throw new Error(`creating job ${id} failed: ${response ? `${response.status} ${await response.text()}` : 'no answer'}`);
      }
      await sleep(500);
    }
    const job: DrillJob = { id, origin: 'api', workflowId };
    this.jobs.push(job);
    return job;
  }

  /** Queues a job in Ctrlplane for the workers' http-pull agent, on the cluster's next installation. */
  createCtrlplaneJob(workflowId: number): DrillJob {
    const installation = this.cluster.nextInstallation();
    const created = this.cluster.ctrlplane.createJob({
      workspaceId: CTRLPLANE_WORKSPACE_ID,
      jobAgentId: this.cluster.ctrlplaneAgentId,
      deploymentJobAgentConfig: { installationId: installation.id, owner: installation.owner, repo: REPO, workflowId, ref: 'main' },
      dispatchContext: {
        deployment: { id: randomUUID(), name: 'api-service', slug: 'api-service' },
        environment: { id: randomUUID(), name: 'production' },
        resource: { id: randomUUID(), identifier: 'cluster-1', name: 'cluster-1', kind: 'Kubernetes', config: {} },
        version: { id: randomUUID(), tag: 'v1.2.3', name: 'Release 1.2.3' },
        variables: {},
      },
    });
    const job: DrillJob = { id: created.id, origin: 'ctrlplane', workflowId };
    this.jobs.push(job);
    return job;
  }

  /**
   * Jobs through both doors on the held workflow, `api` through the jobs API and `ctrlplane` queued in Ctrlplane,
   * returned once every one has its run: the runs stay in progress until the drill completes them.
   */
  async createHeldJobs(api: number, ctrlplane: number): Promise<DrillJob[]> {
    const held: DrillJob[] = [];
    for (let i = 0; i < api; i++) held.push(await this.createApiJob(WORKFLOW.held));
    for (let i = 0; i < ctrlplane; i++) held.push(this.createCtrlplaneJob(WORKFLOW.held));
    await this.waitUntilDispatched(held);
    return held;
  }

  /** The GitHub run dispatched for a job, once there is one. */
  runOf(job: DrillJob): number | undefined {
    return this.cluster.github.dispatches.find((dispatch) => dispatch.inputs.job_id === job.id)?.runId;
  }

  async waitUntilDispatched(jobs: DrillJob[] = this.jobs, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (jobs.some((job) => this.runOf(job) === undefined)) {
      if (Date.now() > deadline) throw new Error(`${jobs.filter((job) => this.runOf(job) === undefined).length} job(s) not dispatched after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  /** Completes the held runs of these jobs, `everyMs` apart: a steady stream of `completed` webhooks. */
  async completeHeldRuns(jobs: DrillJob[], everyMs: number, conclusion = 'success'): Promise<void> {
    for (const job of jobs) {
      const runId = this.runOf(job);
      if (runId === undefined) throw new Error(`job ${job.id} has no run to complete`);
      await this.cluster.github.completeRun(runId, conclusion);
      await sleep(everyMs);
    }
  }

  /** The job's status where it came from: our API for API jobs, Ctrlplane for Ctrlplane jobs. */
  async statusOf(job: DrillJob): Promise<JobStatus | CtrlplaneJobStatus | undefined> {
    if (job.origin === 'ctrlplane') return this.cluster.ctrlplane.job(job.id)?.status;
    const response = await api(this.cluster, `/api/v1/jobs/${job.id}`).catch(() => undefined);
    if (!response?.ok) return undefined;
    return ((await response.json()) as { status: JobStatus }).status;
  }

  private async ended(job: DrillJob): Promise<boolean> {
    const status = await this.statusOf(job);
    if (status === undefined) return false;
    return job.origin === 'ctrlplane' ? isFinalCtrlplaneStatus(status as CtrlplaneJobStatus) : isTerminalStatus(status as JobStatus);
  }

  async waitUntilEnded(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open: DrillJob[] = [];
      for (const job of this.jobs) if (!(await this.ended(job))) open.push(job);
      if (open.length === 0) return;
      if (Date.now() > deadline) return; // verify() names them
      await sleep(500);
    }
  }

  /** Every check a drill ends with; `expected` is the final status each job must reach (default `successful`). */
  async verify(expected: (job: DrillJob) => string = () => 'successful'): Promise<LedgerReport> {
    const problems: string[] = [];
    const { github, client } = this.cluster;
    const ownRuns = new Map<number, DrillJob>();
    for (const job of this.jobs) {
      const status = await this.statusOf(job);
      if (status !== expected(job)) problems.push(`${job.origin} job ${job.id} ended ${status ?? '(unknown)'}, expected ${expected(job)}`);
      const dispatches = github.dispatches.filter((dispatch) => dispatch.inputs.job_id === job.id);
      if (dispatches.length !== 1) problems.push(`job ${job.id} was dispatched ${dispatches.length} times`);
      for (const dispatch of dispatches) ownRuns.set(dispatch.runId, job);
      if (job.origin === 'ctrlplane') {
        const finals = this.cluster.ctrlplane.statusReports(job.id).filter((report) => isFinalCtrlplaneStatus(report.status as CtrlplaneJobStatus));
        if (finals.length !== 1) problems.push(`Ctrlplane job ${job.id} got ${finals.length} final status reports`);
      }
    }
    const attempts = github.deliveries.slice(this.deliveriesBefore).filter((attempt) => ownRuns.has(attempt.runId));
    const applied = new Map<string, Set<string>>();
    const closedAt = new Map<string, number>();
    for (const job of new Set(ownRuns.values())) {
      const handle = client.workflow.getHandle(jobWorkflowId(job.id, job.origin));
      const history = await handle.fetchHistory();
      const guids = new Set<string>();
      for (const event of history.events ?? []) {
        for (const payload of event.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []) {
          const match = /"deliveryId":"([^"]+)"/.exec(Buffer.from(payload.data ?? []).toString('utf8'));
          if (match?.[1]) guids.add(match[1]);
        }
      }
      applied.set(job.id, guids);
      const closeTime = (await handle.describe()).closeTime;
      if (closeTime) closedAt.set(job.id, closeTime.getTime());
    }
    for (const attempt of attempts) {
      if (typeof attempt.status !== 'number' || attempt.status < 200 || attempt.status > 299) continue;
      const job = ownRuns.get(attempt.runId) as DrillJob;
      const afterClose = attempt.at >= (closedAt.get(job.id) ?? Number.POSITIVE_INFINITY) - 1000;
      if (!applied.get(job.id)?.has(attempt.id) && !afterClose) {
        problems.push(`delivery ${attempt.id} (${attempt.action}, run ${attempt.runId}) was answered ${attempt.status} but never reached job ${job.id}`);
      }
    }
    return {
      jobs: this.jobs.length,
      deliveries: new Set(attempts.map((attempt) => attempt.id)).size,
      failedAttempts: attempts.filter((attempt) => typeof attempt.status !== 'number' || attempt.status >= 300).length,
      redeliveries: attempts.filter((attempt) => attempt.redelivery).length,
      problems,
    };
  }
}
