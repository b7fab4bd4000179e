import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workflowBundleOptions } from '../../src/worker/workflow-source.ts';
import { defaultSandboxRepos, type E2eStack, INSTALLATION_ID, OWNER, REPO, startE2eStack } from '../support/e2e-stack.ts';
import type { renderConformanceCases } from '../support/conformance-workflow.ts';
import { loadCases } from '../template/conformance-harness.ts';
import { renderCase } from '../template/render-conformance-case.ts';

// The template engine and re2js are preloaded: evaluated once per worker, shared by every workflow, their exports
// frozen by the SDK (src/worker/workflow-source.ts). These jobs render in the worker's workflows, one after another,
// with the functions that touch the engine's shared state: compiled-regexp cache, Unicode tables re2js builds on first
// use, case folding, and a template error.
const RELEASE_BRANCH = 'release/1.2.3-service-api';

let env: E2eStack;
beforeAll(async () => {
  const [repo] = defaultSandboxRepos;
  env = await startE2eStack({ sandbox: { repos: [{ ...repo!, branches: [...(repo!.branches ?? []), RELEASE_BRANCH] }] } });
});
afterAll(async () => {
  await env?.stop();
});

const config = (ref: string) => ({ jobAgentConfig: { installationId: INSTALLATION_ID, owner: OWNER, repo: REPO, workflowId: 101, ref } });

describe('template functions in the workflow (preloaded, shared by every workflow of a worker)', () => {
  it('render regular expressions, Unicode classes and case folding the same in job after job', async () => {
    // deployment "api-service", version "v1.2.3" (jobBody).
    const ref = 'release/{{ regexReplaceAll "^v" .version.tag "" }}-{{ regexFind "(?i)SERVICE" .deployment.name }}-{{ regexFind `\\p{Ll}+` .deployment.name }}';
    const jobs = [];
    for (let index = 0; index < 3; index++) jobs.push(await env.createJob(config(ref)));
    for (const job of jobs) await env.waitForStatus(job.id, 'successful');
    for (const job of jobs) {
      expect(env.sandbox.dispatches.filter((dispatch) => dispatch.inputs.job_id === job.id).map((dispatch) => dispatch.ref)).toEqual([RELEASE_BRANCH]);
    }
  });

  it('end a job whose template fails in the workflow with Go’s message, and the next job still renders', async () => {
    // Parses (so the API accepts the job) but fails while executing: the workflow reports it.
    const failing = await env.createJob(config('{{ regexFind "(" .version.tag }}'));
    const failed = await env.waitForStatus(failing.id, 'invalid_job_agent');
    expect(failed.message).toContain('error parsing regexp: missing closing ): `(`');
    const next = await env.createJob(config('{{ regexReplaceAll "-[0-9]+$" "main-1" "" }}'));
    await env.waitForStatus(next.id, 'successful');
    expect(env.sandbox.dispatches.filter((dispatch) => dispatch.inputs.job_id === next.id).map((dispatch) => dispatch.ref)).toEqual(['main']);
  });
});

describe('the template conformance corpus in the workflow sandbox, with the engine preloaded', () => {
  it('renders every case as the engine does outside it, in workflow after workflow', { timeout: 300_000 }, async () => {
    const cases = loadCases();
    const expected = cases.map((c) => renderCase(c));
    const { code } = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../support/conformance-workflow.ts', import.meta.url)),
      preloadModules: workflowBundleOptions().preloadModules,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const taskQueue = `conformance-${randomUUID()}`;
    const worker = await Worker.create({ connection, namespace: inject('temporalNamespace'), taskQueue, workflowBundle: { code } });
    try {
      await worker.runUntil(async () => {
        // Small workflows (each activation stays far below the sandbox's deadlock timeout), twice over: the second round
        // renders every case again after other workflows filled the engine's shared caches.
        for (const round of [1, 2]) {
          const chunks = [];
          for (let start = 0; start < cases.length; start += 25) chunks.push(cases.slice(start, start + 25));
          const rendered = (
            await Promise.all(
              chunks.map((chunk, index) =>
                env.stack.client.workflow.execute<typeof renderConformanceCases>('renderConformanceCases', {
                  taskQueue,
                  workflowId: `conformance-${round}-${index}-${randomUUID()}`,
                  args: [chunk],
                }),
              ),
            )
          ).flat();
          const mismatches = rendered.filter((result, index) => JSON.stringify(result) !== JSON.stringify(expected[index]));
          expect({ round, mismatches }).toEqual({ round, mismatches: [] });
        }
      });
    } finally {
      await connection.close();
    }
  });
});
