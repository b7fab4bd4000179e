import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a relayed delivery looks like to a fault rule. */
export interface RelayedDelivery {
  deliveryId: string;
  event: string;
  action: string;
  runId?: number;
}

/**
 * How the relay mistreats deliveries between the sandbox (GitHub) and our API:
 * - `drop`: lost in transit; GitHub records a failed delivery (502), the API never sees it;
 * - `duplicate`: each delivery arrives this many times with the same `X-GitHub-Delivery` (as a redelivery does);
 * - `delayMs`: each delivery arrives this much later (GitHub is told it was accepted at once);
 * - `reverse`: a run's deliveries are held until its `completed` one, then arrive newest first;
 * - `shuffleWindowMs`: deliveries of every run are gathered for this long, then arrive in random order;
 * - `hold`: deliveries wait at the relay until `releaseNext()` lets the oldest through (a test decides when each
 *   event reaches the API).
 */
export interface WebhookFaultMode {
  drop?: boolean | ((delivery: RelayedDelivery) => boolean);
  hold?: boolean;
  duplicate?: number;
  delayMs?: number;
  reverse?: boolean;
  shuffleWindowMs?: number;
}

export interface WebhookFaultRelay {
  /** Give this to the sandbox as its webhook URL. */
  readonly url: string;
  setMode(mode: WebhookFaultMode): void;
  /** Deliveries that reached the API, with its answer, in arrival order. */
  readonly forwarded: Array<RelayedDelivery & { status: number | 'network-error' }>;
  readonly dropped: RelayedDelivery[];
  /** Deliveries the `hold` mode keeps, oldest first. */
  readonly held: readonly RelayedDelivery[];
  /** Forwards the oldest held delivery; resolves with it and the API's answer once the API has answered. */
  releaseNext(): Promise<RelayedDelivery & { status: number | 'network-error' }>;
  close(): Promise<void>;
}

interface Held {
  delivery: RelayedDelivery;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP relay in front of the webhook endpoint that drops, duplicates, delays and reorders deliveries. */
export async function startWebhookFaultRelay(targetUrl: string): Promise<WebhookFaultRelay> {
  let mode: WebhookFaultMode = {};
  const forwarded: WebhookFaultRelay['forwarded'] = [];
  const dropped: RelayedDelivery[] = [];
  const heldByRun = new Map<number, Held[]>();
  const heldForRelease: Held[] = [];
  const pending = new Set<Promise<void>>();
  let shuffleBuffer: Held[] = [];
  let shuffleTimer: NodeJS.Timeout | undefined;

  const forward = async ({ delivery, headers, body }: Held) => {
    const outgoing = new Headers();
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) outgoing.set(name, value);
    }
    let status: number | 'network-error';
    try {
      const response = await fetch(targetUrl, { method: 'POST', headers: outgoing, body });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 'network-error';
    }
    forwarded.push({ ...delivery, status });
    return status;
  };
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const deliverLater = (held: Held) =>
    track(
      (async () => {
        if (mode.delayMs) await new Promise((r) => setTimeout(r, mode.delayMs));
        for (let copy = 0; copy < Math.max(1, mode.duplicate ?? 1); copy++) await forward(held);
      })(),
    );

  const flushShuffled = () => {
    shuffleTimer = undefined;
    // Every copy is a separate item, so duplicates are scattered too.
    const items = shuffleBuffer.flatMap((held) => Array.from({ length: Math.max(1, mode.duplicate ?? 1) }, () => held));
    shuffleBuffer = [];
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    track(
      (async () => {
        for (const item of items) await forward(item);
      })(),
    );
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      let payload: { action?: string; workflow_run?: { id?: number } } = {};
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        // Not JSON: relayed as is.
      }
      const delivery: RelayedDelivery = {
        deliveryId: String(request.headers['x-github-delivery'] ?? ''),
        event: String(request.headers['x-github-event'] ?? ''),
        action: payload.action ?? '',
        runId: payload.workflow_run?.id,
      };
      const drop = typeof mode.drop === 'function' ? mode.drop(delivery) : mode.drop;
      if (drop) {
        dropped.push(delivery);
        response.writeHead(502).end();
        return;
      }
      const held: Held = { delivery, headers: request.headers, body };
      if (mode.hold) {
        heldForRelease.push(held);
        response.writeHead(200).end();
        return;
      }
      if (mode.reverse && delivery.runId !== undefined) {
        const queue = heldByRun.get(delivery.runId) ?? [];
        queue.push(held);
        heldByRun.set(delivery.runId, queue);
        if (delivery.action === 'completed') {
          heldByRun.delete(delivery.runId);
          track(
            (async () => {
              for (const item of queue.reverse()) await forward(item);
            })(),
          );
        }
        response.writeHead(200).end();
        return;
      }
      if (mode.shuffleWindowMs) {
        shuffleBuffer.push(held);
        shuffleTimer ??= setTimeout(flushShuffled, mode.shuffleWindowMs);
        response.writeHead(200).end();
        return;
      }
      if (mode.delayMs || (mode.duplicate ?? 1) > 1) {
        deliverLater(held);
        response.writeHead(200).end();
        return;
      }
      // Plain pass-through: GitHub sees the API's own answer.
      void forward(held).then(() => {
        const last = forwarded.at(-1);
        response.writeHead(typeof last?.status === 'number' ? last.status : 502).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/github/webhook`,
    setMode: (next) => {
      mode = next;
    },
    forwarded,
    dropped,
    get held() {
      return heldForRelease.map(({ delivery }) => delivery);
    },
    async releaseNext() {
      const next = heldForRelease.shift();
      if (!next) throw new Error('no delivery is held');
      const work = forward(next);
      track(work.then(() => undefined));
      return { ...next.delivery, status: await work };
    },
    async close() {
      if (shuffleTimer) {
        clearTimeout(shuffleTimer);
        flushShuffled();
      }
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
