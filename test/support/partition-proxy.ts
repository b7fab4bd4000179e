import { createServer, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface PartitionProxy {
  /** `host:port` to give the client instead of the target's. */
  address: string;
  /**
   * A network partition: from now on nothing passes. Open connections are reset and new ones are reset as soon as
   * they are accepted, as when a firewall rejects the traffic or no frontend is left behind a load balancer: the
   * client's every request fails at once.
   */
  cut(): void;
  /** The partition heals: new connections pass again. */
  restore(): void;
  close(): Promise<void>;
}

/** A TCP pass-through on 127.0.0.1 between one client and `target` (`host:port`) that a test can cut and restore. */
export async function startPartitionProxy(target: string): Promise<PartitionProxy> {
  const separator = target.lastIndexOf(':');
  const host = target.slice(0, separator);
  const port = Number(target.slice(separator + 1));
  const sockets = new Set<Socket>();
  let cut = false;

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A reset while cut or closing is expected; nothing to report.
    socket.on('error', () => socket.destroy());
  };

  const server = createServer((client) => {
    track(client);
    if (cut) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host, port });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: listening } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${listening}`,
    cut() {
      cut = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      cut = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
