import { Agent, request } from 'node:http';

/** A keep-alive POST client for load loops: `fetch` costs more client CPU than the server under test on 2 cores. */
export function createPoster(
  url: string,
  maxSockets: number,
): { post(headers: Record<string, string>, body: Buffer | string): Promise<number>; close(): void } {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    post: (headers, body) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            agent,
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
