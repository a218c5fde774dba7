/**
 * `GET /version` on a member's client URL (etcd 2.x and 3.x answer it alike, without auth): the one etcd question
 * ferry asks over plain HTTP, because a member too old for the v3 API must still be told apart from a member that is
 * down. Over https with ferry's CA and client certificate when etcd.tls is set.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FerryError, messageOf } from '../../errors.ts';
import { parseEtcdVersionAnswer, type EtcdVersion } from '../../etcd/versions.ts';

export interface VersionProbeTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export function readEtcdVersion(endpoint: string, tls: VersionProbeTls | undefined, timeoutMs: number): Promise<EtcdVersion> {
  const url = new URL('/version', endpoint);
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  const options = { signal: AbortSignal.timeout(timeoutMs), ...(https && tls !== undefined ? { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) } : {}) };
  const fail = (why: string, cause?: unknown): FerryError =>
    new FerryError('ETCD_UNAVAILABLE', `GET ${url.href} failed: ${why}`, { retryable: true, subjects: { endpoint }, hint: 'check that the member runs and listens on this client URL', ...(cause !== undefined ? { cause } : {}) });
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(fail(messageOf(err), err)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const version = res.statusCode === 200 ? parseEtcdVersionAnswer(body) : undefined;
        if (version === undefined) reject(fail(`not an etcd version answer (HTTP ${res.statusCode ?? '?'}: ${text.slice(0, 200)})`));
        else resolve(version);
      });
    });
    req.on('error', (err) => reject(fail(messageOf(err), err)));
    req.end();
  });
}
