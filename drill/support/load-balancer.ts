import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  url: string;
  /** Requests answered 502 because no replica could be reached. */
  readonly unreachable: number;
  close(): Promise<void>;
}

const BODY_LIMIT = 4 * 1024 * 1024;
/** How long a replica that refused a connection is skipped (nginx's fail_timeout). */
const DOWN_FOR_MS = 2000;

/**
 * A round-robin HTTP proxy in front of the API replicas, standing in for the Kubernetes Service or nginx in front
 * of them. Like nginx, it tries the next replica when a connection cannot be made (nothing reached the replica,
 * so even a POST is safe to send elsewhere), and answers 502 when a replica fails after taking the request. No
 * keep-alive to the replicas (nginx's default), so a replica that stops never has an idle connection reused.
 */
export async function startLoadBalancer(upstreams: () => string[]): Promise<LoadBalancer> {
  let next = 0;
  let unreachable = 0;
  const downUntil = new Map<string, number>();

  const forward = (target: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const url = new URL(req.url ?? '/', target);
      const outgoing = request(url, { method: req.method, headers: { ...req.headers, host: url.host, connection: 'close' }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const all = upstreams();
    const now = Date.now();
    const order = all.map((_, i) => all[(next + i) % all.length] as string);
    next = (next + 1) % Math.max(all.length, 1);
    const candidates = [...order.filter((target) => (downUntil.get(target) ?? 0) <= now), ...order.filter((target) => (downUntil.get(target) ?? 0) > now)];
    for (const target of candidates) {
      try {
        const answer = await forward(target, req, body);
        const headers = { ...answer.headers };
        delete headers['transfer-encoding'];
        delete headers.connection;
        res.writeHead(answer.status, headers).end(answer.body);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ECONNREFUSED') break;
        downUntil.set(target, Date.now() + DOWN_FOR_MS);
      }
    }
    unreachable++;
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'bad_gateway' }));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get unreachable() {
      return unreachable;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
