import type { TestProject } from 'vitest/node';
import { ctrlplaneApiScript, ensureCtrlplaneApi } from '../../scripts/ensure-ctrlplane-api.mjs';
import { findFreePort } from '../../src/temporal/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Ctrlplane's real API, e.g. `http://127.0.0.1:18080/api`. */
    ctrlplaneApiUrl: string;
    ctrlplanePgPort: number;
    ctrlplaneApiPort: number;
  }
}

let ports: { pgPort: number; apiPort: number } | undefined;

/**
 * Ctrlplane's real API on PostgreSQL, on free ports, with a fresh database (one workspace, no job agent: the seed of
 * ../shared/ctrlplane-api), for every file of the contract suite; stopped at the end.
 */
export async function setup(project: TestProject): Promise<void> {
  await ensureCtrlplaneApi();
  // A run that was killed may have left its servers up: the data directory is one, whatever their ports.
  ctrlplaneApiScript('stop');
  ports = { pgPort: await findFreePort(), apiPort: await findFreePort() };
  ctrlplaneApiScript('reset', ports);
  const url = ctrlplaneApiScript('start', ports).split('\n').pop() as string;
  project.provide('ctrlplaneApiUrl', url);
  project.provide('ctrlplanePgPort', ports.pgPort);
  project.provide('ctrlplaneApiPort', ports.apiPort);
}

export function teardown(): void {
  if (ports) ctrlplaneApiScript('stop', ports);
}
