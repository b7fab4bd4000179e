import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal/dev-server.ts';
import { workflowBundleOptions } from '../../src/worker/workflow-source.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
  }
}

let server: TemporalDevServer | undefined;
let bundleDir: string | undefined;

/** One real Temporal dev server (headless, in memory, free ports) and one workflow bundle for all e2e files. */
export async function setup(project: TestProject): Promise<void> {
  server = await startTemporalDevServer({ ui: false, log: (line) => console.log(line) });
  bundleDir = await mkdtemp(join(tmpdir(), 'gha-agent-bundle-'));
  const { code } = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: undefined });
  const workflowBundlePath = join(bundleDir, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  project.provide('workflowBundlePath', workflowBundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
}
