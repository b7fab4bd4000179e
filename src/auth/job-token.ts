import { createHmac, timingSafeEqual } from 'node:crypto';
import { JOB_ORIGINS, type JobOrigin } from '../domain/job-id.ts';
import { isTerminalStatus, type JobStatus } from '../domain/job-status.ts';

/**
 * Per-job tokens (docs/security.md, "Per-job tokens"): what the GitHub workflow of one job may use instead of an API key, to read
 * that job and report its status, and nothing else. Stateless:
 *
 *   gha_job_<jobId>.<issued at, unix seconds>.<base64url HMAC-SHA256(JOB_TOKEN_SECRET, "gha_job.v1.<jobId>.<issued at>")>
 *
 * The dispatch activity makes it in worker memory and hands it to GitHub as a workflow_dispatch input; it never
 * enters Temporal history, an activity input or result, or a log. The API checks the MAC (constant time), that the
 * route is one a job token may call, that the job is the token's own, and that the job is still running or ended
 * less than a grace period ago: a token expires with its job. The issue time binds a token to this incarnation of
 * the job ID (a job created again under the same ID after Temporal's retention is a different job). The MAC also
 * binds the job's origin (docs/architecture.md "Job IDs and origins"): an API job that took a Ctrlplane job's ID
 * gets a token for its own job only, never for the Ctrlplane job of the same ID. API jobs' tokens sign what they
 * always signed, so tokens already handed out keep working.
 *
 * Not for workflow code (node:crypto).
 */

export const JOB_TOKEN_PREFIX = 'gha_job_';

/** How long after a job ended its token still works: a last get-job-inputs or PATCH racing the end succeeds. */
export const DEFAULT_JOB_TOKEN_GRACE_MS = 10 * 60 * 1000;

/** Clock skew allowed between the worker that issued a token and the API that created the job. */
const ISSUE_SKEW_MS = 5 * 60 * 1000;

/** The job ID exactly as the job has it (workflow IDs are case-sensitive), the issue time, the MAC. */
const TOKEN = /^gha_job_([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, jobId: string, issuedAtSeconds: number, origin: JobOrigin): Buffer {
  const subject = origin === 'api' ? jobId : `${origin}.${jobId}`;
  return createHmac('sha256', secret).update(`gha_job.v1.${subject}.${issuedAtSeconds}`).digest();
}

/** A token for job `jobId` of `origin`, signed with `secret` (the first of JOB_TOKEN_SECRET). */
export function mintJobToken(secret: string, jobId: string, nowMs = Date.now(), origin: JobOrigin = 'api'): string {
  const issuedAt = Math.floor(nowMs / 1000);
  return `${JOB_TOKEN_PREFIX}${jobId}.${issuedAt}.${mac(secret, jobId, issuedAt, origin).toString('base64url')}`;
}

export function looksLikeJobToken(credential: string): boolean {
  return credential.startsWith(JOB_TOKEN_PREFIX);
}

export interface VerifiedJobToken {
  jobId: string;
  /** The origin of the job it was made for: it reaches that job only. */
  origin: JobOrigin;
  issuedAtMs: number;
}

/**
 * The job a token was made for, when one of `secrets` made it (every secret is tried, in constant time per
 * secret, so rotation works: sign with the new one first, keep the old one until its tokens' jobs have ended).
 */
export function verifyJobToken(secrets: readonly string[], credential: string): VerifiedJobToken | undefined {
  const match = TOKEN.exec(credential);
  if (!match) return undefined;
  const jobId = match[1] as string;
  const issuedAt = Number(match[2]);
  const given = Buffer.from(match[3] as string, 'base64url');
  if (given.length !== 32) return undefined;
  let found: JobOrigin | undefined;
  for (const secret of secrets) {
    for (const origin of JOB_ORIGINS) if (timingSafeEqual(given, mac(secret, jobId, issuedAt, origin)) && !found) found = origin;
  }
  return found ? { jobId, origin: found, issuedAtMs: issuedAt * 1000 } : undefined;
}

/** The part of a job that decides whether its token still works. */
export interface JobTokenSubject {
  status: JobStatus;
  createdAt: string;
  updatedAt?: string;
  completedAt?: string;
}

export type JobTokenValidity = { ok: true } | { ok: false; reason: string };

/**
 * A token works while its job runs and for `graceMs` after it ended; never for a job created after the token
 * was issued (another job that reuses the ID).
 */
export function jobTokenValidity(job: JobTokenSubject | undefined, token: VerifiedJobToken, graceMs: number, nowMs = Date.now()): JobTokenValidity {
  if (!job) return { ok: false, reason: `job token no longer valid: job ${token.jobId} not found` };
  const created = Date.parse(job.createdAt);
  if (Number.isFinite(created) && token.issuedAtMs < created - ISSUE_SKEW_MS) {
    return { ok: false, reason: `job token no longer valid: it was issued before job ${token.jobId} was created` };
  }
  if (!isTerminalStatus(job.status)) return { ok: true };
  const ended = Date.parse(job.completedAt ?? job.updatedAt ?? job.createdAt);
  if (Number.isFinite(ended) && nowMs <= ended + graceMs) return { ok: true };
  return { ok: false, reason: `job token expired: job ${token.jobId} ended (${job.status}) at ${job.completedAt ?? job.updatedAt ?? 'an unknown time'}` };
}

/** Secrets shorter than this are refused at start-up (an HMAC key should have at least 128 bits of entropy). */
export const MIN_JOB_TOKEN_SECRET_LENGTH = 32;

/** `JOB_TOKEN_SECRET`: comma-separated; the first signs new tokens, every one verifies (rotation). */
export function parseJobTokenSecrets(text: string | undefined): string[] | undefined {
  const secrets = (text ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (secrets.length === 0) return undefined;
  secrets.forEach((secret, index) => {
    if (secret.length < MIN_JOB_TOKEN_SECRET_LENGTH) {
      throw new Error(`secret ${index + 1} is ${secret.length} characters; use at least ${MIN_JOB_TOKEN_SECRET_LENGTH} (openssl rand -hex 32)`);
    }
  });
  return secrets;
}
