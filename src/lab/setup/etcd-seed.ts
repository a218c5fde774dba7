/**
 * Data the lab puts in its old cluster, so a migration has something to lose: ~50 Kubernetes-like keys under
 * `/registry/` through the v3 API, and flannel's network config through the v2 API, as DomeOS's master script
 * writes it (docs/design/domeos.md §2.3). `readLabSeedCheck` reads all of it back.
 */
import { Etcd3 } from 'etcd3';
import { FerryError, messageOf } from '../../errors.ts';
import { readLabEtcdCredentials, sendLabRequest, type LabClientTls } from './tls.ts';

export interface SeedEntry {
  readonly key: string;
  readonly value: string;
}

export interface LabSeedData {
  /** Keys in the v3 keyspace. */
  readonly v3: readonly SeedEntry[];
  /** Keys in the v2 keyspace (separate from v3: etcd 3.4 keeps them apart). */
  readonly v2: readonly SeedEntry[];
}

export const FLANNEL_CONFIG_KEY = '/flannel/network/config';
/**
 * The lab's flannel network (the runbook's 172.24.0.0/13 mapped to loopback), as `ferry lab up` also writes it when
 * it starts the old master (flannel-network.ts; a lab of more than 511 hosts gets a longer SubnetLen there).
 */
export const FLANNEL_CONFIG = '{"Network": "127.24.0.0/13", "SubnetLen": 22, "Backend": {"Type": "vxlan", "VNI": 1}}';

const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Written with the seed when the lab also runs a control plane on the cluster (`ferry lab up` with a master): the
 * check then knows to expect the live-control-plane seed (below).
 */
export const LIVE_SEED_MARKER_KEY = '/registry/ferry-lab/seed';

export interface LabSeedOptions {
  /**
   * A control plane (apiserver, controller-manager) runs on this cluster: keys it rewrites or deletes by design are
   * not seeded, so that "every seeded key reads back unchanged" still means "no data was lost". The node
   * controller rewrites nodes that never heartbeat and evicts their pods, the replication manager updates RCs, and
   * the apiserver reconciles the `kubernetes` service and endpoints.
   */
  readonly liveControlPlane?: boolean;
  /**
   * The flannel config the lab's control plane runs with (its network and SubnetLen depend on the lab's options and
   * size); recorded in the marker so that the check expects it. Default FLANNEL_CONFIG.
   */
  readonly flannelConfig?: string;
  /** The lab's client certificate and CA, for a TLS lab. */
  readonly tls?: LabClientTls;
}

const LIVE_MANAGED = [/^\/registry\/minions\//, /^\/registry\/pods\//, /^\/registry\/controllers\//, /^\/registry\/services\/(specs|endpoints)\/default\/kubernetes$/];

function json(value: unknown): string {
  return JSON.stringify(value);
}

/** The seeded keys and values (pure and deterministic, so checks can compare). */
export function buildLabSeedData(options: LabSeedOptions = {}): LabSeedData {
  const v3: SeedEntry[] = [];
  const put = (key: string, value: unknown): void => {
    v3.push({ key, value: json(value) });
  };
  for (const ns of ['default', 'kube-system', 'domeos']) {
    put(`/registry/namespaces/${ns}`, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: ns }, status: { phase: 'Active' } });
  }
  for (let i = 1; i <= 6; i++) {
    const name = `node-${i}`;
    put(`/registry/minions/${name}`, { kind: 'Node', apiVersion: 'v1', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: { podCIDR: `172.24.${i * 4}.0/22` } });
  }
  put('/registry/services/specs/default/kubernetes', { kind: 'Service', apiVersion: 'v1', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '172.16.0.1', ports: [{ port: 443 }] } });
  put('/registry/services/endpoints/default/kubernetes', { kind: 'Endpoints', apiVersion: 'v1', metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.17.33.30' }], ports: [{ port: 8080 }] }] });
  put('/registry/services/specs/kube-system/skydns', { kind: 'Service', apiVersion: 'v1', metadata: { name: 'skydns', namespace: 'kube-system' }, spec: { clusterIP: '172.16.40.1', ports: [{ port: 53, protocol: 'UDP' }] } });
  put('/registry/controllers/kube-system/skydns', { kind: 'ReplicationController', apiVersion: 'v1', metadata: { name: 'skydns', namespace: 'kube-system' }, spec: { replicas: 1 } });
  put('/registry/serviceaccounts/default/default', { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'default', namespace: 'default' } });
  put('/registry/ranges/serviceips', { range: '172.16.0.0/13' });
  put('/registry/ranges/servicenodeports', { range: '30000-32767' });
  for (let i = 1; i <= 4; i++) {
    put(`/registry/deployments/default/web-${i}`, { kind: 'Deployment', apiVersion: 'extensions/v1beta1', metadata: { name: `web-${i}`, namespace: 'default' }, spec: { replicas: 2 } });
  }
  for (let i = 1; i <= 28; i++) {
    const name = `web-${((i - 1) % 4) + 1}-${String(i).padStart(5, '0')}`;
    put(`/registry/pods/default/${name}`, { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'default' }, spec: { nodeName: `node-${((i - 1) % 6) + 1}` }, status: { phase: 'Running', podIP: `172.24.${(i % 6) * 4}.${i + 1}` } });
  }
  put('/registry/events/default/seeded-by-ferry-lab', { kind: 'Event', apiVersion: 'v1', message: 'seeded by ferry lab' });
  if (options.liveControlPlane === true) {
    const kept = v3.filter((e) => !LIVE_MANAGED.some((re) => re.test(e.key)));
    const flannelConfig = options.flannelConfig ?? FLANNEL_CONFIG;
    const marker = json({ liveControlPlane: true, ...(options.flannelConfig !== undefined ? { flannelConfig } : {}) });
    return { v3: [...kept, { key: LIVE_SEED_MARKER_KEY, value: marker }], v2: [{ key: FLANNEL_CONFIG_KEY, value: flannelConfig }] };
  }
  return { v3, v2: [{ key: FLANNEL_CONFIG_KEY, value: FLANNEL_CONFIG }] };
}

function seedError(code: string, message: string, cause: unknown): FerryError {
  return new FerryError(code, `${message}: ${messageOf(cause)}`, { hint: 'Check that the lab cluster is healthy: ferry lab status.', retryable: true, cause });
}

async function putV2(clientURL: string, key: string, value: string, tls: LabClientTls | undefined): Promise<void> {
  const res = await sendLabRequest(`${clientURL}/v2/keys${key}`, {
    method: 'PUT',
    body: new URLSearchParams({ value }).toString(),
    timeoutMs: REQUEST_TIMEOUT_MS,
    ...(tls !== undefined ? { tls } : {}),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
}

/** Write the seed data into the cluster reached through `clientURLs` (v3 through etcd3, v2 over HTTP). */
export async function writeLabSeedData(clientURLs: readonly string[], options: LabSeedOptions = {}): Promise<LabSeedData> {
  const data = buildLabSeedData(options);
  const client = new Etcd3({ hosts: [...clientURLs], dialTimeout: REQUEST_TIMEOUT_MS, credentials: readLabEtcdCredentials(options.tls) });
  try {
    for (const { key, value } of data.v3) await client.put(key).value(value).exec();
  } catch (err) {
    throw seedError('LAB_SEED_FAILED', 'cannot write the lab seed data (v3)', err);
  } finally {
    client.close();
  }
  let lastError: unknown;
  for (const { key, value } of data.v2) {
    lastError = undefined;
    for (const url of clientURLs) {
      try {
        await putV2(url, key, value, options.tls);
        lastError = undefined;
        break;
      } catch (err) {
        lastError = err;
      }
    }
    if (lastError !== undefined) throw seedError('LAB_SEED_FAILED', `cannot write ${key} through the v2 API`, lastError);
  }
  return data;
}

export interface SeedCheck {
  readonly ok: boolean;
  /** Keys not found; v2 keys are shown as `/v2/keys<key>`. */
  readonly missing: readonly string[];
  /** Keys whose value differs. */
  readonly wrong: readonly string[];
}

function parseJsonOr<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

async function readV2(clientURLs: readonly string[], key: string, tls: LabClientTls | undefined): Promise<string | undefined> {
  let lastError: unknown;
  for (const url of clientURLs) {
    try {
      const res = await sendLabRequest(`${url}/v2/keys${key}`, { timeoutMs: REQUEST_TIMEOUT_MS, ...(tls !== undefined ? { tls } : {}) });
      if (res.status === 404) {
        const body = parseJsonOr<{ errorCode?: number }>(res.text, {});
        if (body.errorCode === 100) return undefined; // "Key not found"
        throw new Error('HTTP 404 (is the v2 API enabled? start etcd with -enable-v2)');
      }
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return parseJsonOr<{ node?: { value?: string } }>(res.text, {}).node?.value;
    } catch (err) {
      lastError = err;
    }
  }
  throw seedError('LAB_SEED_CHECK_FAILED', `cannot read ${key} through the v2 API`, lastError);
}

/** The seed options a marker records (absent marker: a plain seed). */
function readMarker(value: string | undefined): LabSeedOptions {
  if (value === undefined) return {};
  try {
    const m = JSON.parse(value) as { flannelConfig?: unknown };
    return { liveControlPlane: true, ...(typeof m.flannelConfig === 'string' ? { flannelConfig: m.flannelConfig } : {}) };
  } catch {
    return { liveControlPlane: true };
  }
}

/**
 * Read every seeded key back (one linearizable range read of `/registry/`, tried on each endpoint in turn since a
 * learner refuses it, then the v2 keys) and compare. A cluster seeded for a live control plane (its marker key is
 * there) is compared with that seed.
 */
export async function readLabSeedCheck(clientURLs: readonly string[], tls?: LabClientTls): Promise<SeedCheck> {
  let found: Record<string, string> | undefined;
  let lastError: unknown;
  for (const url of clientURLs) {
    const client = new Etcd3({ hosts: [url], dialTimeout: REQUEST_TIMEOUT_MS, credentials: readLabEtcdCredentials(tls) });
    try {
      found = await client.getAll().prefix('/registry/').strings();
      break;
    } catch (err) {
      lastError = err;
    } finally {
      client.close();
    }
  }
  if (found === undefined) throw seedError('LAB_SEED_CHECK_FAILED', 'cannot read the lab seed data (v3)', lastError);
  const data = buildLabSeedData(readMarker(found[LIVE_SEED_MARKER_KEY]));
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const { key, value } of data.v3) {
    const actual = found[key];
    if (actual === undefined) missing.push(key);
    else if (actual !== value) wrong.push(key);
  }
  for (const { key, value } of data.v2) {
    const actual = await readV2(clientURLs, key, tls);
    if (actual === undefined) missing.push(`/v2/keys${key}`);
    else if (actual !== value) wrong.push(`/v2/keys${key}`);
  }
  return { ok: missing.length === 0 && wrong.length === 0, missing, wrong };
}
