import { CTRLPLANE_JOB_STATUSES, type CtrlplaneJobStatus } from '../../ctrlplane/ctrlplane-job.ts';
import { CtrlplaneError, type CtrlplaneValidationDetail } from './ctrlplane-error.ts';
import { isCtrlplaneJobStatus } from './ctrlplane-store.ts';

export interface ListJobsQuery {
  status?: CtrlplaneJobStatus;
  includeDispatchContext: boolean;
  limit: number;
  offset: number;
}

const KNOWN = new Set(['status', 'includeDispatchContext', 'limit', 'offset']);
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/**
 * Validates `GET …/job-agents/{agentId}/jobs`'s query strictly, as Ctrlplane's schema does: an unknown
 * parameter, a repeated one or a malformed value is a 400 rather than something quietly ignored, so an
 * agent that sends one finds out here and not in production.
 */
export function parseListJobsQuery(query: URLSearchParams): ListJobsQuery {
  const problems: CtrlplaneValidationDetail[] = [];
  const invalid = (name: string, message: string, errorCode: string) =>
    problems.push({ path: `/query/${name}`, message, errorCode: `${errorCode}.openapi.validation` });
  const names = [...new Set(query.keys())];
  for (const name of names) {
    if (!KNOWN.has(name)) problems.push({ path: `/query/${name}`, message: `Unknown query parameter '${name}'` });
    else if (query.getAll(name).length > 1) invalid(name, 'must be a single value', 'type');
  }
  const status = query.get('status');
  if (status !== null && !isCtrlplaneJobStatus(status))
    invalid('status', `must be equal to one of the allowed values: ${CTRLPLANE_JOB_STATUSES.join(', ')}`, 'enum');
  const include = query.get('includeDispatchContext');
  if (include !== null && include !== 'true' && include !== 'false') invalid('includeDispatchContext', 'must be boolean', 'type');
  const limit = integer(query.get('limit'), DEFAULT_LIMIT);
  if (limit === undefined) invalid('limit', 'must be integer', 'type');
  else if (limit < 1) invalid('limit', 'must be >= 1', 'minimum');
  else if (limit > MAX_LIMIT) invalid('limit', `must be <= ${MAX_LIMIT}`, 'maximum');
  const offset = integer(query.get('offset'), 0);
  if (offset === undefined) invalid('offset', 'must be integer', 'type');
  if (problems.length > 0) throw CtrlplaneError.validation(problems);
  return {
    ...(status !== null ? { status: status as CtrlplaneJobStatus } : {}),
    includeDispatchContext: include === 'true',
    limit: limit as number,
    offset: offset as number,
  };
}

/** A non-negative decimal integer, the default when absent, `undefined` when malformed. */
function integer(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}
