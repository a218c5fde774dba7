/**
 * ferry's view of a Kubernetes apiserver, over @kubernetes/client-node 1.4 (2.x breaks on Node 20:
 * this-machine.md §3). The insecure port DomeOS uses (http://ip:8080) needs no credentials. Foreign errors are
 * translated here, once, into KUBE_* FerryErrors.
 */
import * as k8s from '@kubernetes/client-node';
import { FerryError, messageOf } from '../errors.ts';

export interface NodeView {
  readonly name: string;
  /** The Ready condition's status: True, False or Unknown (no condition yet counts as Unknown). */
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly lastHeartbeat?: string;
  readonly internalIP?: string;
}

/** What an apiserver holds, by name: compared before and after a master switch. */
export interface Census {
  readonly nodes: readonly string[];
  readonly namespaces: readonly string[];
  readonly services: readonly string[];
  readonly pods: readonly string[];
  readonly replicationControllers: readonly string[];
}

export interface KubeApi {
  readonly url: string;
  /** True when /healthz answers `ok`; false when it answers anything else or not at all. */
  healthz(timeoutMs?: number): Promise<boolean>;
  /** The server's gitVersion, e.g. v1.4.7. */
  version(): Promise<string>;
  listNodes(): Promise<NodeView[]>;
  readCensus(): Promise<Census>;
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

export function openKube(url: string): KubeApi {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'ferry', server: url, skipTLSVerify: true }],
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
      try {
        const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(timeoutMs) });
        return res.ok && (await res.text()).trim() === 'ok';
      } catch {
        return false;
      }
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

/** What differs between two censuses, in words; empty when the same. Pure. */
export function compareCensus(before: Census, after: Census): string[] {
  const out: string[] = [];
  for (const key of ['nodes', 'namespaces', 'services', 'pods', 'replicationControllers'] as const) {
    const a = new Set(before[key]);
    const b = new Set(after[key]);
    const missing = [...a].filter((x) => !b.has(x));
    const extra = [...b].filter((x) => !a.has(x));
    if (missing.length > 0) out.push(`${key} missing: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (+${missing.length - 10})` : ''}`);
    if (extra.length > 0) out.push(`${key} not there before: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ` (+${extra.length - 10})` : ''}`);
  }
  return out;
}
