import { z } from 'zod';

/**
 * The dispatch context of a job (docs/jobs-api.md, "Create a job"): what is deployed where. Objects are open (`loose`) because
 * Ctrlplane sends more fields than we name, and templates may read any of them.
 */
const jsonObject = z.record(z.string(), z.unknown());

/** A required part of the context: "required: …" when absent, "must be …" when of another type. */
const part = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `required: ${what}` : `must be ${what.replace(/^the \w+, /, '')}`),
});
/** A required text field of a part. */
const text = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `required: ${what}` : `must be text (${what})`) }).min(1, `must not be empty (${what})`);

export const deploymentSchema = z.looseObject(
  {
    id: z.string().optional(),
    name: text('the deployment name'),
    slug: z.string().optional(),
  },
  part('the deployment, an object with at least name'),
);
export const environmentSchema = z.looseObject(
  { id: z.string().optional(), name: text('the environment name') },
  part('the environment, an object with at least name'),
);
export const resourceSchema = z.looseObject(
  {
    id: z.string().optional(),
    identifier: text('the resource identifier'),
    name: z.string().optional(),
    kind: z.string().optional(),
    version: z.string().optional(),
    config: jsonObject.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  },
  part('the resource, an object with at least identifier'),
);
export const versionSchema = z.looseObject(
  {
    id: z.string().optional(),
    tag: text('the version tag'),
    name: z.string().optional(),
    config: jsonObject.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
  },
  part('the version, an object with at least tag'),
);

export const dispatchContextSchema = z.object({
  deployment: deploymentSchema,
  environment: environmentSchema,
  resource: resourceSchema,
  version: versionSchema,
  variables: jsonObject.default({}),
  release: jsonObject.optional(),
  inputs: jsonObject.optional(),
});

export type DispatchContext = z.infer<typeof dispatchContextSchema>;
