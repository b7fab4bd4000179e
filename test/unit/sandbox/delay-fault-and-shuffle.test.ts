import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { startWebhookFaultRelay, type WebhookFaultRelay } from '../../../src/sandbox/webhook-fault-relay.ts';
import { installationOctokit, OWNER, REPO, startSandbox } from './sandbox-fixture.ts';

let sandbox: GithubSandbox | undefined;
let relay: WebhookFaultRelay | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  await relay?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  sandbox = relay = receiver = undefined;
});

const DISPATCH_PATH = `/repos/${OWNER}/${REPO}/actions/workflows/deploy.yml/dispatches`;

describe('GitHub sandbox, delay fault', () => {
  it('answers a delayed request late, and does the work', async () => {
    sandbox = await startSandbox();
    sandbox.injectFault({ kind: 'delay', method: 'POST', path: DISPATCH_PATH, delayMs: 300 });
    const started = Date.now();
    const response = await installationOctokit(sandbox).rest.actions.createWorkflowDispatch({
      owner: OWNER,
      repo: REPO,
      workflow_id: 'deploy.yml',
      ref: 'main',
      inputs: { job_id: 'j-1' },
    });
    expect(response.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sandbox.dispatches).toHaveLength(1);
  });
});

describe('webhook fault relay, shuffle', () => {
  it('releases a window of deliveries together, each copy once per `duplicate`, in some order', async () => {
    const received: string[] = [];
    receiver = createServer((req, res) => {
      received.push(String(req.headers['x-github-delivery']));
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    relay = await startWebhookFaultRelay(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`);
    relay.setMode({ shuffleWindowMs: 3000, duplicate: 2 });
    const ids = Array.from({ length: 10 }, (_, i) => `d-${i}`);
    for (const id of ids) {
      const response = await fetch(relay.url, { method: 'POST', headers: { 'x-github-delivery': id, 'x-github-event': 'workflow_run' }, body: '{}' });
      expect(response.status).toBe(200);
    }
    // Nothing passes before the window closes.
    expect(received).toHaveLength(0);
    await expect.poll(() => received.length, { timeout: 8000, interval: 20 }).toBeGreaterThanOrEqual(20);
    expect([...received].sort()).toEqual(ids.flatMap((id) => [id, id]).sort());
  });
});

describe('webhook fault relay, hold', () => {
  it("keeps deliveries until released, then forwards the oldest and answers with the receiver's status", async () => {
    const received: string[] = [];
    receiver = createServer((req, res) => {
      received.push(String(req.headers['x-github-delivery']));
      req.resume();
      req.on('end', () => res.writeHead(202).end());
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    relay = await startWebhookFaultRelay(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`);
    relay.setMode({ hold: true });
    for (const [id, action] of [
      ['d-1', 'requested'],
      ['d-2', 'completed'],
    ]) {
      const response = await fetch(relay.url, {
        method: 'POST',
        headers: { 'x-github-delivery': id!, 'x-github-event': 'workflow_run' },
        body: JSON.stringify({ action, workflow_run: { id: 7 } }),
      });
      expect(response.status).toBe(200);
    }
    expect({ received, held: relay.held.map((delivery) => delivery.deliveryId) }).toEqual({ received: [], held: ['d-1', 'd-2'] });
    expect(await relay.releaseNext()).toEqual({ deliveryId: 'd-1', event: 'workflow_run', action: 'requested', runId: 7, status: 202 });
    expect({ received, held: relay.held.map((delivery) => delivery.deliveryId) }).toEqual({ received: ['d-1'], held: ['d-2'] });
    await relay.releaseNext();
    await expect(relay.releaseNext()).rejects.toThrow('no delivery is held');
    expect(received).toEqual(['d-1', 'd-2']);
  });
});
