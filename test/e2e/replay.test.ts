import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type JobOrigin, jobWorkflowId } from '../../src/domain/job-id.ts';
import { findTemporalCli } from '../../src/dev/temporal/temporal-cli.ts';
import { queueCtrlplaneJob } from '../support/ctrlplane-jobs.ts';
import { growHistoryUntilContinued, runsOfJob } from '../support/job-runs.ts';
import { type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';

// Running jobs replay their history on every worker restart: a workflow change that would make an old history
// take another path breaks them. This test runs one job per path through the workflow and replays its history, and
// replays every recorded history in test/replay-histories/<release>/ through today's code.
//
// Recording (the one way): before a release, with the release's code,
//   RECORD_HISTORIES=<release> npx vitest run --project e2e test/e2e/replay.test.ts
// writes test/replay-histories/<release>/<scenario>.json (replacing that release's files); commit them and keep
// every earlier release's directory while jobs it started may still be running (docs/architecture.md "Changing
// workflow code after a release"). Histories are the JSON of `temporal workflow show --output json`, which the
// replayer reads as is.
const run = promisify(execFile);
const HISTORY_DIR = fileURLToPath(new URL('../replay-histories/', import.meta.url));
/** Low, so that one scenario continues as new; the others stay far below it. */
const HISTORY_EVENT_LIMIT = 80;
const TERMINAL = ['successful', 'failure', 'cancelled', 'skipped', 'invalid_job_agent', 'invalid_integration', 'external_run_not_found'] as const;

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({
    jobTimeouts: { quietPeriod: '1 second', pollInterval: '1 second', discoveryTimeout: '5 seconds', historyEventLimit: HISTORY_EVENT_LIMIT },
    ctrlplane: true,
  });
});
afterAll(async () => {
  await env?.stop();
});

/** One job per path through the workflow, each run to its end. */
async function runScenarios(): Promise<Array<{ name: string; jobId: string; runId?: string; origin?: JobOrigin }>> {
  const config = (workflowId: number | string, extra: Record<string, unknown> = {}) => ({
    jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId, ...extra },
  });
  const scenarios: Array<{ name: string; jobId: string; runId?: string; origin?: JobOrigin }> = [];
  const run = async (name: string, body: Record<string, unknown>, during?: (jobId: string) => Promise<void>) => {
    const job = await env.createJob(body);
    await during?.(job.id);
    await env.waitForStatus(job.id, [...TERMINAL]);
    scenarios.push({ name, jobId: job.id });
  };
  await run('successful', config(101));
  await run('failure', config(102));
  await run('invalid-job-agent', config('not a workflow'));
  await run('invalid-integration', config(999));
  await run('cancelled', config(103), async (jobId) => {
    await env.waitForStatus(jobId, 'in_progress');
    await env.api(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' });
  });
  await run('manual-status', config(103), async (jobId) => {
    await env.waitForStatus(jobId, 'in_progress');
    await env.api(`/api/v1/jobs/${jobId}`, { method: 'PATCH', json: { status: 'successful', message: 'by hand' } });
  });
  // Written for Ctrlplane's GitHub agent: the owner as a numeric organization ID (looked up), a ref that is not text.
  await run('ctrlplane-reading', {
    jobAgentConfig: { installationId: INSTALLATION_ID, organizationId: env.sandbox.organizationId(OWNER), repo: REPO, workflowId: 101, ref: null },
  });
  env.relay.setMode({ drop: true });
  await run('lost-webhooks', config(101));
  env.relay.setMode({});
  // Reports by hand grow the history past the limit: the job continues as new, then its run ends it.
  const continued = await env.createJob(config(103));
  const running = await env.waitForStatus(continued.id, 'in_progress');
  await growHistoryUntilContinued(env, continued.id);
  await env.sandbox.completeRun(Number(running.externalId), 'success');
  await env.waitForStatus(continued.id, [...TERMINAL]);
  for (const [index, execution] of (await runsOfJob(env.stack.client, continued.id)).entries())
    scenarios.push({ name: `continued-as-new-run-${index + 1}`, jobId: continued.id, runId: execution.runId });

  // Jobs pulled from Ctrlplane: claim first, reports after.
  const ctrlplane = env.ctrlplane!;
  const agentId = env.stack.ctrlplane!.origin.agentId;
  const pulled = async (name: string, workflowId: number, during?: (jobId: string) => Promise<void>) => {
    const job = queueCtrlplaneJob(ctrlplane, agentId, { workflowId });
    await during?.(job.id);
    await env.waitForStatus(job.id, [...TERMINAL]);
    // The workflow ends once Ctrlplane has the final status.
    await env.stack.client.workflow.getHandle(jobWorkflowId(job.id, 'ctrlplane')).result();
    scenarios.push({ name, jobId: job.id, origin: 'ctrlplane' });
  };
  await pulled('ctrlplane-successful', 101);
  ctrlplane.injectFault({ kind: 'lost-response', method: 'POST', path: /\/claim$/ });
  await pulled('ctrlplane-lost-claim', 102);
  await pulled('ctrlplane-cancelled-in-ctrlplane', 103, async (jobId) => {
    await env.waitForStatus(jobId, 'in_progress');
    ctrlplane.setJobStatus(jobId, 'cancelled');
  });
  await pulled('ctrlplane-claimed-elsewhere', 101, async (jobId) => {
    ctrlplane.injectFault({ kind: 'delay', method: 'POST', path: new RegExp(`/jobs/${jobId}/claim$`), delayMs: 2000 });
    await env.waitForStatus(jobId, 'pending');
    ctrlplane.setJobStatus(jobId, 'inProgress');
  });
  return scenarios;
}

/** The history as `temporal workflow show --output json` writes it: the format Temporal's tools exchange. */
async function historyJsonOf(workflowId: string, runId?: string): Promise<string> {
  const cli = await findTemporalCli();
  const { stdout } = await run(
    cli,
    [
      'workflow',
      'show',
      '-w',
      workflowId,
      ...(runId ? ['--run-id', runId] : []),
      '--address',
      inject('temporalAddress'),
      '--namespace',
      inject('temporalNamespace'),
      '--output',
      'json',
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

/** Every recorded history, named `<release>/<scenario>.json`. */
async function recordedHistories(): Promise<Array<{ workflowId: string; history: unknown }>> {
  const histories = [];
  for (const release of await readdir(HISTORY_DIR, { withFileTypes: true })) {
    if (!release.isDirectory()) continue;
    for (const file of (await readdir(`${HISTORY_DIR}${release.name}`)).filter((name) => name.endsWith('.json'))) {
      const history = JSON.parse(await readFile(`${HISTORY_DIR}${release.name}/${file}`, 'utf8')) as unknown;
      histories.push({ workflowId: `${release.name}/${file}`, history });
    }
  }
  return histories;
}

describe('workflow determinism', () => {
  it('replays the histories of jobs run by this code, and every recorded history', async () => {
    const scenarios = await runScenarios();
    const freshJson = await Promise.all(
      scenarios.map(async ({ name, jobId, runId, origin }) => ({
        name,
        workflowId: jobWorkflowId(jobId, origin),
        json: await historyJsonOf(jobWorkflowId(jobId, origin), runId),
      })),
    );
    const release = process.env.RECORD_HISTORIES;
    if (release) {
      // Stack traces name files of this checkout: recorded as if it lived in /app, like the image.
      const checkout = fileURLToPath(new URL('../../', import.meta.url));
      const dir = `${HISTORY_DIR}${release}/`;
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      for (const { name, json } of freshJson) await writeFile(`${dir}${name}.json`, json.replaceAll(checkout, '/app/'));
    }
    const fresh = freshJson.map(({ name, workflowId, json }) => ({ name, workflowId, history: JSON.parse(json) as unknown }));
    const recorded = await recordedHistories();
    // At least one release's histories, one for each path a job takes today.
    expect(recorded.length).toBeGreaterThanOrEqual(scenarios.length);

    const failures: string[] = [];
    const all = [...fresh, ...recorded];
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      all.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    let replayed = 0;
    for await (const result of results) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(replayed).toBe(all.length);
    expect(failures).toEqual([]);
  });
});
