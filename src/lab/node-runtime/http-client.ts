/**
 * HTTP/JSON for the node agents (apiserver and etcd v2 calls). It is built on node:http rather than fetch so that
 * the agents of one node runtime share a bounded pool of keep-alive connections per server (hundreds of kubelets
 * heartbeating must not open hundreds of sockets), and so that `insecure-skip-tls-verify` and basic auth from a
 * kubeconfig work. Transport failures become one FerryError code here; HTTP statuses are returned, not thrown.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createHash } from 'node:crypto';
import { FerryError, messageOf } from '../../errors.ts';

export interface HttpAuth {
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
}

export interface HttpTarget {
  /** `http://host:port` or `https://host:port`, without a trailing slash. */
  readonly base: string;
  readonly auth?: HttpAuth;
  /** Accept any server certificate (a kubeconfig's `insecure-skip-tls-verify: true`). */
  readonly insecureSkipTlsVerify?: boolean;
  /** PEM contents: the CA to verify the server with, and a client certificate (a kubeconfig's, flanneld's -etcd-*). */
  readonly tls?: HttpTls;
}

export interface HttpTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** Tells TLS settings apart without holding their contents in a key (the key never leaves the process anyway). */
export function tlsKey(tls: HttpTls | undefined): string {
  if (tls === undefined) return '';
  const h = createHash('sha256');
  for (const part of [tls.ca, tls.cert, tls.key]) h.update(part ?? '').update('\0');
  return h.digest('hex');
}

export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  readonly json: unknown;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Default `application/json` when there is a body; a string body is sent as is. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Connections per server and process; requests beyond wait for a free one. */
const MAX_SOCKETS_PER_SERVER = 32;

/** The connection pools of one process. */
export class HttpPools {
  readonly http = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_SERVER, maxFreeSockets: 8 });
  readonly https = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_SERVER, maxFreeSockets: 8 });
  readonly httpsInsecure = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_SERVER, maxFreeSockets: 8, rejectUnauthorized: false });
  private readonly httpsWithTls = new Map<string, HttpsAgent>();

  /** The pool for a CA and client certificate. */
  httpsFor(tls: HttpTls): HttpsAgent {
    const key = tlsKey(tls);
    let agent = this.httpsWithTls.get(key);
    if (agent === undefined) {
      agent = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_SERVER, maxFreeSockets: 8, ...(tls.ca !== undefined ? { ca: tls.ca } : {}), ...(tls.cert !== undefined ? { cert: tls.cert } : {}), ...(tls.key !== undefined ? { key: tls.key } : {}) });
      this.httpsWithTls.set(key, agent);
    }
    return agent;
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
    this.httpsInsecure.destroy();
    for (const agent of this.httpsWithTls.values()) agent.destroy();
    this.httpsWithTls.clear();
  }
}

/** Worded as Go's net/http words it: `Get http://h:p/x: dial tcp h:p: getsockopt: connection refused`. */
export function unreachable(base: string, method: string, path: string, cause: unknown): FerryError {
  const goMethod = method.charAt(0) + method.slice(1).toLowerCase();
  const hostPort = base.replace(/^[a-z]+:\/\//i, '');
  return new FerryError('LAB_AGENT_UNREACHABLE', `${goMethod} ${base}${path}: ${describeTransportError(cause, hostPort)}`, { retryable: true, cause, subjects: { server: base } });
}

function describeTransportError(err: unknown, hostPort: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return `dial tcp ${hostPort}: getsockopt: connection refused`;
  if (code === 'ECONNRESET') return `read tcp ${hostPort}: connection reset by peer`;
  if (code === 'ETIMEDOUT') return `dial tcp ${hostPort}: i/o timeout`;
  if (code === 'LAB_TIMEOUT') return 'net/http: request canceled (Client.Timeout exceeded while awaiting headers)';
  return messageOf(err);
}

export function isUnreachable(err: unknown): boolean {
  return err instanceof FerryError && err.code === 'LAB_AGENT_UNREACHABLE';
}

/**
 * One server reached through a process's pools. Requests are bounded by `timeoutMs`; `stream` (watches, long
 * polls) only by its signal.
 */
export class HttpClient {
  constructor(
    readonly target: HttpTarget,
    private readonly pools: HttpPools,
  ) {}

  async request(method: string, path: string, o: RequestOptions = {}): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = o.signal === undefined ? timeout : AbortSignal.any([timeout, o.signal]);
    const res = await this.open(method, path, o, signal);
    const text = await readBody(res, signal).catch((err: unknown) => {
      throw unreachable(this.target.base, method, path, err);
    });
    return { status: res.statusCode ?? 0, text, json: parseJson(text) };
  }

  /**
   * GET a streaming answer and hand each non-empty line to `onLine` until the server ends it or `signal` aborts.
   * A non-200 answer is returned whole instead (status and text).
   */
  async stream(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<HttpAnswer | undefined> {
    const res = await this.open('GET', path, {}, signal);
    if (res.statusCode !== 200) {
      const text = await readBody(res, signal).catch(() => '');
      return { status: res.statusCode ?? 0, text, json: parseJson(text) };
    }
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line !== '') onLine(line);
        }
      });
      res.on('end', () => {
        if (buffered.trim() !== '') onLine(buffered.trim());
        resolve();
      });
      res.on('error', (err) => (signal.aborted ? resolve() : reject(unreachable(this.target.base, 'GET', path, err))));
      res.on('close', () => resolve());
    });
    return undefined;
  }

  private open(method: string, path: string, o: RequestOptions, signal: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(this.target.base + path);
    const https = url.protocol === 'https:';
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.target.auth;
    if (auth?.token !== undefined) headers['authorization'] = `Bearer ${auth.token}`;
    else if (auth?.username !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    let payload: string | undefined;
    if (o.body !== undefined) {
      payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const tls = this.target.tls;
    const agent = !https ? this.pools.http : this.target.insecureSkipTlsVerify === true ? this.pools.httpsInsecure : tls !== undefined ? this.pools.httpsFor(tls) : this.pools.https;
    const send = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(unreachable(this.target.base, method, path, signal.reason));
        return;
      }
      const req = send(url, { method, headers, agent, signal }, resolve);
      req.on('error', (err) => {
        const cause = signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError' ? Object.assign(new Error('i/o timeout'), { code: 'LAB_TIMEOUT' }) : err;
        reject(unreachable(this.target.base, method, path, cause));
      });
      req.end(payload);
    });
  }
}

function readBody(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(signal.reason ?? new Error('aborted')));
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
