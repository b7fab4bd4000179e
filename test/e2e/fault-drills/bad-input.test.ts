import { createHmac, randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eStack, jobBody, startE2eStack } from '../../support/e2e-stack.ts';

let env: E2eStack;
beforeAll(async () => {
  env = await startE2eStack({ startWorker: false });
});
afterAll(async () => {
  await env?.stop();
});

const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', env.sandbox.webhookSecret).update(body).digest('hex')}`;

async function webhook(body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; json: { error?: string; message?: string } }> {
  const response = await fetch(`${env.stack.apiUrl}/api/github/webhook`, {
    method: 'POST',
    headers: { 'x-github-delivery': randomUUID(), 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    // Checked by the caller through the status.
  }
  return { status: response.status, json };
}

function workflowRunPayload(displayTitle: string, runId: number): string {
  return JSON.stringify({
    action: 'completed',
    workflow_run: {
      id: runId,
      name: 'Deploy',
      display_title: displayTitle,
      status: 'completed',
      conclusion: 'success',
      run_attempt: 1,
      html_url: `https://github.com/acme/x/actions/runs/${runId}`,
    },
    repository: { full_name: 'acme/x', html_url: 'https://github.com/acme/x' },
  });
}

/** `global.gc` without starting vitest with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function heapMiB(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    // Lets finalizers and weak references settle between collections; the heap is read after the third.
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const NUM_RUNS = 100;

describe('fault drill: bad input at the webhook and the API (generated)', () => {
  it('answers the documented status for every input, keeps serving, and keeps its heap flat', { timeout: 240_000 }, async () => {
    const properties = async () => {
      // Random bytes, signed: not JSON → 400 (or JSON without a run → 400).
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
          const body = Buffer.from(bytes);
          const { status, json } = await webhook(body, { 'x-github-event': 'workflow_run', 'x-hub-signature-256': sign(body) });
          expect(status).toBe(400);
          expect(json.error).toBe('bad_request');
        }),
        { numRuns: NUM_RUNS },
      );
      // Truncated JSON, signed → 400.
      const full = workflowRunPayload(`Deploy ${randomUUID()}`, 1);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: full.length - 1 }), async (cut) => {
          const body = full.slice(0, cut);
          const { status } = await webhook(body, { 'x-github-event': 'workflow_run', 'x-hub-signature-256': sign(body) });
          expect(status).toBe(400);
        }),
        { numRuns: NUM_RUNS },
      );
      // Wrong or malformed signatures → 401, whatever the body.
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 2000 }),
          fc.oneof(fc.stringMatching(/^sha256=[0-9a-f]{64}$/), fc.stringMatching(/^[\x21-\x7e]{0,100}$/), fc.constant('')),
          async (text, signature) => {
            fc.pre(signature !== sign(text));
            const { status, json } = await webhook(text, { 'x-github-event': 'workflow_run', ...(signature ? { 'x-hub-signature-256': signature } : {}) });
            expect(status).toBe(401);
            expect(json.error).toBe('unauthorized');
          },
        ),
        { numRuns: NUM_RUNS },
      );
      // Any content type: the body is JSON unless the type says form, whose `payload` field is then missing → 400.
      const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.constantFrom(
              'text/plain',
              'application/xml',
              'application/octet-stream',
              'multipart/form-data; boundary=x',
              'application/json; charset=utf-16',
              'application/x-www-form-urlencoded',
            ),
            fc.stringMatching(/^[a-z]{1,10}\/[a-z0-9.+-]{1,20}$/),
          ),
          async (contentType) => {
            const { status } = await webhook(ping, { 'content-type': contentType, 'x-github-event': 'ping', 'x-hub-signature-256': sign(ping) });
            expect(status).toBe(contentType.startsWith('application/x-www-form-urlencoded') ? 400 : 200);
          },
        ),
        { numRuns: NUM_RUNS },
      );
      // Unicode (any code point, lone surrogates too) in run names of runs no job owns → 202 ignored.
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 1, max: 2 ** 40 }), async (title, runId) => {
          const body = workflowRunPayload(title, runId);
          const { status } = await webhook(body, { 'x-github-event': 'workflow_run', 'x-hub-signature-256': sign(body) });
          expect(status).toBe(202);
        }),
        { numRuns: NUM_RUNS },
      );
      // Jobs API: any JSON value that is not a job → 400 with the error shape.
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
          const response = await env.api('/api/v1/jobs', { method: 'POST', json: value });
          expect(response.status).toBe(400);
          const json = (await response.json()) as { error?: unknown; message?: unknown };
          expect(typeof json.error).toBe('string');
          expect(typeof json.message).toBe('string');
        }),
        { numRuns: NUM_RUNS },
      );
      // Jobs API: truncated JSON → 400; the API key wrong → 401.
      const job = JSON.stringify(jobBody());
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: job.length - 1 }), fc.string({ minLength: 1, maxLength: 80 }), async (cut, key) => {
          const truncated = await env.api('/api/v1/jobs', { method: 'POST', body: job.slice(0, cut), headers: { 'content-type': 'application/json' } });
          expect(truncated.status).toBe(400);
          await truncated.arrayBuffer();
          fc.pre(/^[\x21-\x7e]+$/.test(key) && key !== 'test-api-key');
          const unauthorized = await env.api('/api/v1/jobs', { method: 'POST', body: job, apiKey: key, headers: { 'content-type': 'application/json' } });
          expect(unauthorized.status).toBe(401);
          await unauthorized.arrayBuffer();
        }),
        { numRuns: NUM_RUNS },
      );
      // Too large: over GitHub's 25 MB at the webhook, over 1 MB at the jobs API → 413, before any signature work.
      const huge = Buffer.alloc(25 * 1024 * 1024 + 1024, 0x20);
      const tooBig = await webhook(huge, { 'x-github-event': 'workflow_run', 'x-hub-signature-256': sign(huge) });
      expect(tooBig.status).toBe(413);
      const bigJob = await env.api('/api/v1/jobs', {
        method: 'POST',
        body: JSON.stringify({ ...jobBody(), variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }),
        headers: { 'content-type': 'application/json' },
      });
      expect(bigJob.status).toBe(413);
      await bigJob.arrayBuffer();
      // A type Fastify has no parser for → 415 (text/plain has one and ends as 400: the body is no job object).
      const wrongType = await env.api('/api/v1/jobs', { method: 'POST', body: job, headers: { 'content-type': 'application/xml' } });
      expect(wrongType.status).toBe(415);
      await wrongType.arrayBuffer();
    };

    await properties(); // warm-up round: lazy compilation, caches, connection pools
    const before = await heapMiB();
    await properties();
    await properties();
    const after = await heapMiB();
    expect((await fetch(`${env.stack.apiUrl}/healthz`)).status).toBe(200);
    // Two more rounds of bad input leave the heap where it was, give or take allocator noise.
    expect(after - before, `heap ${before.toFixed(1)} MiB → ${after.toFixed(1)} MiB`).toBeLessThan(32);
  });
});
