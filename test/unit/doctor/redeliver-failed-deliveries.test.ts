import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppOctokit } from '../../../src/github-app/github-app-octokit.ts';
import { redeliverFailedDeliveries } from '../../../src/github-app/redeliver-failed-deliveries.ts';
import { startConfiguredRedelivery, startRedeliveryLoop } from '../../../src/worker/webhook-redelivery-loop.ts';
import type { GithubSandbox } from '../../../src/sandbox/github-sandbox.ts';
import { INSTALLATION_ID, OWNER, REPO, startDoctorSandbox, startSwitchableReceiver } from './doctor-fixture.ts';

const silent = pino({ level: 'silent' });
let sandbox: GithubSandbox | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(initialStatus: number) {
  const receiver = await startSwitchableReceiver(initialStatus);
  cleanups.push(receiver.close);
  const s = await startDoctorSandbox({ webhookUrl: receiver.url });
  sandbox = s;
  const credentials = { appId: s.appId, privateKey: s.privateKey };
  const installation = createAppOctokit(s.url, credentials, INSTALLATION_ID);
  await installation.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
    owner: OWNER,
    repo: REPO,
    workflow_id: 101,
    ref: 'main',
    inputs: { job_id: 'job-7' },
  });
  await vi.waitFor(() => expect(s.deliveries).toHaveLength(3), { timeout: 10_000, interval: 10 });
  return { sandbox: s, receiver, app: createAppOctokit(s.url, credentials) };
}

describe('redeliverFailedDeliveries', () => {
  it('asks GitHub to redeliver each failed delivery once, oldest first, keeping its guid', async () => {
    const { sandbox: s, receiver, app } = await setup(503);
    expect(s.deliveries.map((d) => d.status)).toEqual([503, 503, 503]);
    const originals = s.deliveries.map((d) => ({ guid: d.id, action: d.action, deliveryId: d.deliveryId }));

    receiver.setStatus(200);
    const report = await redeliverFailedDeliveries(app, { sinceMs: Date.now() - 3_600_000 });
    expect(report.examined).toBe(3);
    expect(report.outcomes.map((o) => [o.result, o.guid, o.deliveryId, o.lastStatus])).toEqual(
      originals.map((o) => ['redelivered', o.guid, o.deliveryId, 'Invalid HTTP Response: 503']),
    );
    await vi.waitFor(() => expect(s.deliveries).toHaveLength(6), { timeout: 10_000, interval: 10 });
    const redeliveries = s.deliveries.slice(3);
    expect(redeliveries.every((d) => d.redelivery && d.status === 200)).toBe(true);
    expect(new Set(redeliveries.map((d) => d.id))).toEqual(new Set(originals.map((o) => o.guid)));
    expect(redeliveries.map((d) => d.deliveryId).some((id) => originals.some((o) => o.deliveryId === id))).toBe(false);
    // The receiver saw the same bodies again under the same X-GitHub-Delivery.
    for (const o of originals) {
      const bodies = receiver.received.filter((r) => r.delivery === o.guid).map((r) => r.body);
      expect(bodies).toHaveLength(2);
      expect(bodies[1]).toBe(bodies[0]);
    }

    const again = await redeliverFailedDeliveries(app, { sinceMs: Date.now() - 3_600_000 });
    expect(again).toEqual({ examined: 3, outcomes: [] });
  });

  it('only lists in a dry run, and gives up on a delivery that failed maxAttempts times', async () => {
    const { sandbox: s, app } = await setup(500);
    const dry = await redeliverFailedDeliveries(app, { sinceMs: Date.now() - 3_600_000, dryRun: true });
    expect(dry.outcomes.map((o) => o.result)).toEqual(['would-redeliver', 'would-redeliver', 'would-redeliver']);
    expect(s.deliveries).toHaveLength(3);

    await redeliverFailedDeliveries(app, { sinceMs: Date.now() - 3_600_000, maxAttempts: 2 });
    await vi.waitFor(() => expect(s.deliveries).toHaveLength(6), { timeout: 10_000, interval: 10 });
    const third = await redeliverFailedDeliveries(app, { sinceMs: Date.now() - 3_600_000, maxAttempts: 2 });
    expect(third.outcomes.map((o) => [o.result, o.attempts])).toEqual([
      ['gave-up', 2],
      ['gave-up', 2],
      ['gave-up', 2],
    ]);
    expect(s.deliveries).toHaveLength(6);
  });

  it('backs off per delivery: a failed redelivery is sent again only after twice the gap before it, so replicas do not burn its attempts', async () => {
    const { sandbox: s, app } = await setup(503);
    const sinceMs = Date.now() - 3_600_000;
    // The original attempts failed a moment ago: older than the first gap (1 ms), so each is redelivered once.
    const first = await redeliverFailedDeliveries(app, { sinceMs, backoffMs: 1 });
    expect(first.outcomes.map((o) => o.result)).toEqual(['redelivered', 'redelivered', 'redelivered']);
    await vi.waitFor(() => expect(s.deliveries).toHaveLength(6), { timeout: 10_000, interval: 10 });
    // A second worker replica's round right after: each delivery has failed twice, the last attempt is younger than
    // 2 x 60 s, so nothing is sent (without the backoff, both replicas would redeliver every round).
    const second = await redeliverFailedDeliveries(app, { sinceMs, backoffMs: 60_000 });
    expect(second.outcomes.map((o) => [o.result, o.attempts])).toEqual([
      ['waiting', 2],
      ['waiting', 2],
      ['waiting', 2],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.deliveries).toHaveLength(6);
  });

  it('leaves deliveries older than the window alone', async () => {
    const { app } = await setup(503);
    const report = await redeliverFailedDeliveries(app, { sinceMs: Date.now() + 60_000 });
    expect(report).toEqual({ examined: 0, outcomes: [] });
  });
});

describe("the worker's redelivery loop", () => {
  it('redelivers failed deliveries on its own once the receiver is back', async () => {
    const { sandbox: s, receiver, app } = await setup(503);
    receiver.setStatus(202);
    const loop = startRedeliveryLoop({ github: app, intervalMs: 50, logger: silent });
    cleanups.push(() => loop.stop());
    await vi.waitFor(() => expect(s.deliveries.filter((d) => d.redelivery && d.status === 202)).toHaveLength(3), { timeout: 10_000, interval: 20 });
    await loop.stop();
    expect(s.deliveries.filter((d) => d.redelivery)).toHaveLength(3);
  });

  it('is off unless GITHUB_REDELIVER_INTERVAL is set, and off without the App credentials', () => {
    const app = { appId: 1, privateKey: 'unused' };
    expect(startConfiguredRedelivery({ intervalMs: undefined, apiUrl: 'http://127.0.0.1:1', app, logger: silent })).toBeUndefined();
    expect(startConfiguredRedelivery({ intervalMs: 60_000, apiUrl: 'http://127.0.0.1:1', app: undefined, logger: silent })).toBeUndefined();
  });
});
