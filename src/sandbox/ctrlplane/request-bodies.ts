import { CTRLPLANE_JOB_STATUSES, type CtrlplaneJobStatus } from '../../ctrlplane/ctrlplane-job.ts';
import { CtrlplaneError, type CtrlplaneValidationDetail } from './ctrlplane-error.ts';
import { isCtrlplaneJobStatus } from './ctrlplane-store.ts';
import { isJsonObject } from './merge-job-agent-config.ts';

const required = (property: string): CtrlplaneValidationDetail => ({
  path: `/body/${property}`,
  message: `must have required property '${property}'`,
  errorCode: 'required.openapi.validation',
});

const notAnObject: CtrlplaneValidationDetail = { path: '/body', message: 'must be object', errorCode: 'type.openapi.validation' };

/** `PUT …/job-agents/{agentId}`: all three fields are required, since the PUT replaces them all. */
export function parseJobAgentBody(body: unknown): { name: string; type: string; config: Record<string, unknown> } {
  if (!isJsonObject(body)) throw CtrlplaneError.validation([notAnObject]);
  const problems: CtrlplaneValidationDetail[] = [];
  for (const property of ['name', 'type'] as const) {
    if (body[property] === undefined) problems.push(required(property));
    else if (typeof body[property] !== 'string') problems.push({ path: `/body/${property}`, message: 'must be string', errorCode: 'type.openapi.validation' });
  }
  if (body.config === undefined) problems.push(required('config'));
  else if (!isJsonObject(body.config)) problems.push({ path: '/body/config', message: 'must be object', errorCode: 'type.openapi.validation' });
  if (problems.length > 0) throw CtrlplaneError.validation(problems);
  return { name: body.name as string, type: body.type as string, config: body.config as Record<string, unknown> };
}

/**
 * `PUT …/jobs/{jobId}/status`: only `status` counts, spelled exactly as Ctrlplane does (camelCase).
 * Every other field is ignored, as by Ctrlplane: a message or external id sent here is lost.
 */
export function parseStatusBody(body: unknown): CtrlplaneJobStatus {
  if (!isJsonObject(body)) throw CtrlplaneError.validation([notAnObject]);
  if (body.status === undefined) throw CtrlplaneError.validation([required('status')]);
  if (!isCtrlplaneJobStatus(body.status)) {
    throw CtrlplaneError.validation([
      {
        path: '/body/status',
        message: `must be equal to one of the allowed values: ${CTRLPLANE_JOB_STATUSES.join(', ')}`,
        errorCode: 'enum.openapi.validation',
      },
    ]);
  }
  return body.status;
}
