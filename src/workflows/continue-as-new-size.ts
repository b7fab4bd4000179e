import { utf8ByteLength } from '../domain/job-input-limits.ts';

/**
 * The most a job's workflow carries into continue-as-new, counted as the JSON of its arguments in UTF-8 bytes. Temporal
 * refuses a larger input (`limit.blobSize.error`, 2 MiB by default and in deploy/temporal) and then terminates the
 * workflow, leaving the job `failure` and its GitHub run unfollowed; this leaves a quarter of that for the payload's
 * metadata and encryption (`PAYLOAD_ENCRYPTION_KEYS`). What happens past it: docs/architecture.md "Invariants".
 */
export const MAX_CONTINUE_AS_NEW_BYTES = 1536 * 1024;

/** Bytes the continue-as-new input `args` will hold. */
export function carriedBytes(args: unknown): number {
  return utf8ByteLength(JSON.stringify(args) ?? '');
}

/**
 * What continue-as-new will carry: the first of `choices` (fullest first) within `limit` (its index in `choice`), or
 * none; `bytes` holds the size of each one tried.
 */
export function firstThatFits<T>(choices: ReadonlyArray<() => T>, limit = MAX_CONTINUE_AS_NEW_BYTES): { args?: T; choice?: number; bytes: number[] } {
  const bytes: number[] = [];
  for (const [choice, make] of choices.entries()) {
    const args = make();
    bytes.push(carriedBytes(args));
    if (bytes[choice]! <= limit) return { args, choice, bytes };
  }
  return { bytes };
}
