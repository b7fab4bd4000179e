import http from 'node:http';
import https from 'node:https';

/** What a webhook receiver answered. */
export interface WebhookResponse {
  status: number;
  /** Lower-case names; a header sent more than once is joined with `, `, as `fetch` joins it. */
  headers: Record<string, string>;
  /** The body as text, cut to `maxBodyChars`. */
  body: string;
}

/**
 * One POST of a webhook delivery, with Node's HTTP client over kept-alive connections. `fetch` did the same at
 * several times the CPU per request, and the sandbox shares the bench's cores with the service it drives.
 * Rejects on a network error, or when `signal` aborts (GitHub's 10-second limit, or the sandbox closing).
 */
export function postWebhook(
  agents: WebhookAgents,
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  maxBodyChars: number,
): Promise<WebhookResponse> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: secure ? agents.https : agents.http, signal },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < maxBodyChars) text += chunk;
        });
        response.on('error', reject);
        response.on('end', () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 0, headers: out, body: text.slice(0, maxBodyChars) });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Idle kept-alive connections are closed after this, before a receiver closes them (Node's servers do after 5 s):
 * a delivery never picks up a connection its receiver is closing, which would fail it as a network error. `fetch`
 * keeps idle connections 4 s too.
 */
const IDLE_CONNECTION_MS = 4_000;

/** The connection pools of one sender; `destroy()` closes their kept-alive sockets. */
export class WebhookAgents {
  readonly http = new http.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  readonly https = new https.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
