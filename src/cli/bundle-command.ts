import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '../worker/workflow-source.ts';

/** `gha-agent bundle --out <file>`: bundles the workflow code once (image build) so workers start fast. */
export async function bundleCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string', default: 'dist/workflow-bundle.js' } } });
  const out = resolve(values.out ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode(workflowBundleOptions());
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, code);
  process.stdout.write(`workflow bundle written to ${out} (${Math.round(code.length / 1024)} KiB); set WORKFLOW_BUNDLE_PATH to it\n`);
}
