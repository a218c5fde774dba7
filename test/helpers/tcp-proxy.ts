/**
 * A TCP proxy for fault tests: listens on one loopback address and forwards each connection to a target. The test
 * can block it (new connections are accepted and held silent, nothing forwarded: traffic "blackholed"), cut every
 * open connection (a dropped link), or refuse (new connections reset at once). `filter` sees the first bytes a
 * client sends and may drop that connection (e.g. by an HTTP header), so one kind of traffic can be blocked alone.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'refuse';

export interface TcpProxyOptions {
  readonly listenHost: string;
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  /** Called with a connection's first chunk from the client; returning false drops (blackholes) the connection. */
  readonly filter?: (first: Buffer) => boolean;
}

export interface TcpProxy {
  readonly url: string;
  mode: ProxyMode;
  /** Connections accepted so far, and how many were dropped by mode or filter. */
  readonly stats: { accepted: number; dropped: number; bytesForwarded: number };
  /** Destroys every open connection (both sides), as a dropped link would. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(o: TcpProxyOptions): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const stats = { accepted: 0, dropped: 0, bytesForwarded: 0 };
  const proxy: TcpProxy = {
    url: `${o.listenHost}:${o.listenPort}`,
    mode: 'forward',
    stats,
    cutAll() {
      for (const s of open) s.destroy();
      open.clear();
    },
    async close() {
      proxy.cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    stats.accepted++;
    track(client);
    if (proxy.mode === 'refuse') {
      stats.dropped++;
      client.resetAndDestroy();
      return;
    }
    if (proxy.mode === 'blackhole') {
      stats.dropped++;
      client.pause();
      return;
    }
    client.once('data', (first: Buffer) => {
      if (o.filter !== undefined && !o.filter(first)) {
        stats.dropped++;
        client.pause();
        return;
      }
      const upstream = connect({ host: o.targetHost, port: o.targetPort });
      track(upstream);
      upstream.write(first);
      stats.bytesForwarded += first.length;
      const pipe = (from: Socket, to: Socket) => {
        from.on('data', (b: Buffer) => {
          if (proxy.mode === 'blackhole') return;
          stats.bytesForwarded += b.length;
          if (!to.write(b)) from.pause();
        });
        to.on('drain', () => from.resume());
        from.on('end', () => to.end());
        from.on('close', () => to.destroy());
      };
      pipe(client, upstream);
      pipe(upstream, client);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.listenPort, o.listenHost, () => resolve());
  });
  return proxy;
}
