// The body of a render thread (render-pool.ts): renders job agent configs sent by the API's main thread, one at a
// time, with the same code as the workflow's render step.
import { parentPort } from 'node:worker_threads';
import type { JobWorkflowInput } from '../shared/job.ts';
import { renderJobAgentConfig } from '../workflows/render-job-agent-config.ts';

export interface RenderRequest {
  id: number;
  input: JobWorkflowInput;
}

export type RenderReply = { id: number; outcome: ReturnType<typeof renderJobAgentConfig> } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('render-thread.ts runs as a worker thread of render-pool.ts');
port.on('message', ({ id, input }: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { id, outcome: renderJobAgentConfig(input) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
