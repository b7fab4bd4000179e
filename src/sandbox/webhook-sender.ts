import { createHmac, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { Logger } from 'pino';
import type { JsonObject } from './openapi-spec.ts';

export interface RecordedDelivery {
  /** `X-GitHub-Delivery` */
  id: string;
  event: string;
  action: string;
  runId: number;
  status: number | 'network-error';
  at: number;
}

export interface WebhookSenderOptions {
  secret: string;
  url?: string;
  appId: number;
  logger?: Logger;
}

/** GitHub gives a webhook receiver 10 seconds to answer. */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Sends deliveries the way GitHub's Hookshot does (headers, HMAC signatures, raw JSON body) and
 * records each answer. Deliveries of one run go out one after the other, in order.
 */
export class WebhookSender {
  readonly deliveries: RecordedDelivery[] = [];
  private url: string | undefined;
  private readonly hookId = String(500_000_000 + Math.floor(Math.random() * 99_999_999));
  private readonly chains = new Map<number, Promise<void>>();
  private readonly aborter = new AbortController();

  constructor(private readonly options: WebhookSenderOptions) {
    this.url = options.url;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  /** Queues a delivery behind the earlier ones of the same run; resolves once it was attempted. */
  enqueue(runId: number, event: string, action: string, payload: JsonObject): Promise<void> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const body = JSON.stringify(payload);
    const next = previous.then(() => this.send(runId, event, action, body));
    this.chains.set(runId, next);
    return next;
  }

  /** Aborts deliveries in flight and waits for every queue to settle. */
  async close(): Promise<void> {
    this.aborter.abort();
    await Promise.allSettled([...this.chains.values()]);
  }

  private async send(runId: number, event: string, action: string, body: string): Promise<void> {
    const url = this.url;
    if (!url || this.aborter.signal.aborted) {
      this.options.logger?.debug({ runId, action }, 'github sandbox: no webhook URL, delivery skipped');
      return;
    }
    const id = randomUUID();
    let status: number | 'network-error';
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          accept: '*/*',
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/sandbox',
          'x-github-delivery': id,
          'x-github-event': event,
          'x-github-hook-id': this.hookId,
          'x-github-hook-installation-target-id': String(this.options.appId),
          'x-github-hook-installation-target-type': 'integration',
          'x-hub-signature': `sha1=${createHmac('sha1', this.options.secret).update(body).digest('hex')}`,
          'x-hub-signature-256': await sign(this.options.secret, body),
        },
        body,
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      status = response.status;
    } catch (error) {
      status = 'network-error';
      this.options.logger?.warn({ runId, action, deliveryId: id, err: (error as Error).message }, 'github sandbox: webhook delivery failed');
    }
    this.deliveries.push({ id, event, action, runId, status, at: Date.now() });
    this.options.logger?.debug({ runId, action, deliveryId: id, status }, 'github sandbox: webhook delivered');
  }
}
