/**
 * ferry's view of a Kubernetes apiserver, over @kubernetes/client-node 1.4 (2.x breaks on Node 20:
 * docs/design/lab-environment.md §3). The insecure port DomeOS uses (http://ip:8080) needs no credentials. An https apiserver is
 * verified against `ca` when one is given (the inventory's master.ca); without one, ferry does what DomeOS's own
 * kubeconfig does (`insecure-skip-tls-verify: true`). Foreign errors are translated here, once, into KUBE_*
 * FerryErrors.
 */
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import type { KubeApi } from '../../ports/kube.ts';

export interface KubeOptions {
  /** Path of the CA bundle that signed the apiserver's https certificate. */
  readonly ca?: string;
}




function kubeError(url: string, op: string, err: unknown): FerryError {
  const msg = messageOf(err);
  const unreachable = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket hang up|network|aborted|timeout/i.test(msg);
  return new FerryError(unreachable ? 'KUBE_UNREACHABLE' : 'KUBE_ERROR', `apiserver ${url}: ${op} failed: ${msg}`, {
    retryable: unreachable,
    subjects: { apiserver: url },
    hint: unreachable ? 'is kube-apiserver running on that host, and is the port reachable from here?' : 'look at the apiserver log on its host',
    cause: err,
  });
}

/** The CA's PEM, read once; a missing or unreadable file is bad input. */
function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw inputError('KUBE_TLS_FILE', `cannot read the apiserver CA file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'check master.ca in the inventory: the CA bundle that signed the apiservers’ https certificates',
      subjects: { file: path },
    });
  }
}

/**
 * One raw HTTP(S) request to an apiserver (fetch() cannot take a CA): https is verified against `ca` (PEM) when
 * given, and not verified otherwise (DomeOS's `insecure-skip-tls-verify`). Transport failures reject.
 */
export function sendKubeRequest(
  url: string,
  o: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string; readonly timeoutMs: number; readonly ca?: Buffer; readonly signal?: AbortSignal },
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const https = target.protocol === 'https:';
  const tls = https ? (o.ca !== undefined ? { ca: o.ca } : { rejectUnauthorized: false }) : {};
  const headers = { ...o.headers, ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}) };
  return new Promise((resolve, reject) => {
    const send = https ? httpsRequest : httpRequest;
    const signal = o.signal === undefined ? AbortSignal.timeout(o.timeoutMs) : AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]);
    const req = send(target, { method: o.method ?? 'GET', headers, signal, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The CA file's PEM for openKube/openKubeWorkloads; undefined without one. */
export function readKubeCa(path: string | undefined): Buffer | undefined {
  return path === undefined ? undefined : readCa(path);
}

/**
 * A fetch() for code written against fetch (src/repoint/wait-ready.ts) that must reach an https apiserver: verified
 * against the CA at `caPath` when given, not verified otherwise (as openKube). GET-style requests only (no body).
 */
export function buildKubeFetch(caPath?: string, timeoutMs = 30_000): typeof fetch {
  const ca = readKubeCa(caPath);
  const kubeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const r = await sendKubeRequest(url, { method: init?.method ?? 'GET', headers, timeoutMs, ...(init?.signal ? { signal: init.signal } : {}), ...(ca !== undefined ? { ca } : {}) });
    return new Response([204, 304].includes(r.status) ? null : r.text, { status: r.status });
  };
  return kubeFetch as typeof fetch;
}

/** GET <url>/healthz → true when it answers 200 `ok`; https verified against `ca` when given. */
function readHealthz(url: string, ca: Buffer | undefined, timeoutMs: number): Promise<boolean> {
  const target = new URL('/healthz', url);
  const https = target.protocol === 'https:';
  const tls = https ? (ca !== undefined ? { ca } : { rejectUnauthorized: false }) : {};
  return new Promise((resolve) => {
    const send = https ? httpsRequest : httpRequest;
    const req = send(target, { signal: AbortSignal.timeout(timeoutMs), ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 && Buffer.concat(chunks).toString('utf8').trim() === 'ok'));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

export function openKube(url: string, options: KubeOptions = {}): KubeApi {
  const ca = options.ca === undefined ? undefined : readCa(options.ca);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'ferry', server: url, ...(ca !== undefined ? { caData: ca.toString('base64') } : { skipTLSVerify: true }) }],
    users: [{ name: 'ferry' }],
    contexts: [{ name: 'ferry', cluster: 'ferry', user: 'ferry' }],
    currentContext: 'ferry',
  });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const versionApi = kc.makeApiClient(k8s.VersionApi);
  const call = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw kubeError(url, op, err);
    }
  };
  const names = (items: readonly { metadata?: { name?: string; namespace?: string } }[]) =>
    items.map((i) => (i.metadata?.namespace ? `${i.metadata.namespace}/${i.metadata?.name ?? ''}` : (i.metadata?.name ?? ''))).sort();
  return {
    url,
    async healthz(timeoutMs = 2000) {
      return readHealthz(url, ca, timeoutMs);
    },
    async version() {
      return (await call('version', () => versionApi.getCode())).gitVersion;
    },
    async listNodes() {
      const list = await call('list nodes', () => core.listNode());
      return list.items.map((n) => {
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
        const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
        const status = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
        const hb = ready?.lastHeartbeatTime;
        return {
          name: n.metadata?.name ?? '',
          ready: status,
          ...(hb !== undefined ? { lastHeartbeat: hb instanceof Date ? hb.toISOString() : String(hb) } : {}),
          ...(ip !== undefined ? { internalIP: ip } : {}),
        };
      });
    },
    async readCensus() {
      const [nodes, namespaces, services, pods, rcs] = await Promise.all([
        call('list nodes', () => core.listNode()),
        call('list namespaces', () => core.listNamespace()),
        call('list services', () => core.listServiceForAllNamespaces()),
        call('list pods', () => core.listPodForAllNamespaces()),
        call('list replication controllers', () => core.listReplicationControllerForAllNamespaces()),
      ]);
      return {
        nodes: names(nodes.items),
        namespaces: names(namespaces.items),
        services: names(services.items),
        pods: names(pods.items),
        replicationControllers: names(rcs.items),
      };
    },
  };
}

