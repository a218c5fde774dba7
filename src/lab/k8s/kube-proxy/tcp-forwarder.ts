/**
 * A TCP service port: a server on clusterIP:port that pipes each connection to an endpoint (trying the next one
 * when a connect fails), as the 1.4 userspace proxier does. Many kube-proxies run on this machine for the same
 * services and a TCP address has one listener: the first to bind serves, the others try again every few seconds
 * (EADDRINUSE is expected, not an error), so one takes over when the serving one goes.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { messageOf } from '../../../errors.ts';
import type { Endpoint } from './listener-plan.ts';

const DEFAULT_RETRY_MS = 3_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Endpoints tried for one connection before it is dropped. */
const MAX_CONNECT_TRIES = 3;

export interface TcpForwarderOptions {
  readonly address: string;
  readonly port: number;
  readonly pick: () => Endpoint | undefined;
  readonly log: (level: 'info' | 'warn', message: string) => void;
  /** How often a kube-proxy that could not bind tries again; default 3000 ms. */
  readonly retryMs?: number;
}

export class TcpForwarder {
  private readonly server: Server;
  private readonly connections = new Set<Socket>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private bound = false;
  private reported = '';

  constructor(private readonly o: TcpForwarderOptions) {
    this.server = createServer((client) => this.forward(client));
    this.server.on('listening', () => {
      this.bound = true;
      this.o.log('info', `Listening on ${o.address}:${o.port}/TCP`);
    });
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (this.closed) return;
      // Another kube-proxy serves this address: quietly try again later.
      if (err.code !== 'EADDRINUSE' && this.reported !== err.code) this.o.log('warn', `cannot listen on ${o.address}:${o.port}/TCP (${messageOf(err)}); retrying`);
      this.reported = err.code ?? '';
      this.retry = setTimeout(() => this.listen(), o.retryMs ?? DEFAULT_RETRY_MS);
      this.retry.unref();
    });
    this.listen();
  }

  /** True while this forwarder is the one serving the address. */
  get listening(): boolean {
    return this.bound && this.server.listening;
  }

  private listen(): void {
    if (this.closed) return;
    this.server.listen({ host: this.o.address, port: this.o.port, exclusive: true });
  }

  private forward(client: Socket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    this.connections.add(client);
    client.once('close', () => this.connections.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    this.connectUpstream(client, 1);
  }

  private connectUpstream(client: Socket, attempt: number): void {
    const endpoint = this.o.pick();
    if (endpoint === undefined || client.destroyed) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: endpoint.host, port: endpoint.port });
    upstream.setTimeout(CONNECT_TIMEOUT_MS);
    this.connections.add(upstream);
    upstream.once('close', () => this.connections.delete(upstream));
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    let failed = false;
    const fail = (): void => {
      if (failed) return;
      failed = true;
      upstream.destroy();
      if (connected) client.destroy();
      else if (attempt < MAX_CONNECT_TRIES) this.connectUpstream(client, attempt + 1);
      else client.destroy();
    };
    upstream.once('timeout', fail);
    upstream.on('error', fail);
  }

  close(): void {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.server.close();
    for (const s of this.connections) s.destroy();
    this.connections.clear();
  }
}
