import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The first `go install` of helm takes about two minutes on two idle cores with empty caches, ten on a busy machine. */
export const TOOL_INSTALL_TIMEOUT_MS = 30 * 60 * 1000;

type ToolScript = 'ensure-helm' | 'ensure-hadolint' | 'ensure-kubernetes-schemas' | 'ensure-compose-config';

/** Runs one of scripts/ensure-*.mjs (built or fetched once into .tools/, then reused) and returns the path it prints. */
export async function ensureTool(script: ToolScript): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'scripts', `${script}.mjs`)], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const printed = stdout.trim().split('\n').at(-1);
  if (!printed) throw new Error(`${script} printed no path`);
  return printed;
}
