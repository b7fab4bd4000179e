import { CTRLPLANE_JOB_STATUSES, type CtrlplaneJobStatus } from '../../ctrlplane/ctrlplane-job.ts';
import { CtrlplaneError } from './ctrlplane-error.ts';
import { isCtrlplaneJobStatus } from './ctrlplane-store.ts';
import { isJsonObject } from './merge-job-agent-config.ts';

/** `PUT …/job-agents/{agentId}`: all three fields are required, since the PUT replaces them all. */
export function parseJobAgentBody(body: unknown): { name: string; type: string; config: Record<string, unknown> } {
  if (!isJsonObject(body)) throw new CtrlplaneError(400, 'Invalid request body', ['the body must be a JSON object']);
  const problems: string[] = [];
  if (typeof body.name !== 'string' || body.name.length === 0) problems.push('name must be a non-empty string');
  if (typeof body.type !== 'string' || body.type.length === 0) problems.push('type must be a non-empty string');
  if (!isJsonObject(body.config)) problems.push('config must be an object');
  if (problems.length > 0) throw new CtrlplaneError(400, 'Invalid request body', problems);
  return { name: body.name as string, type: body.type as string, config: body.config as Record<string, unknown> };
}

/**
 * `PUT …/jobs/{jobId}/status`: only `status` counts, spelled exactly as Ctrlplane does (camelCase).
 * Every other field is ignored, as by Ctrlplane: a message or external id sent here is lost.
 */
export function parseStatusBody(body: unknown): CtrlplaneJobStatus {
  if (!isJsonObject(body)) throw new CtrlplaneError(400, 'Invalid request body', ['the body must be a JSON object']);
  if (!isCtrlplaneJobStatus(body.status)) {
    throw new CtrlplaneError(400, 'Invalid request body', [`status must be one of ${CTRLPLANE_JOB_STATUSES.join(', ')}`]);
  }
  return body.status;
}
