import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Where an example payload points and where the sandbox wants it to point instead. */
export interface RebaseTarget {
  /** API base the example's `https://api.github.com/...` URLs are moved to. */
  apiBaseUrl: string;
  /** `owner/name` of the example's repository and of ours. */
  fullName?: { from: string; to: string };
  /** Login of the example's account and of ours (URL-encoded where it appears in URLs). */
  owner?: { from: string; to: string };
}

/**
 * Rebased examples, as JSON text, by example and target. The sandbox builds the same few (its accounts, its bot,
 * each repository in each shape) for every webhook and every run it serves: rewriting every URL of an example
 * costs about ten times what reading the result back does, and on the bench's two cores that is CPU taken from
 * the service under test.
 */
const rebased = new LRUCache<string, string>({ max: 512 });

/**
 * Deep-copies an example from GitHub's documentation and rewrites its URLs and names to ours, so
 * every field GitHub sends is present while the ones that identify things are the sandbox's.
 * Owner and repository names are only replaced as whole URL path segments. Every call returns a
 * copy of its own, which the caller may change.
 */
export function rebaseExample<T>(example: T, target: RebaseTarget): T {
  const key = JSON.stringify([example, target.apiBaseUrl, target.fullName ?? null, target.owner ?? null]);
  let text = rebased.get(key);
  if (text === undefined) {
    text = JSON.stringify(rewriteExample(example, target));
    rebased.set(key, text);
  }
  return JSON.parse(text) as T;
}

function rewriteExample<T>(example: T, target: RebaseTarget): T {
  const api = target.apiBaseUrl.replace(/\/+$/, '');
  const fullName = target.fullName && segmentPattern(target.fullName.from, '[/{?#.]');
  const owner = target.owner && segmentPattern(target.owner.from, '[/{?#]');
  const rewrite = (text: string): string => {
    let out = text.replace(/^https?:\/\/api\.github\.com(?=\/|$)/, () => api);
    if (fullName && target.fullName) out = out.replace(fullName, () => target.fullName?.to ?? '');
    if (owner && target.owner) out = out.replace(owner, () => target.owner?.to ?? '');
    return out;
  };
  return mapStrings(example, rewrite);
}

function segmentPattern(segment: string, after: string): RegExp {
  const escaped = segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<=^|[/:])${escaped}(?=${after}|$)`, 'g');
}

function mapStrings<T>(value: T, fn: (text: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => mapStrings(item, fn)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = mapStrings(child, fn);
    return out as T;
  }
  return value;
}

/** A stable positive integer for a name, so ids survive sandbox restarts. */
export function stableId(kind: string, name: string, min = 10_000_000): number {
  const hash = createHash('sha1').update(`${kind}:${name}`).digest();
  return min + (hash.readUInt32BE(0) % 900_000_000);
}

/** A stable 40-hex commit-like SHA for a name. */
export function stableSha(name: string): string {
  return createHash('sha1').update(name).digest('hex');
}

/** GitHub's legacy global node id: base64 of `0<len>:<Type><id>`. */
export function legacyNodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

/** GitHub's timestamp format: ISO 8601 in UTC without milliseconds. */
export function githubTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
