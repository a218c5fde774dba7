/**
 * Forwarding a query that is not under skydns's domain to its upstream nameservers, over the transport the
 * query came by (UDP stays UDP, so a truncated answer makes the client retry over TCP): each nameserver in turn,
 * each bounded by the read timeout (`-rtimeout`, 2 s). The caller passes only loopback nameservers (route.ts).
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { messageOf } from '../../../errors.ts';
import type { HostPort } from './flags.ts';
import { formatHostPort } from './route.ts';

export type Transport = 'udp' | 'tcp';

export type ForwardResult = { readonly ok: true; readonly answer: Buffer } | { readonly ok: false; readonly message: string };

function exchangeUdp(query: Buffer, server: HostPort, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(server.host.includes(':') ? 'udp6' : 'udp4');
    let settled = false;
    const done = (err: Error | undefined, answer?: Buffer): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.close();
      if (err !== undefined) reject(err);
      else resolve(answer as Buffer);
    };
    const onAbort = (): void => done(new Error('i/o timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => done(err));
    socket.on('message', (msg) => {
      // Only the answer to this query (same id) counts.
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(undefined, msg);
    });
    socket.send(query, server.port, server.host, (err) => {
      if (err !== null && err !== undefined) done(err);
    });
  });
}

function exchangeTcp(query: Buffer, server: HostPort, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let buffered = Buffer.alloc(0);
    let settled = false;
    const done = (err: Error | undefined, answer?: Buffer): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err !== undefined) reject(err);
      else resolve(answer as Buffer);
    };
    const onAbort = (): void => done(new Error('i/o timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => done(err));
    socket.on('close', () => done(new Error('connection closed before the answer')));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2) return;
      const length = buffered.readUInt16BE(0);
      if (buffered.length >= length + 2) done(undefined, buffered.subarray(2, length + 2));
    });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(query.length);
    socket.write(Buffer.concat([prefix, query]));
  });
}

export async function forwardQuery(query: Buffer, servers: readonly HostPort[], transport: Transport, timeoutMs: number, signal: AbortSignal): Promise<ForwardResult> {
  const failures: string[] = [];
  for (const server of servers) {
    if (signal.aborted) break;
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const answer = await (transport === 'udp' ? exchangeUdp(query, server, bounded) : exchangeTcp(query, server, bounded));
      return { ok: true, answer };
    } catch (err) {
      failures.push(`${transport} ${formatHostPort(server)}: ${messageOf(err)}`);
    }
  }
  return { ok: false, message: `failure to forward request: ${failures.join('; ') || 'stopped'}` };
}
