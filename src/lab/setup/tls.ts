/**
 * A lab with TLS (`StartLabOptions.tls`): etcd serves clients and peers over https with client-certificate auth,
 * and the apiservers serve https. The certificates come from a folder made by the caller (tests make it with
 * openssl, test/helpers/certs.ts):
 *
 *   <dir>/ca.pem  <dir>/client.pem  <dir>/client-key.pem  <dir>/hosts/<address>/server.pem  …/server-key.pem
 *
 * Every lab host the lab prepares gets them at the same paths (LAB_TLS_PATHS), as an operator provisions them; a
 * host's server certificate names its address. Also here: the lab's own etcd clients (health, seed, flannel config)
 * with those certificates. Key contents are read into memory only, never logged.
 */
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, chmod } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import type { IOptions } from 'etcd3';
import { inputError } from '../../errors.ts';
import { mapPathIntoRoot } from '../paths.ts';

export interface LabTlsOptions {
  /** The certificate folder (layout above). */
  readonly dir: string;
}

/** Where every lab host keeps its certificates (DomeOS keeps etcd's under /etc/etcd/ssl). */
export const LAB_TLS_PATHS = {
  ca: '/etc/etcd/ssl/ca.pem',
  serverCert: '/etc/etcd/ssl/server.pem',
  serverKey: '/etc/etcd/ssl/server-key.pem',
  clientCert: '/etc/etcd/ssl/client.pem',
  clientKey: '/etc/etcd/ssl/client-key.pem',
} as const;

/** The apiserver's insecure port on a TLS lab's masters (its controller, scheduler and kube-proxy use it locally). */
export const LAB_TLS_INSECURE_PORT = 8080;

/** Paths on this machine of the files the lab's own clients use. */
export interface LabClientTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function buildLabClientTls(o: LabTlsOptions): LabClientTls {
  return { ca: join(o.dir, 'ca.pem'), cert: join(o.dir, 'client.pem'), key: join(o.dir, 'client-key.pem') };
}

/** Host path → file in the certificate folder, for `address`. */
export function buildLabHostTlsFiles(o: LabTlsOptions, address: string): Record<string, string> {
  const client = buildLabClientTls(o);
  return {
    [LAB_TLS_PATHS.ca]: client.ca,
    [LAB_TLS_PATHS.clientCert]: client.cert,
    [LAB_TLS_PATHS.clientKey]: client.key,
    [LAB_TLS_PATHS.serverCert]: join(o.dir, 'hosts', address, 'server.pem'),
    [LAB_TLS_PATHS.serverKey]: join(o.dir, 'hosts', address, 'server-key.pem'),
  };
}

/** Copy `address`'s certificates into its root (keys mode 0600), as an operator provisions a host. */
export async function writeLabHostTls(root: string, o: LabTlsOptions, address: string): Promise<void> {
  for (const [hostPath, source] of Object.entries(buildLabHostTlsFiles(o, address))) {
    const target = mapPathIntoRoot(root, hostPath);
    await mkdir(dirname(target), { recursive: true });
    try {
      await copyFile(source, target);
    } catch (err) {
      throw inputError('LAB_TLS_FILE', `cannot copy ${source} to ${hostPath} on ${address} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: `the lab's tls.dir needs ca.pem, client.pem, client-key.pem and hosts/${address}/server.pem and server-key.pem`,
        subjects: { host: address, file: source },
      });
    }
    if (hostPath.endsWith('-key.pem')) await chmod(target, 0o600);
  }
}

/** etcd3's credentials for the lab's own clients; undefined without TLS. */
export function readLabEtcdCredentials(tls: LabClientTls | undefined): IOptions['credentials'] {
  if (tls === undefined) return undefined;
  return { rootCertificate: readFileSync(tls.ca), certChain: readFileSync(tls.cert), privateKey: readFileSync(tls.key) };
}

export interface LabHttpAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * One HTTP(S) request from the lab itself (etcd's /health and v2 keys, an apiserver's /healthz), with the client
 * certificate and CA when `tls` is given. fetch() cannot take a CA or client certificate, hence node:https.
 */
export function sendLabRequest(
  url: string,
  o: { readonly method?: string; readonly body?: string; readonly contentType?: string; readonly timeoutMs: number; readonly tls?: LabClientTls },
): Promise<LabHttpAnswer> {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const headers: Record<string, string> = {};
  if (o.body !== undefined) {
    headers['content-type'] = o.contentType ?? 'application/x-www-form-urlencoded';
    headers['content-length'] = String(Buffer.byteLength(o.body));
  }
  const tlsOptions = https && o.tls !== undefined ? { ca: readFileSync(o.tls.ca), cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) } : {};
  return new Promise((resolve, reject) => {
    const send = https ? httpsRequest : httpRequest;
    const req = send(u, { method: o.method ?? 'GET', headers, signal: AbortSignal.timeout(o.timeoutMs), ...tlsOptions }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
