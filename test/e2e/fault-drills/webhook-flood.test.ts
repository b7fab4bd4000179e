import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../../src/temporal/free-port.ts';
import { type CliProcess, startCli } from '../../support/run-cli.ts';

// Drill: a flood of large posts to the public webhook endpoint. `gha-agent api` runs as its own process so its
// memory can be read from /proc; unsigned posts must be refused before their bodies are read.
const SECRET = `whsec-${randomUUID()}`;
let api: CliProcess;
let port: number;

beforeAll(async () => {
  port = await findFreePort();
  api = startCli(['api'], {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    HOST: '127.0.0.1',
    PORT: String(port),
    API_KEYS: 'unused',
    GITHUB_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: 'info',
  });
  await api.waitFor(/Server listening/);
});
afterAll(() => api?.kill());

/** Resident and peak resident memory of the API process, in MiB. */
function memory(): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${api.child.pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** Posts `size` bytes; resolves with the status, or 0 when the server closed the connection before answering. */
function post(size: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/github/webhook',
      headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers },
    });
    req.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const part = Math.min(chunk.length, size - sent);
        sent += part;
        if (!req.write(part === chunk.length ? chunk : chunk.subarray(0, part))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('fault drill: a flood of large webhook posts', () => {
  it('refuses 16 concurrent unsigned 25 MB posts without reading them: API memory stays flat', { timeout: 120_000 }, async () => {
    // Warm up the route and the connection handling with a smaller burst, then measure.
    await Promise.all(Array.from({ length: 16 }, () => post(1024 * 1024, { 'x-github-event': 'workflow_run' })));
    const before = memory();
    const statuses = await Promise.all(Array.from({ length: 16 }, () => post(25 * 1024 * 1024, { 'x-github-event': 'workflow_run' })));
    const after = memory();
    // Each was answered 401 (or cut off after the answer) without its 25 MB being buffered.
    expect(statuses.every((status) => status === 401 || status === 0)).toBe(true);
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThan(0);
    // 16 × 25 MB = 400 MB sent; reading the bodies grew the API's peak memory by about 360 MiB (measured before
    // the fix); refused from the headers it grows by what 16 connections cost.
    expect(after.peak - before.peak).toBeLessThan(100);
    // Still answering.
    expect(await post(10, { 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` })).toBe(401);
  });

  it('refuses a signed-looking body over WEBHOOK_BODY_LIMIT while reading it (413), keeping memory flat', { timeout: 120_000 }, async () => {
    const before = memory();
    const statuses = await Promise.all(
      Array.from({ length: 16 }, () => post(25 * 1024 * 1024, { 'x-github-event': 'workflow_run', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` })),
    );
    const after = memory();
    expect(statuses.every((status) => status === 413 || status === 0)).toBe(true);
    expect(statuses.filter((status) => status === 413).length).toBeGreaterThan(0);
    expect(after.peak - before.peak).toBeLessThan(100);
  });
});
