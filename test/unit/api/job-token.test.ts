import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jobTokenValidity, mintJobToken, parseJobTokenSecrets, verifyJobToken } from '../../../src/auth/job-token.ts';

const SECRET = randomBytes(32).toString('hex');
const NOW = Date.parse('2026-03-01T12:00:00Z');
const MINUTE = 60_000;

describe('job tokens', () => {
  it('look like gha_job_<job id>.<issued at>.<HMAC> and verify for their job only', () => {
    const jobId = randomUUID();
    const token = mintJobToken(SECRET, jobId, NOW);
    expect(token).toMatch(new RegExp(`^gha_job_${jobId}\\.${NOW / 1000}\\.[A-Za-z0-9_-]{43}$`));
    expect(verifyJobToken([SECRET], token)).toEqual({ jobId, origin: 'api', issuedAtMs: NOW });
    expect(verifyJobToken([SECRET], token.replace(jobId, randomUUID()))).toBeUndefined();
    expect(verifyJobToken([randomBytes(32).toString('hex')], token)).toBeUndefined();
    expect(verifyJobToken([], token)).toBeUndefined();
  });

  it('carry the origin of their job: a Ctrlplane job’s token and an API job’s token of the same ID are different tokens', () => {
    const jobId = randomUUID();
    const api = mintJobToken(SECRET, jobId, NOW);
    const ctrlplane = mintJobToken(SECRET, jobId, NOW, 'ctrlplane');
    expect(ctrlplane).not.toBe(api);
    expect(ctrlplane).toMatch(new RegExp(`^gha_job_${jobId}\\.${NOW / 1000}\\.[A-Za-z0-9_-]{43}$`));
    expect(verifyJobToken([SECRET], ctrlplane)).toEqual({ jobId, origin: 'ctrlplane', issuedAtMs: NOW });
    expect(verifyJobToken([SECRET], api)).toEqual({ jobId, origin: 'api', issuedAtMs: NOW });
  });

  it('verify with any listed secret, so the signing secret can be rotated', () => {
    const old = randomBytes(32).toString('hex');
    const token = mintJobToken(old, randomUUID(), NOW);
    expect(verifyJobToken([SECRET, old], token)).toBeDefined();
    expect(verifyJobToken([SECRET], token)).toBeUndefined();
  });

  it('work while the job runs and for the grace period after it ended, then no more', () => {
    const token = { jobId: randomUUID(), origin: 'api' as const, issuedAtMs: NOW };
    const createdAt = new Date(NOW - MINUTE).toISOString();
    const grace = 10 * MINUTE;
    expect(jobTokenValidity({ status: 'in_progress', createdAt }, token, grace, NOW + 48 * 60 * MINUTE)).toEqual({ ok: true });
    const ended = { status: 'successful' as const, createdAt, completedAt: new Date(NOW + MINUTE).toISOString() };
    expect(jobTokenValidity(ended, token, grace, NOW + 10 * MINUTE)).toEqual({ ok: true });
    expect(jobTokenValidity(ended, token, grace, NOW + 12 * MINUTE)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^job token expired: job .* ended \(successful\)/),
    });
    expect(jobTokenValidity(undefined, token, grace, NOW)).toEqual({ ok: false, reason: expect.stringContaining('not found') });
  });

  it('never work for a job created after they were issued (a job ID used again)', () => {
    const token = { jobId: randomUUID(), origin: 'api' as const, issuedAtMs: NOW };
    const later = { status: 'in_progress' as const, createdAt: new Date(NOW + 60 * MINUTE).toISOString() };
    expect(jobTokenValidity(later, token, 10 * MINUTE, NOW + 61 * MINUTE)).toMatchObject({ ok: false, reason: expect.stringContaining('issued before') });
  });

  it('refuse short secrets in JOB_TOKEN_SECRET, and read a comma-separated list', () => {
    expect(() => parseJobTokenSecrets('too-short')).toThrow(/at least 32/);
    expect(parseJobTokenSecrets(` ${SECRET} , ${'b'.repeat(32)} `)).toEqual([SECRET, 'b'.repeat(32)]);
    expect(parseJobTokenSecrets('')).toBeUndefined();
  });
});
