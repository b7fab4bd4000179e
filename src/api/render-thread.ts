// The body of a render thread (render-pool.ts): renders job agent configs sent by the API's main thread, one at a
// time, with the same code as the workflow's render step.
import { parentPort } from 'node:worker_threads';
import type { DeploymentDefinition } from '../config/declarative-config.ts';
import { lockedKeysChanged } from '../config/configured-deployment-lock.ts';
import type { JobWorkflowInput } from '../domain/job.ts';
import { type RenderOutcome, renderJobAgentConfig } from '../domain/render-job-agent-config.ts';

export interface RenderRequest {
  id: number;
  input: JobWorkflowInput;
  /** The configured Deployment the job names, whose locked keys are rendered and compared here too. */
  configured?: DeploymentDefinition;
}

/** A render's outcome, and the locked keys of the configured Deployment the job would change (none without one). */
export interface CheckedRender {
  outcome: RenderOutcome;
  lockedKeysChanged: string[];
}

export type RenderReply = ({ id: number } & CheckedRender) | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('render-thread.ts runs as a worker thread of render-pool.ts');
port.on('message', ({ id, input, configured }: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { id, outcome: renderJobAgentConfig(input), lockedKeysChanged: configured ? lockedKeysChanged(configured, input) : [] };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
