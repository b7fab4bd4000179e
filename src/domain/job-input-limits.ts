/**
 * What a job may bring, from the API or from Ctrlplane (docs/security.md, "Limits on what comes in"). A job's input is in its workflow's history
 * and, at every continue-as-new, carried again beside the job it became (docs/architecture.md "Invariants"): bounded
 * here, where it enters, it stays far below Temporal's 2 MB payload limit.
 */
export const JOB_INPUT_LIMITS = {
  /** The whole `POST /api/v1/jobs` body; and a Ctrlplane job's whole input. */
  bodyBytes: 256 * 1024,
  /** Each of jobAgentConfig (as given and as rendered), variables, deployment, environment, resource, version, release, inputs (as JSON). */
  fieldBytes: 64 * 1024,
} as const;

/** The parts of a create request bounded one by one (jobAgentConfig is checked as given and as rendered, in the route). */
export const BOUNDED_JOB_FIELDS = ['variables', 'deployment', 'environment', 'resource', 'version', 'release', 'inputs'] as const;

/**
 * The length of `text` in UTF-8, as it is sent: a code point below U+0080 takes 1 byte, below U+0800 2, a surrogate
 * pair 4, any other code unit 3 (a lone surrogate is sent as U+FFFD). Counted by hand so workflow code may call it.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const jsonBytes = (value: unknown) => utf8ByteLength(JSON.stringify(value) ?? '');

const kib = (bytes: number) => `${bytes / 1024} KiB`;

/** The 413 message for a request body over the route's limit. */
export function bodyTooLargeMessage(limitBytes: number, what: string): string {
  return `the request body is over ${limitBytes} bytes (${kib(limitBytes)}), the limit for ${what}`;
}

/** The first field of `body` over JOB_INPUT_LIMITS.fieldBytes as JSON, with its size, or undefined when all fit. */
export function oversizedJobField(body: Partial<Record<(typeof BOUNDED_JOB_FIELDS)[number], unknown>>): { field: string; bytes: number } | undefined {
  for (const field of BOUNDED_JOB_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    const bytes = jsonBytes(value);
    if (bytes > JOB_INPUT_LIMITS.fieldBytes) return { field, bytes };
  }
  return undefined;
}

/** The 413 message for a field over its limit. */
export function fieldTooLargeMessage(field: string, bytes: number, limitBytes: number = JOB_INPUT_LIMITS.fieldBytes): string {
  return `${field} is ${bytes} bytes; the limit is ${limitBytes} bytes (${kib(limitBytes)})`;
}

/**
 * What in a job's input is over JOB_INPUT_LIMITS, said as the API says it, or undefined when all of it fits: each
 * context field, the job agent config as given and as rendered, and the whole input. For inputs that did not come
 * through the API's checks (Ctrlplane's jobs): the caller starts such a job without them, so that it ends saying why.
 */
export function jobInputOverLimits(
  input: Partial<Record<(typeof BOUNDED_JOB_FIELDS)[number] | 'jobAgentConfig', unknown>>,
  rendered?: unknown,
): string | undefined {
  const field = oversizedJobField(input);
  if (field) return fieldTooLargeMessage(field.field, field.bytes);
  for (const [what, value] of [
    ['jobAgentConfig', input.jobAgentConfig],
    ['rendered jobAgentConfig', rendered],
  ] as const) {
    const bytes = value === undefined ? 0 : jsonBytes(value);
    if (bytes > JOB_INPUT_LIMITS.fieldBytes) return fieldTooLargeMessage(what, bytes);
  }
  const total = jsonBytes(input);
  return total > JOB_INPUT_LIMITS.bodyBytes ? fieldTooLargeMessage('the job as a whole', total, JOB_INPUT_LIMITS.bodyBytes) : undefined;
}

/** Why a job agent config (named `what`) is over JOB_INPUT_LIMITS.fieldBytes as JSON, or undefined when it fits. */
export function oversizedJobAgentConfig(what: string, value: unknown): string | undefined {
  const bytes = value === undefined ? 0 : jsonBytes(value);
  return bytes > JOB_INPUT_LIMITS.fieldBytes ? fieldTooLargeMessage(what, bytes) : undefined;
}
