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
const settingsSchema = z.looseObject({
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
});
export const jobAgentConfigSchema = settingsSchema.transform(({ organizationId, owner, ...rest }) => ({
  ...rest,
  owner: configOwner({ owner, organizationId }) as string,
}));

export type JobAgentConfig = z.output<typeof jobAgentConfigSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  const message = issue.code === 'invalid_type' && issue.input === undefined ? `${path} is required` : issue.message;
  return path && !message.startsWith(path) ? `${path}: ${message}` : message;
}

export type ConfigValidation = { ok: true; config: JobAgentConfig } | { ok: false; message: string };

/** What Go's text/template prints for a missing key (missingkey=zero): a field the job's context does not have. */
const NO_VALUE = '<no value>';

/** The settings this agent reads from a job agent config (the schema's keys); any other key is ignored by jobs. */
const SETTINGS = Object.keys(settingsSchema.shape);

/** The settings a config must give to name a target of its own; the owner as `owner` or `organizationId`. */
const TARGET_SETTINGS = ['installationId', 'owner', 'repo', 'workflowId'] as const;

/** Which target settings a raw (maybe templated) config lacks, in that order; empty text counts as missing. */
export function missingTargetSettings(config: Record<string, unknown>): string[] {
  return TARGET_SETTINGS.filter((setting) =>
    setting === 'owner' ? configOwner(config) === undefined : config[setting] === undefined || config[setting] === '',
  );
}

/** Edit distance, for "did you mean" on a mistyped setting. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Keys of a (raw) config that no job reads: a preview says so, naming the setting probably meant. */
export function jobAgentConfigWarnings(config: unknown, root = 'jobAgentConfig'): string[] {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return [];
  return Object.keys(config)
    .filter((key) => !SETTINGS.includes(key))
    .map((key) => {
      const near = SETTINGS.filter((setting) => distance(key, setting) <= 2).sort((a, b) => distance(key, a) - distance(key, b))[0];
      return `${root}.${key} is not a setting of this agent${near ? ` (did you mean ${near}?)` : ''}; a job ignores it`;
    });
}

/** The settings of a rendered config whose text holds Go's `<no value>`, in schema order. */
export function settingsRenderedNoValue(rendered: unknown): string[] {
  if (rendered === null || typeof rendered !== 'object') return [];
  const config = rendered as Record<string, unknown>;
  return SETTINGS.filter((setting) => typeof config[setting] === 'string' && (config[setting] as string).includes(NO_VALUE));
}

/**
 * Validates a rendered config; on failure the message names every bad field at once. With `refuseNoValue`, a
 * setting that rendered `<no value>` is refused with what that means, instead of reaching GitHub.
 */
export function validateJobAgentConfig(rendered: unknown, options: { refuseNoValue?: boolean } = {}): ConfigValidation {
  const parsed = jobAgentConfigSchema.safeParse(rendered);
  const empty = options.refuseNoValue ? settingsRenderedNoValue(rendered) : [];
  const problems = [
    ...empty.map((setting) => `${setting} rendered as "${NO_VALUE}": its template names something the job's context does not have`),
    ...(parsed.success ? [] : parsed.error.issues.map(describeIssue).filter((problem) => !empty.some((setting) => problem.startsWith(setting)))),
  ];
  const raw = (rendered ?? {}) as { owner?: unknown; organizationId?: unknown };
  const hasOwner = [raw.owner, raw.organizationId].some((value) => typeof value === 'string' && value.trim() !== '');
  if (!hasOwner && !problems.some((problem) => problem.startsWith('owner'))) problems.push('owner is required');
  return parsed.success && problems.length === 0 ? { ok: true, config: parsed.data } : { ok: false, message: problems.join('; ') };
}
