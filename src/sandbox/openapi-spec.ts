import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A JSON object as found in GitHub's OpenAPI description and example payloads. */
export type JsonObject = Record<string, unknown>;

/** One REST operation of GitHub's description, with every `$ref` of its schemas resolved. */
export interface OpenapiOperation {
  operationId: string;
  method: string;
  /** Path template as GitHub writes it, e.g. `/repos/{owner}/{repo}/actions/runs/{run_id}`. */
  path: string;
  /** GitHub's documentation page for the operation; GitHub puts it in its error bodies. */
  docsUrl: string;
  /** JSON schema of the request body, when the operation takes one. */
  requestSchema?: JsonObject;
  requestBodyRequired: boolean;
  /** JSON schema of each documented JSON response, by status code. */
  responseSchemas: Record<string, JsonObject>;
}

/** The part of GitHub's OpenAPI description the sandbox needs, small enough to keep in memory. */
export interface GithubOpenapi {
  operation(operationId: string): OpenapiOperation;
  /** A response example (`components.examples.<name>.value`), deep-copied. */
  example(name: string): JsonObject;
  /** A named schema (`components.schemas.<name>`) with `$ref`s resolved. */
  schema(name: string): JsonObject;
}

/** The operations the sandbox serves; only these are extracted from the 13 MB description. */
export const SANDBOX_OPERATIONS = [
  'apps/get-authenticated',
  'apps/list-installations',
  'apps/get-installation',
  'apps/create-installation-access-token',
  'apps/get-repo-installation',
  'apps/list-repos-accessible-to-installation',
  'repos/get',
  'actions/list-repo-workflows',
  'actions/get-workflow',
  'actions/create-workflow-dispatch',
  'actions/list-workflow-runs',
  'actions/list-workflow-runs-for-repo',
  'actions/get-workflow-run',
  'actions/cancel-workflow-run',
  'apps/get-webhook-config-for-app',
  'apps/update-webhook-config-for-app',
  'apps/list-webhook-deliveries',
  'apps/get-webhook-delivery',
  'apps/redeliver-webhook-delivery',
  'repos/get-content',
  'repos/get-branch',
  'git/get-ref',
  'orgs/get',
] as const;
export type SandboxOperationId = (typeof SANDBOX_OPERATIONS)[number];

const EXAMPLES = [
  'integration',
  'installation',
  'installation-token',
  'full-repository-default-response',
  'repository-paginated-2',
  'workflow',
  'workflow-run',
  'workflow-dispatch-response',
  'webhook-config',
  'hook-delivery-items',
  'hook-delivery',
  'content-file-response-if-content-is-a-file',
  'branch-get',
  'git-ref',
  'organization-full',
] as const;

const SCHEMAS = [
  'workflow-run',
  'workflow',
  'installation',
  'installation-token',
  'integration',
  'webhook-workflow-run-requested',
  'webhook-workflow-run-in-progress',
  'webhook-workflow-run-completed',
] as const;

const require = createRequire(import.meta.url);
let cached: GithubOpenapi | undefined;

/**
 * Reads GitHub's REST description from `@octokit/openapi` once per process and keeps only the
 * operations, examples and schemas the sandbox uses (the whole document is ~100 MB in memory).
 */
export function loadGithubOpenapi(): GithubOpenapi {
  if (cached) return cached;
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const spec = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
  const components = spec.components as Record<string, Record<string, JsonObject>>;
  const resolve = (value: unknown): unknown => deref(value, spec, new Set());

  const operations = new Map<string, OpenapiOperation>();
  const wanted = new Set<string>(SANDBOX_OPERATIONS);
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, JsonObject>>)) {
    for (const [method, op] of Object.entries(item)) {
      const operationId = op.operationId as string | undefined;
      if (!operationId || !wanted.has(operationId)) continue;
      const requestBody = op.requestBody as JsonObject | undefined;
      const body = requestBody?.content as Record<string, JsonObject> | undefined;
      const responseSchemas: Record<string, JsonObject> = {};
      for (const [status, response] of Object.entries(op.responses as Record<string, JsonObject>)) {
        const content = (resolve(response) as JsonObject).content as Record<string, JsonObject> | undefined;
        const schema = content?.['application/json']?.schema;
        if (schema) responseSchemas[status] = resolve(schema) as JsonObject;
      }
      const requestSchema = body?.['application/json']?.schema;
      operations.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path,
        docsUrl: ((op.externalDocs as JsonObject | undefined)?.url as string | undefined) ?? 'https://docs.github.com/rest',
        ...(requestSchema ? { requestSchema: resolve(requestSchema) as JsonObject } : {}),
        requestBodyRequired: requestBody?.required === true,
        responseSchemas,
      });
    }
  }
  for (const id of SANDBOX_OPERATIONS) {
    if (!operations.has(id)) throw new Error(`GitHub's OpenAPI description has no operation ${id}`);
  }

  const examples = new Map<string, string>();
  for (const name of EXAMPLES) {
    const example = components.examples?.[name];
    if (!example) throw new Error(`GitHub's OpenAPI description has no example ${name}`);
    examples.set(name, JSON.stringify(example.value));
  }
  const schemas = new Map<string, JsonObject>();
  for (const name of SCHEMAS) schemas.set(name, resolve({ $ref: `#/components/schemas/${name}` }) as JsonObject);

  cached = {
    operation(operationId) {
      const op = operations.get(operationId);
      if (!op) throw new Error(`operation ${operationId} is not part of the sandbox`);
      return op;
    },
    example(name) {
      const text = examples.get(name);
      if (text === undefined) throw new Error(`example ${name} is not part of the sandbox`);
      return JSON.parse(text) as JsonObject;
    },
    schema(name) {
      const schema = schemas.get(name);
      if (!schema) throw new Error(`schema ${name} is not part of the sandbox`);
      return structuredClone(schema);
    },
  };
  return cached;
}

/** Replaces local `$ref`s by copies of their targets; a cycle is cut with an empty schema. */
function deref(value: unknown, root: JsonObject, seen: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => deref(item, root, seen));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as JsonObject;
  const ref = obj.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (seen.has(ref)) return {};
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as JsonObject)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    const next = new Set(seen).add(ref);
    return deref(target, root, next);
  }
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(obj)) out[key] = deref(child, root, seen);
  return out;
}
