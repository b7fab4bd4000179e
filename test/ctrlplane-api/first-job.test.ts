import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deriveCtrlplaneAgentId } from '../../src/ctrlplane/agent-id.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import {
  ctrlplaneApi,
  ctrlplaneEnv,
  ctrlplaneRoot,
  ctrlplaneSql,
  queueRealCtrlplaneJob,
  realCtrlplaneApi,
  realJobStatus,
  seed,
  waitForRealStatus,
} from '../support/real-ctrlplane.ts';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.ts';
import { spawnWorker, type SpawnedWorker } from '../support/spawned-worker.ts';
import { jobWorkflowId } from '../../src/domain/job-id.ts';

// The worker as a user runs it (`gha-agent worker`, env vars only) against Ctrlplane's real API, through a proxy
// that records what reached Ctrlplane: the API keeps a job's status, not who set it or how often.
let env: E2eStack;
let proxy: RecordingProxy;
const workers: SpawnedWorker[] = [];
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
  proxy = await startRecordingProxy(ctrlplaneRoot());
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});
afterAll(async () => {
  await proxy?.close();
  await env?.stop();
});

async function startWorkers(agentName: string, count = 1): Promise<string> {
  for (let i = 0; i < count; i++) workers.push(await spawnWorker(env, { ctrlplane: ctrlplaneEnv(proxy.url, agentName) }));
  return deriveCtrlplaneAgentId(seed.workspaceId, agentName);
}

const claimsOf = (jobId: string) => proxy.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/jobs/${jobId}/claim`)).map((r) => r.status);
/** Status reports Ctrlplane accepted for the job, in order. */
const reportsOf = (jobId: string) =>
  proxy.requests
    .filter((r) => r.method === 'PUT' && r.path.endsWith(`/jobs/${jobId}/status`) && r.status === 202)
    .map((r) => (r.body as { status: string }).status);
const dispatchesOf = (jobId: string) => env.sandbox.dispatches.filter((d) => d.inputs.job_id === jobId);

describe("a worker against Ctrlplane's real API", () => {
  it('creates its agent in a workspace that has none, pulls a queued job, dispatches it once and reports every status', async () => {
    const agentName = 'gha-first-job';
    const agentId = await startWorkers(agentName);
    const agent = await ctrlplaneApi(`/v1/workspaces/${seed.workspaceId}/job-agents/${agentId}`);
    expect(agent).toMatchObject({ status: 200, body: { id: agentId, name: agentName, type: 'http-pull' } });

    const jobId = await queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(103) });
    await waitForRealStatus(jobId, 'inProgress');
    const running = await env.waitForStatus(jobId, 'in_progress');
    expect(dispatchesOf(jobId)).toEqual([
      expect.objectContaining({ owner: OWNER, repo: REPO, workflowId: 103, ref: 'main', installationId: INSTALLATION_ID, inputs: { job_id: jobId } }),
    ]);
    await env.sandbox.completeRun(Number(running.externalId), 'success');
    await waitForRealStatus(jobId, 'successful');
    expect(claimsOf(jobId)).toEqual([200]);
    expect(reportsOf(jobId)).toEqual(['successful']);
    expect(dispatchesOf(jobId)).toHaveLength(1);
    expect(await env.getJob(jobId)).toMatchObject({
      status: 'successful',
      ctrlplane: { workspaceId: seed.workspaceId, agentId, reportedStatus: 'successful' },
    });
  });

  it('claims and dispatches each job once with two worker replicas on one agent', async () => {
    const agentName = 'gha-two-replicas';
    const agentId = await startWorkers(agentName, 2);
    const jobIds = await Promise.all(Array.from({ length: 6 }, () => queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(101) })));
    for (const jobId of jobIds) await waitForRealStatus(jobId, 'successful');
    for (const jobId of jobIds) {
      expect(claimsOf(jobId)).toEqual([200]);
      expect(dispatchesOf(jobId)).toHaveLength(1);
      expect(reportsOf(jobId)).toEqual(['successful']);
    }
  });

  it('loses no report and repeats none while the API is down, and pulls the jobs queued meanwhile', async () => {
    const agentName = 'gha-api-outage';
    const agentId = await startWorkers(agentName);
    const held = await queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(103) });
    await waitForRealStatus(held, 'inProgress');
    const running = await env.waitForStatus(held, 'in_progress');
    realCtrlplaneApi.stop();
    // The run ends, and a job is queued, while nothing answers at Ctrlplane's address.
    await env.sandbox.completeRun(Number(running.externalId), 'success');
    await env.waitForStatus(held, 'successful');
    const queuedDuringOutage = await queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(101) });
    await expect.poll(() => proxy.requests.filter((r) => r.path.endsWith(`/jobs/${held}`) && r.status === 0).length, { timeout: 30_000 }).toBeGreaterThan(0);
    realCtrlplaneApi.start();
    await waitForRealStatus(held, 'successful', 150_000);
    await waitForRealStatus(queuedDuringOutage, 'successful', 150_000);
    expect(reportsOf(held)).toEqual(['successful']);
    expect(
      proxy.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/jobs/${held}/status`)).map((r) => (r.body as { status: string }).status),
    ).toEqual(['successful']);
    expect(claimsOf(queuedDuringOutage)).toEqual([200]);
    expect(reportsOf(queuedDuringOutage)).toEqual(['successful']);
    expect(dispatchesOf(queuedDuringOutage)).toHaveLength(1);
  });

  it('runs nothing for a job deleted in Ctrlplane before its claim, and asks once', async () => {
    const agentName = 'gha-deleted-job';
    const agentId = await startWorkers(agentName);
    const claim = proxy.hold('POST', /\/claim$/);
    const jobId = await queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(101) });
    await claim.held();
    await ctrlplaneSql(`DELETE FROM release_job WHERE job_id = :'id'; DELETE FROM job WHERE id = :'id';`, { id: jobId });
    claim.release();
    const job = await env.waitForStatus(jobId, 'skipped');
    expect(job.message).toContain('deleted');
    expect(claimsOf(jobId)).toEqual([404]);
    expect(dispatchesOf(jobId)).toHaveLength(0);
    expect(proxy.requests.filter((r) => r.path.includes(jobId) && r.method === 'PUT')).toHaveLength(0);
  });

  it('stops reporting, once, for a job deleted in Ctrlplane while it runs, and the job still ends here', async () => {
    const agentName = 'gha-deleted-while-running';
    const agentId = await startWorkers(agentName);
    const jobId = await queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(103) });
    await waitForRealStatus(jobId, 'inProgress');
    const running = await env.waitForStatus(jobId, 'in_progress');
    await ctrlplaneSql(`DELETE FROM release_job WHERE job_id = :'id'; DELETE FROM job WHERE id = :'id';`, { id: jobId });
    await env.sandbox.completeRun(Number(running.externalId), 'success');
    const job = await env.waitForStatus(jobId, 'successful');
    // The report read the job, Ctrlplane said it has none, and reporting stopped: no write, no retry.
    await expect
      .poll(async () => (await env.stack.client.workflow.getHandle(jobWorkflowId(jobId, 'ctrlplane')).describe()).status.name, { timeout: 30_000 })
      .toBe('COMPLETED');
    // The poller may read it too (a running job Ctrlplane no longer lists): every read found nothing.
    const reads = proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${jobId}`)).map((r) => r.status);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(new Set([404]));
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes(jobId))).toHaveLength(0);
    expect(job.ctrlplane).toMatchObject({ workspaceId: seed.workspaceId, agentId });
  });

  it('leaves a job of no release queued, says so in a log line and a metric, and never claims it', async () => {
    const agentName = 'gha-no-release';
    const agentId = await startWorkers(agentName);
    const jobId = await queueRealCtrlplaneJob({ agentId, agentName, config: realConfig(101), release: false });
    const lists = () => proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/job-agents/${agentId}/jobs`) && r.status === 200).length;
    const before = lists();
    // Three polls after the job was queued: each lists it, none claims it.
    await expect.poll(lists, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 3);
    expect(claimsOf(jobId)).toEqual([]);
    expect(await ctrlplaneSql(`SELECT status FROM job WHERE id = :'id'`, { id: jobId })).toBe('queued');
    expect(await realJobStatus(jobId)).toBeUndefined();
    const worker = workers[0] as SpawnedWorker;
    expect(worker.output()).toContain(jobId);
    expect(worker.output()).toContain('belongs to no release');
    // Logged once per job, not at every poll.
    expect(worker.output().split('belongs to no release').length - 1).toBe(1);
    const metrics = await (await fetch(`${metricsUrl(worker)}/metrics`)).text();
    expect(metrics).toMatch(/^gha_agent_ctrlplane_jobs_without_release 1$/m);
  });
});

function realConfig(workflowId: number): Record<string, unknown> {
  return {
    installationId: '{{.variables.github_installation_id}}',
    owner: '{{.variables.github_org}}',
    repo: REPO,
    workflowId,
    ref: '{{.version.jobAgentConfig.ref}}',
  };
}

function metricsUrl(worker: SpawnedWorker): string {
  const match = /"metrics":"(http:\/\/[^"]+)\/metrics"/.exec(worker.output());
  if (!match?.[1]) throw new Error(`the worker did not log its metrics URL:\n${worker.output()}`);
  return match[1];
}
