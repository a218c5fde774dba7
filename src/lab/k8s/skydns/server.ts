/**
 * skydns's listeners: the same address over TCP and UDP (server.Run starts both), each query handed to `handle`.
 * TCP messages carry a 2-byte length prefix (RFC 1035 §4.2.2) and a connection may carry several queries; an idle
 * connection is closed after a while. A listener that cannot bind fails the start with Go's wording
 * (`listen udp 127.0.0.1:53: bind: address already in use`), which skydns logs before it exits 1.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { messageOf } from '../../../errors.ts';
import type { Transport } from './forward.ts';
import type { HostPort } from './flags.ts';
import { formatHostPort } from './route.ts';

export type QueryHandler = (query: Buffer, transport: Transport) => Promise<Buffer | undefined>;

export interface DnsServer {
  close(): Promise<void>;
}

/** How long a TCP connection may stay silent. */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

const GO_BIND_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'bind: address already in use',
  EADDRNOTAVAIL: 'bind: cannot assign requested address',
  EACCES: 'bind: permission denied',
};

/** `listen tcp 127.0.0.1:53: bind: address already in use`. */
export function describeListenError(transport: Transport, addr: HostPort, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  return `listen ${transport} ${formatHostPort(addr)}: ${GO_BIND_ERRORS[code] ?? messageOf(err)}`;
}

function serveTcpConnection(socket: Socket, handle: QueryHandler, onError: (message: string) => void): void {
  let buffered = Buffer.alloc(0);
  socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < length + 2) break;
      const query = Buffer.from(buffered.subarray(2, length + 2));
      buffered = buffered.subarray(length + 2);
      handle(query, 'tcp').then(
        (answer) => {
          if (answer === undefined || socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(answer.length);
          socket.write(Buffer.concat([prefix, answer]));
        },
        (err: unknown) => onError(messageOf(err)),
      );
    }
  });
}

function listenTcp(addr: HostPort, handle: QueryHandler, onError: (message: string) => void, connections: Set<Socket>): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
      serveTcpConnection(socket, handle, onError);
    });
    server.maxConnections = MAX_TCP_CONNECTIONS;
    server.once('error', (err) => reject(new Error(describeListenError('tcp', addr, err))));
    server.listen({ host: addr.host, port: addr.port, exclusive: true }, () => {
      server.removeAllListeners('error');
      server.on('error', (err) => onError(messageOf(err)));
      resolve(server);
    });
  });
}

function listenUdp(addr: HostPort, handle: QueryHandler, onError: (message: string) => void): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: addr.host.includes(':') ? 'udp6' : 'udp4' });
    socket.once('error', (err) => {
      socket.close();
      reject(new Error(describeListenError('udp', addr, err)));
    });
    socket.on('message', (query, rinfo) => {
      handle(query, 'udp').then(
        (answer) => {
          if (answer !== undefined) socket.send(answer, rinfo.port, rinfo.address, () => undefined);
        },
        (err: unknown) => onError(messageOf(err)),
      );
    });
    socket.bind({ address: addr.host, port: addr.port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      socket.on('error', (err) => onError(messageOf(err)));
      resolve(socket);
    });
  });
}

/** Listen on `addr` over TCP and UDP; rejects (with nothing left listening) when either cannot bind. */
export async function startDnsServer(addr: HostPort, handle: QueryHandler, onError: (message: string) => void): Promise<DnsServer> {
  const connections = new Set<Socket>();
  const tcp = await listenTcp(addr, handle, onError, connections);
  let udp: UdpSocket;
  try {
    udp = await listenUdp(addr, handle, onError);
  } catch (err) {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        for (const c of connections) c.destroy();
        await Promise.all([tcpClosed, new Promise<void>((resolve) => udp.close(() => resolve()))]);
      })()),
  };
}
