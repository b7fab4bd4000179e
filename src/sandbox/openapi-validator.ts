import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { GithubOpenapi, JsonObject } from './openapi-spec.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Validates request bodies against GitHub's own schemas and words failures the way GitHub does. */
export interface RequestValidator {
  /** `undefined` when the body is valid, else GitHub's 422 message (`Invalid request.\n\n...`). */
  validateBody(operationId: string, body: unknown): string | undefined;
  /** Checks any value against a schema (used by tests to check response and webhook shapes). */
  validate(schema: JsonObject, value: unknown): string[];
}

export function createRequestValidator(openapi: GithubOpenapi): RequestValidator {
  // strict off: GitHub's schemas carry OpenAPI-only keywords (`example`, `x-github`, ...).
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction>();
  const bySchema = new WeakMap<JsonObject, ValidateFunction>();

  const forOperation = (operationId: string): ValidateFunction | undefined => {
    if (compiled.has(operationId)) return compiled.get(operationId);
    const schema = openapi.operation(operationId).requestSchema;
    if (!schema) return undefined;
    const fn = ajv.compile(toJsonSchema(schema) as JsonObject);
    compiled.set(operationId, fn);
    return fn;
  };

  return {
    validateBody(operationId, body) {
      const validate = forOperation(operationId);
      if (!validate || validate(body)) return undefined;
      return `Invalid request.\n\n${describeErrors(validate.errors ?? [], body)}`;
    },
    validate(schema, value) {
      let fn = bySchema.get(schema);
      if (!fn) {
        fn = ajv.compile(toJsonSchema(schema) as JsonObject);
        bySchema.set(schema, fn);
      }
      if (fn(value)) return [];
      return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    },
  };
}

/** GitHub's validator reports one line per problem, e.g. `"ref" wasn't supplied.` */
function describeErrors(errors: ErrorObject[], body: unknown): string {
  const lines = new Set<string>();
  const notPermitted: string[] = [];
  for (const error of errors) {
    const where = error.instancePath === '' ? 'links/0/schema' : `properties${error.instancePath}`;
    const value = valueAt(body, error.instancePath);
    switch (error.keyword) {
      case 'required':
        lines.add(`"${String(error.params.missingProperty)}" wasn't supplied.`);
        break;
      case 'additionalProperties':
        notPermitted.push(`"${String(error.params.additionalProperty)}"`);
        break;
      case 'type':
        lines.add(`For '${where}', ${rubyInspect(value)} is not ${article(String(error.params.type))}.`);
        break;
      case 'maxProperties':
        lines.add(`For '${where}', ${rubyInspect(value)} has more than ${String(error.params.limit)} properties.`);
        break;
      case 'enum':
        lines.add(`For '${where}', ${rubyInspect(value)} is not a member of ${JSON.stringify(error.params.allowedValues)}.`);
        break;
      default:
        lines.add(`For '${where}', ${rubyInspect(value)} ${error.message ?? 'is invalid'}.`);
    }
  }
  if (notPermitted.length > 0) {
    lines.add(`${notPermitted.join(', ')} ${notPermitted.length === 1 ? 'is not a permitted key' : 'are not permitted keys'}.`);
  }
  return [...lines].join('\n');
}

function valueAt(body: unknown, pointer: string): unknown {
  let value = body;
  for (const part of pointer.split('/').slice(1)) {
    value = (value as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

function rubyInspect(value: unknown): string {
  return value === null || value === undefined ? 'nil' : JSON.stringify(value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * OpenAPI 3.0 `nullable` → JSON Schema: GitHub's schemas use it with and without `type` and with
 * enums that omit `null`, which ajv's own `nullable` support rejects or reads strictly.
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties`/`patternProperties` hold names, not keywords; recurse into their values only.
    out[key] = key === 'enum' || key === 'required' || key === 'example' || key === 'examples' ? value : toJsonSchema(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  } else if ('nullable' in out && typeof out.nullable === 'boolean') {
    delete out.nullable;
  }
  return out;
}
