import { z } from 'zod';

/** A positive integer that may arrive as a JSON number or as the string a template rendered. */
const positiveInt = (what: string) =>
  z
    .union([z.number(), z.string().trim().regex(/^\d+$/, `${what} must be a positive integer`)])
    .transform(Number)
    .pipe(z.number().int(`${what} must be an integer`).positive(`${what} must be a positive integer`));

/** A GitHub user or organisation name: letters, digits and single hyphens, at most 39, not starting with one. */
const githubOwner = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, `${what} must be a GitHub user or organisation name (letters, digits and -, at most 39)`);

/** The ref dispatched when a config names none (DESIGN §4.1). */
export const DEFAULT_REF = 'main';

/** The GitHub owner of a (raw or rendered) config: `owner`, or Ctrlplane's older name for it, `organizationId`. */
export function configOwner(config: { owner?: unknown; organizationId?: unknown }): unknown {
  return config.owner ?? config.organizationId;
}

/**
 * The rendered job agent config (DESIGN §4.1). `workflowId` is the numeric workflow ID or the workflow's
 * file name (`deploy.yml`), which GitHub's dispatch endpoint accepts in the same place.
 */
export const jobAgentConfigSchema = z
  .looseObject({
    installationId: positiveInt('installationId'),
    owner: githubOwner('owner').optional(),
    organizationId: githubOwner('organizationId').optional(),
    repo: z
      .string()
      .trim()
      .min(1, 'repo is required')
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'repo must be a GitHub repository name (letters, digits, ., _ and -, at most 100)')
      .refine((name) => name !== '.' && name !== '..', 'repo must be a GitHub repository name'),
    workflowId: z.union([
      positiveInt('workflowId'),
      z
        .string()
        .trim()
        .regex(/^[\w.-]+\.ya?ml$/, 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml'),
    ]),
    ref: z
      .string()
      .trim()
      .optional()
      .transform((ref) => (ref ? ref : DEFAULT_REF)),
    /** Opt-in: the workflow_dispatch input that receives a per-job API token (the workflow must declare it). */
    jobTokenInput: z
      .string()
      .trim()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,99}$/, 'jobTokenInput must be a workflow_dispatch input name such as job_token')
      .refine((name) => name !== 'job_id', 'jobTokenInput cannot be job_id')
      .optional(),
  })
  .transform(({ organizationId, owner, ...rest }) => ({ ...rest, owner: configOwner({ owner, organizationId }) as string }));

export type JobAgentConfig = z.output<typeof jobAgentConfigSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  const message = issue.code === 'invalid_type' && issue.input === undefined ? `${path} is required` : issue.message;
  return path && !message.startsWith(path) ? `${path}: ${message}` : message;
}

export type ConfigValidation = { ok: true; config: JobAgentConfig } | { ok: false; message: string };

/** Validates a rendered config; on failure the message names every bad field at once. */
export function validateJobAgentConfig(rendered: unknown): ConfigValidation {
  const parsed = jobAgentConfigSchema.safeParse(rendered);
  const problems = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  const raw = (rendered ?? {}) as { owner?: unknown; organizationId?: unknown };
  const hasOwner = [raw.owner, raw.organizationId].some((value) => typeof value === 'string' && value.trim() !== '');
  if (!hasOwner && !problems.some((problem) => problem.startsWith('owner'))) problems.push('owner is required');
  return parsed.success && problems.length === 0 ? { ok: true, config: parsed.data } : { ok: false, message: problems.join('; ') };
}
