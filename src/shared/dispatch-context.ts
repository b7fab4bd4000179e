import { z } from 'zod';

/**
 * The dispatch context of a job (DESIGN §3): what is deployed where. Objects are open (`loose`) because
 * Ctrlplane sends more fields than we name, and templates may read any of them.
 */
const jsonObject = z.record(z.string(), z.unknown());

export const deploymentSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().min(1),
  slug: z.string().optional(),
});
export const environmentSchema = z.looseObject({ id: z.string().optional(), name: z.string().min(1) });
export const resourceSchema = z.looseObject({
  id: z.string().optional(),
  identifier: z.string().min(1),
  name: z.string().optional(),
  kind: z.string().optional(),
  version: z.string().optional(),
  config: jsonObject.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export const versionSchema = z.looseObject({
  id: z.string().optional(),
  tag: z.string().min(1),
  name: z.string().optional(),
  config: jsonObject.optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

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
