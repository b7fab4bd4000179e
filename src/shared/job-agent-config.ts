import { z } from 'zod';

/** A positive integer that may arrive as a JSON number or as the string a template rendered. */
const positiveInt = (what: string) =>
  z
    .union([z.number(), z.string().trim().regex(/^\d+$/, `${what} must be a positive integer`)])
    .transform(Number)
    .pipe(z.number().int(`${what} must be an integer`).positive(`${what} must be a positive integer`));

/**
 * The rendered job agent config (DESIGN §4.1). `workflowId` is the numeric workflow ID or the workflow's
 * file name (`deploy.yml`), which GitHub's dispatch endpoint accepts in the same place.
 */
export const jobAgentConfigSchema = z
  .looseObject({
    installationId: positiveInt('installationId'),
    owner: z.string().trim().min(1, 'owner is required').optional(),
    organizationId: z.string().trim().min(1).optional(),
    repo: z.string().trim().min(1, 'repo is required'),
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
      .transform((ref) => (ref ? ref : 'main')),
  })
  .refine((config) => Boolean(config.owner ?? config.organizationId), {
    message: 'owner is required',
    path: ['owner'],
  })
  .transform(({ organizationId, owner, ...rest }) => ({ ...rest, owner: (owner ?? organizationId) as string }));

export type JobAgentConfig = z.output<typeof jobAgentConfigSchema>;

/** Validation message that names every bad field, e.g. `repo: repo is required; installationId: ...`. */
export function describeConfigIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const message = issue.code === 'invalid_type' && issue.input === undefined ? `${path} is required` : issue.message;
      return path && !message.startsWith(path) ? `${path}: ${message}` : message;
    })
    .join('; ');
}
