import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The answer passed back; 0 when the target gave none (down) and the client's connection was dropped. */
  status: number;
  /** The request body, when it was JSON. */
  body?: unknown;
}

export interface RecordingProxy {
  /** Base URL to give the client instead of the target's. */
  url: string;
  requests: ProxiedRequest[];
  /** Requests matching `method` and `path` wait (unanswered) until `release()`; `held()` resolves when one arrives. */
  hold(method: string, path: RegExp): { held(): Promise<void>; release(): void };
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy that records every exchange, so a test can count what a client sent to a server that
 * keeps no such record (Ctrlplane's API stores a job's status, not who set it or how often). While the target is
 * down the client's connection is dropped, as with the target itself.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const holds: Array<{ method: string; path: RegExp; gate: Promise<void>; arrived: () => void }> = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] as string;
      const hold = holds.find((h) => h.method === req.method && h.path.test(path));
      if (hold) {
        hold.arrived();
        await hold.gate;
      }
      const record: ProxiedRequest = { method: req.method ?? 'GET', path, status: 0, body: parseJson(body) };
      let answer: Response;
      try {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers.set(name, value);
        }
        answer = await fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body: body.length > 0 ? body : undefined });
      } catch {
        requests.push(record);
        req.socket.destroy();
        return;
      }
      const text = Buffer.from(await answer.arrayBuffer());
      record.status = answer.status;
      requests.push(record);
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(text);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hold(method, path) {
      let release!: () => void;
      let arrived!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = new Promise<void>((resolve) => (arrived = resolve));
      const entry = { method, path, gate, arrived };
      holds.push(entry);
      return {
        held: () => held,
        release() {
          holds.splice(holds.indexOf(entry), 1);
          release();
        },
      };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
