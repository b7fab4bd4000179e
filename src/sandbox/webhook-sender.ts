import { createHmac, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { Logger } from 'pino';
import type { JsonObject } from './openapi-spec.ts';
import { postWebhook, WebhookAgents } from './post-webhook.ts';

export interface RecordedDelivery {
  /** `X-GitHub-Delivery` (GitHub's `guid`; a redelivery keeps it). */
  id: string;
  /** GitHub's numeric delivery id, new for every attempt (`GET /app/hook/deliveries/{id}`). */
  deliveryId: number;
  /** True when this attempt was asked for through `POST /app/hook/deliveries/{id}/attempts`. */
  redelivery: boolean;
  event: string;
  action: string;
  runId: number;
  status: number | 'network-error';
  at: number;
}

/** The App's webhook settings, as `GET/PATCH /app/hook/config` show and change them. */
export interface WebhookConfig {
  /** `undefined` = no URL: GitHub then sends nothing. */
  url?: string;
  contentType: 'json' | 'form';
  /** `undefined` = no secret: deliveries carry no signature headers. */
  secret?: string;
  insecureSsl: '0' | '1';
}

export interface WebhookSenderOptions {
  secret?: string;
  url?: string;
  contentType?: 'json' | 'form';
  appId: number;
  logger?: Logger;
}

/** What an attempt sent and got back, kept for `GET /app/hook/deliveries/{id}` and redeliveries. */
export interface DeliveryAttempt extends RecordedDelivery {
  url: string;
  installationId: number | null;
  repositoryId: number | null;
  durationMs: number;
  requestHeaders: Record<string, string>;
  payload: string;
  responseHeaders: Record<string, string>;
  responseBody: string;
}

/** GitHub gives a webhook receiver 10 seconds to answer. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** GitHub keeps delivery bodies; a receiver's answer is cut to this for display. */
const MAX_RESPONSE_CHARS = 8_000;

/**
 * Sends deliveries the way GitHub's Hookshot does (headers, HMAC signatures, raw JSON or form body)
 * and records each attempt. Deliveries of one run go out one after the other, in order.
 */
export class WebhookSender {
  readonly deliveries: RecordedDelivery[] = [];
  readonly attempts: DeliveryAttempt[] = [];
  readonly config: WebhookConfig;
  private readonly hookId = String(500_000_000 + Math.floor(Math.random() * 99_999_999));
  private nextDeliveryId = 90_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  private readonly chains = new Map<number, Promise<void>>();
  private readonly redeliveries = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  private readonly agents = new WebhookAgents();

  constructor(private readonly options: WebhookSenderOptions) {
    this.config = {
      ...(options.url ? { url: options.url } : {}),
      contentType: options.contentType ?? 'json',
      ...(options.secret ? { secret: options.secret } : {}),
      insecureSsl: '0',
    };
  }

  setUrl(url: string): void {
    this.config.url = url;
  }

  /** Applies a `PATCH /app/hook/config`; an empty string removes the URL or the secret. */
  updateConfig(change: { url?: string | null; content_type?: string; secret?: string | null; insecure_ssl?: string | number }): void {
    if (change.url !== undefined) {
      if (change.url) this.config.url = change.url;
      else delete this.config.url;
    }
    if (change.content_type !== undefined) this.config.contentType = change.content_type === 'form' ? 'form' : 'json';
    if (change.secret !== undefined) {
      if (change.secret) this.config.secret = change.secret;
      else delete this.config.secret;
    }
    if (change.insecure_ssl !== undefined) this.config.insecureSsl = String(change.insecure_ssl) === '1' ? '1' : '0';
  }

  /** Queues a delivery behind the earlier ones of the same run; resolves once it was attempted. */
  enqueue(runId: number, event: string, action: string, payload: JsonObject): Promise<void> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const body = JSON.stringify(payload);
    const ids = {
      installationId: numberAt(payload, 'installation'),
      repositoryId: numberAt(payload, 'repository'),
    };
    const next = previous.then(() => this.send({ runId, event, action, payload: body, guid: randomUUID(), redelivery: false, ...ids }));
    this.chains.set(runId, next);
    return next;
  }

  /** The attempt with GitHub's numeric id, if any. */
  attempt(deliveryId: number): DeliveryAttempt | undefined {
    return this.attempts.find((a) => a.deliveryId === deliveryId);
  }

  /**
   * Sends an earlier attempt's payload again, as GitHub's "Redeliver": same guid, a new delivery id,
   * `redelivery: true`, to the URL and with the secret configured now. Resolves once attempted.
   */
  redeliver(deliveryId: number): Promise<void> | undefined {
    const original = this.attempt(deliveryId);
    if (!original) return undefined;
    const sending = this.send({
      runId: original.runId,
      event: original.event,
      action: original.action,
      payload: original.payload,
      guid: original.id,
      redelivery: true,
      installationId: original.installationId,
      repositoryId: original.repositoryId,
    });
    this.redeliveries.add(sending);
    void sending.finally(() => this.redeliveries.delete(sending));
    return sending;
  }

  /** Aborts deliveries in flight and waits for every queue to settle. */
  async close(): Promise<void> {
    this.aborter.abort();
    await Promise.allSettled([...this.chains.values(), ...this.redeliveries]);
    this.agents.destroy();
  }

  private async send(delivery: {
    runId: number;
    event: string;
    action: string;
    payload: string;
    guid: string;
    redelivery: boolean;
    installationId: number | null;
    repositoryId: number | null;
  }): Promise<void> {
    const { url, secret, contentType } = this.config;
    const { runId, action, guid } = delivery;
    if (!url || this.aborter.signal.aborted) {
      this.options.logger?.debug({ runId, action }, 'github sandbox: no webhook URL, delivery skipped');
      return;
    }
    const body = contentType === 'form' ? `payload=${encodeURIComponent(delivery.payload)}` : delivery.payload;
    const headers: Record<string, string> = {
      accept: '*/*',
      'content-type': contentType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
      'user-agent': 'GitHub-Hookshot/sandbox',
      'x-github-delivery': guid,
      'x-github-event': delivery.event,
      'x-github-hook-id': this.hookId,
      'x-github-hook-installation-target-id': String(this.options.appId),
      'x-github-hook-installation-target-type': 'integration',
    };
    // Without a secret GitHub sends no signature at all.
    if (secret) {
      headers['x-hub-signature'] = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
      headers['x-hub-signature-256'] = await sign(secret, body);
    }
    const started = Date.now();
    let status: number | 'network-error';
    let responseHeaders: Record<string, string> = {};
    let responseBody = '';
    try {
      const response = await postWebhook(
        this.agents,
        url,
        headers,
        body,
        AbortSignal.any([this.aborter.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
        MAX_RESPONSE_CHARS,
      );
      responseBody = response.body;
      responseHeaders = response.headers;
      status = response.status;
    } catch (error) {
      status = 'network-error';
      this.options.logger?.warn({ runId, action, deliveryId: guid, err: (error as Error).message }, 'github sandbox: webhook delivery failed');
    }
    const at = Date.now();
    const recorded: RecordedDelivery = {
      id: guid,
      deliveryId: this.nextDeliveryId++,
      redelivery: delivery.redelivery,
      event: delivery.event,
      action,
      runId,
      status,
      at,
    };
    this.deliveries.push(recorded);
    this.attempts.push({
      ...recorded,
      url,
      installationId: delivery.installationId,
      repositoryId: delivery.repositoryId,
      durationMs: at - started,
      requestHeaders: headers,
      payload: delivery.payload,
      responseHeaders,
      responseBody,
    });
    this.options.logger?.debug({ runId, action, deliveryId: guid, status }, 'github sandbox: webhook delivered');
  }
}

function numberAt(payload: JsonObject, key: string): number | null {
  const id = (payload[key] as JsonObject | undefined)?.id;
  return typeof id === 'number' ? id : null;
}
