import { type JobAgentConfig, validateJobAgentConfig } from '../shared/job-agent-config.ts';
import type { JobWorkflowInput } from '../shared/job.ts';
import { renderConfig } from '../template/index.ts';

/** `rendered` is the config after templating (absent when a template failed), before validation. */
export type RenderOutcome = { ok: true; config: JobAgentConfig; rendered: unknown } | { ok: false; message: string; rendered?: unknown };

/** The data templates see: the dispatch context under the keys of DESIGN §3, plus the job's own ID. */
export function templateData(input: JobWorkflowInput): Record<string, unknown> {
  return {
    job: { id: input.id },
    deployment: input.deployment,
    environment: input.environment,
    resource: input.resource,
    version: input.version,
    variables: input.variables ?? {},
    release: input.release,
    inputs: input.inputs,
  };
}

/** Renders every string of the job agent config as a Go template, then validates the result. */
export function renderJobAgentConfig(input: JobWorkflowInput): RenderOutcome {
  let rendered: unknown;
  try {
    rendered = renderConfig(input.jobAgentConfig, templateData(input));
  } catch (error) {
    return { ok: false, message: `invalid job agent config: ${(error as Error).message}` };
  }
  const validation = validateJobAgentConfig(rendered);
  return validation.ok ? { ...validation, rendered } : { ok: false, message: `invalid job agent config: ${validation.message}`, rendered };
}
