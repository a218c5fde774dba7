/**
 * The few etcd questions ferry asks over HTTP rather than gRPC: `GET /version` (which etcd 2.x answers too) and the
 * v2 store (`/v2/keys`, which has no gRPC API). Over https with ferry's CA and client certificate when etcd.tls is
 * set; every request is bounded.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FerryError, messageOf } from '../../errors.ts';

export interface EtcdHttpTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface EtcdHttpAnswer {
  readonly status: number;
  readonly text: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export function getFromEtcd(endpoint: string, path: string, tls: EtcdHttpTls | undefined, timeoutMs: number): Promise<EtcdHttpAnswer> {
  const url = new URL(path, endpoint);
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  const options = { signal: AbortSignal.timeout(timeoutMs), ...(https && tls !== undefined ? { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) } : {}) };
  const fail = (why: string, cause: unknown): FerryError =>
    new FerryError('ETCD_UNAVAILABLE', `GET ${url.origin}${url.pathname} failed: ${why}`, { retryable: true, subjects: { endpoint }, hint: 'check that the member runs and listens on this client URL', cause });
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(fail(messageOf(err), err)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', (err) => reject(fail(messageOf(err), err)));
    req.end();
  });
}

/** The answer's body as JSON, or undefined. */
export function parseJsonAnswer(a: EtcdHttpAnswer): unknown {
  try {
    return JSON.parse(a.text);
  } catch {
    return undefined;
  }
}
