import { type ValidatedJobAgentConfig, jobAgentConfigWarnings, validateJobAgentConfig } from './job-agent-config.ts';
import type { JobWorkflowInput } from './job.ts';
import { renderConfig, withTemplateHint } from '../template/index.ts';

/**
 * `rendered` is the config after templating (absent when a template failed), before validation; `warnings` are
 * what a preview should say although a job would run (a key no job reads).
 */
export type RenderOutcome =
  { ok: true; config: ValidatedJobAgentConfig; rendered: unknown; warnings: string[] } | { ok: false; message: string; rendered?: unknown; warnings: string[] };

/** The data templates see: the dispatch context under the keys of the jobs API (docs/jobs-api.md), plus the job's own ID. */
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
  const warnings = jobAgentConfigWarnings(input.jobAgentConfig);
  let rendered: unknown;
  try {
    rendered = renderConfig(input.jobAgentConfig, templateData(input));
  } catch (error) {
    const message = withTemplateHint(maskVariableValues((error as Error).message, input.variables ?? {}));
    return { ok: false, message: `invalid job agent config: ${message}`, warnings };
  }
  // A setting that rendered `<no value>` is refused here, saying why, rather than sent to GitHub.
  const validation = validateJobAgentConfig(rendered, { refuseNoValue: true });
  return validation.ok ? { ...validation, rendered, warnings } : { ok: false, message: `invalid job agent config: ${validation.message}`, rendered, warnings };
}

/** Values shorter than this are left in messages: too short to be a secret, too common to mask usefully. */
const MASKED_MIN_LENGTH = 6;

/**
 * A template error may quote the data it failed on; variables can hold secrets (Ctrlplane's sensitive variables
 * reach us resolved), and the message lands in the job and its history. Every variable's text value of a useful
 * length is replaced by `***` wherever it appears.
 */
export function maskVariableValues(message: string, variables: Record<string, unknown>): string {
  const values = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string' && value.length >= MASKED_MIN_LENGTH) values.add(value);
    else if (typeof value === 'number' && String(value).length >= MASKED_MIN_LENGTH) values.add(String(value));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(variables);
  let masked = message;
  // Longest first, so a value that contains another is masked whole.
  for (const value of [...values].sort((a, b) => b.length - a.length)) masked = masked.split(value).join('***');
  return masked;
}
