import type { DispatchContext } from '../domain/dispatch-context.ts';
import type { CtrlplaneOrigin, JobWorkflowInput } from '../domain/job.ts';
import type { CtrlplaneDispatchContext, CtrlplaneJob } from './ctrlplane-job.ts';

/**
 * Ctrlplane sends variable values as literals, with objects wrapped as `{"object": {...}}`. Templates read
 * `.variables.x.key` as they would in our own jobs API, so the wrapper is taken off (one level: an object value
 * that is itself `{"object": …}` arrives wrapped twice).
 */
export function unwrapVariables(variables: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      const isWrapper = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && 'object' in value;
      return [key, isWrapper ? (value as { object: unknown }).object : value];
    }),
  );
}

/**
 * A Ctrlplane job as the input of our job workflow: the same keys our own jobs API takes (docs/jobs-api.md), so the
 * config renders over Ctrlplane's dispatch context exactly as over an API job's. `jobAgentConfig` is the one
 * Ctrlplane merged (agent → deployment → version). A context object Ctrlplane left out stays an empty object:
 * templates that read it render Go's zero value, displays show `?`.
 */
export function ctrlplaneJobToWorkflowInput(job: CtrlplaneJob, origin: CtrlplaneOrigin): JobWorkflowInput {
  const context: CtrlplaneDispatchContext = job.dispatchContext ?? {};
  return {
    id: job.id,
    jobAgentConfig: job.jobAgentConfig,
    createdAt: job.createdAt,
    deployment: (context.deployment ?? {}) as DispatchContext['deployment'],
    environment: (context.environment ?? {}) as DispatchContext['environment'],
    resource: (context.resource ?? {}) as DispatchContext['resource'],
    version: (context.version ?? {}) as DispatchContext['version'],
    variables: unwrapVariables(context.variables ?? {}),
    ...(context.release ? { release: context.release } : {}),
    ...(context.inputs ? { inputs: context.inputs } : {}),
    ctrlplane: origin,
  };
}
