import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../contract/search-attributes.ts';

// CommonJS module: Node's ESM loader exposes it as a default export only.
const { temporal } = proto;

const { IndexedValueType } = temporal.api.enums.v1;
const TYPES = { Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Int: IndexedValueType.INDEXED_VALUE_TYPE_INT } as const;

export interface SearchAttributeRegistration {
  added: string[];
  present: string[];
}

/** gRPC status codes that mean "this identity may not change the namespace" rather than "try again". */
const PERMISSION_CODES = new Set([7 /* PERMISSION_DENIED */, 16 /* UNAUTHENTICATED */, 12 /* UNIMPLEMENTED */]);

export class SearchAttributePermissionError extends Error {
  constructor(namespace: string, cause: Error) {
    super(
      `not allowed to register search attributes on namespace "${namespace}" (${cause.message}). ` +
        'Ask a namespace admin to run `gha-agent setup` with admin credentials, or add them by hand: ' +
        SEARCH_ATTRIBUTE_DEFINITIONS.map(({ name, type }) => `${name} (${type})`).join(', ') +
        ' — e.g. `temporal operator search-attribute create --namespace <ns> --name <name> --type <type>`; on Temporal Cloud use the Cloud UI or `tcld namespace search-attributes add`.',
      { cause },
    );
    this.name = 'SearchAttributePermissionError';
  }
}

/**
 * Registers the job workflow's custom search attributes (docs/inspecting-jobs.md) on a namespace. Idempotent: attributes
 * already present with the right type are left alone; one present with another type is an error, because
 * the workflow's upserts would then fail.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<SearchAttributeRegistration> {
  let existing: Record<string, number>;
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes as Record<string, number>;
  } catch (error) {
    throw wrap(error as Error & { code?: number }, namespace);
  }
  const added: string[] = [];
  const present: string[] = [];
  const missing: Record<string, number> = {};
  for (const { name, type } of SEARCH_ATTRIBUTE_DEFINITIONS) {
    const have = existing[name];
    if (have === undefined) {
      missing[name] = TYPES[type];
      added.push(name);
    } else if (have !== TYPES[type]) {
      throw new Error(
        `search attribute ${name} exists on namespace "${namespace}" as ${IndexedValueType[have] ?? have}, expected ${type}; remove or rename it first`,
      );
    } else {
      present.push(name);
    }
  }
  if (added.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (error) {
      // Two `setup` runs at once: the other one won the race, which is just as good.
      if ((error as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw wrap(error as Error & { code?: number }, namespace);
    }
  }
  return { added, present };
}

function wrap(error: Error & { code?: number }, namespace: string): Error {
  if (error.code !== undefined && PERMISSION_CODES.has(error.code)) return new SearchAttributePermissionError(namespace, error);
  if (error.code === 5 /* NOT_FOUND */)
    return new Error(`namespace "${namespace}" does not exist: create it first (temporal operator namespace create --namespace ${namespace})`, {
      cause: error,
    });
  return error;
}
