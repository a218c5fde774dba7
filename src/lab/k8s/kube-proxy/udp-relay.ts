/**
 * A UDP service port: a socket on clusterIP:port that relays each datagram to an endpoint and each reply back to
 * the client from clusterIP:port (as the 1.4 userspace proxier does, one session per client address with an idle
 * timeout). Many kube-proxies run on this machine for the same services (one per lab node, plus the master's), so
 * the socket is bound with SO_REUSEADDR and every one of them can bind; the kernel hands each datagram to one.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { messageOf } from '../../../errors.ts';
import type { Endpoint } from './listener-plan.ts';

/** Idle time after which a client's session (its upstream socket) is closed. */
const DEFAULT_SESSION_IDLE_MS = 10_000;
const BIND_RETRY_MS = 3_000;

export interface UdpRelayOptions {
  readonly address: string;
  readonly port: number;
  /** The endpoint for a new session; undefined drops the datagram. */
  readonly pick: () => Endpoint | undefined;
  readonly log: (level: 'info' | 'warn', message: string) => void;
  readonly sessionIdleMs?: number;
}

interface Session {
  readonly upstream: Socket;
  readonly endpoint: Endpoint;
  timer: NodeJS.Timeout;
}

export class UdpRelay {
  private socket: Socket | undefined;
  private readonly sessions = new Map<string, Session>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private bound = false;
  private warned = false;

  constructor(private readonly o: UdpRelayOptions) {
    this.bind();
  }

  /** True once the socket is bound. */
  get listening(): boolean {
    return this.bound;
  }

  private bind(): void {
    if (this.closed) return;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.relay(msg, rinfo));
    socket.once('listening', () => {
      this.bound = true;
      this.o.log('info', `Listening on ${this.o.address}:${this.o.port}/UDP`);
    });
    socket.on('error', (err) => {
      if (this.closed) return;
      if (!this.bound) {
        if (!this.warned) this.o.log('warn', `cannot listen on ${this.o.address}:${this.o.port}/UDP (${messageOf(err)}); retrying every ${BIND_RETRY_MS / 1000}s`);
        this.warned = true;
        socket.close();
        this.retry = setTimeout(() => this.bind(), BIND_RETRY_MS);
        this.retry.unref();
      } else this.o.log('warn', `UDP ${this.o.address}:${this.o.port}: ${messageOf(err)}`);
    });
    socket.bind({ address: this.o.address, port: this.o.port, exclusive: false });
  }

  private relay(msg: Buffer, client: RemoteInfo): void {
    const key = `${client.address}:${client.port}`;
    let session = this.sessions.get(key);
    if (session === undefined) {
      const endpoint = this.o.pick();
      if (endpoint === undefined) return;
      const upstream = createSocket('udp4');
      const created: Session = { upstream, endpoint, timer: this.idleTimer(key) };
      upstream.on('message', (reply) => {
        this.touch(key, created);
        this.socket?.send(reply, client.port, client.address);
      });
      upstream.on('error', () => this.endSession(key, created));
      this.sessions.set(key, created);
      session = created;
    } else this.touch(key, session);
    session.upstream.send(msg, session.endpoint.port, session.endpoint.host);
  }

  private idleTimer(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const s = this.sessions.get(key);
      if (s !== undefined) this.endSession(key, s);
    }, this.o.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS);
    timer.unref();
    return timer;
  }

  private touch(key: string, session: Session): void {
    clearTimeout(session.timer);
    session.timer = this.idleTimer(key);
  }

  private endSession(key: string, session: Session): void {
    clearTimeout(session.timer);
    if (this.sessions.get(key) === session) this.sessions.delete(key);
    try {
      session.upstream.close();
    } catch {
      // already closed
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    for (const [key, s] of [...this.sessions]) this.endSession(key, s);
    try {
      this.socket?.close();
    } catch {
      // never bound, or already closed
    }
    this.socket = undefined;
  }
}
