/**
 * The lab's nodes: each gets what start_node_centos.sh (2017) writes (docs/design/domeos.md §2.2) — kubelet, kube-proxy and
 * flanneld sysconfig files and units pointing at the old master and the old etcd — and its services started in the
 * script's order (flanneld, kube-proxy, kubelet). Then `ferry lab up` waits until every node is Ready.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../errors.ts';
import { isNodeReady, type NodeObject } from '../k8s/kubelet/node-status.ts';
import {
  DEFAULT_KUBE_PROXY_OPTS,
  DEFAULT_KUBELET_OPTS,
  KUBELET_KUBECONFIG_PATH,
  renderKubeletKubeconfig,
  DOCKER_FLANNEL_DROPIN_PATH,
  renderDockerFlannelDropIn,
  renderFlanneldSysconfig,
  renderFlanneldUnit,
  renderKubeletSysconfig,
  renderKubeletUnit,
  renderKubeProxyUnit,
  renderNodeKubeProxySysconfig,
  UNIT_DIR,
} from '../domeos/node-files.ts';
import { writeHostFiles } from './host-files.ts';
import type { LabNode } from './lab-nodes.ts';
import type { SupervisorClient } from '../supervisor/supervisor-client.ts';
import { LAB_FLANNELD_TLS_OPTIONS } from './master-up.ts';
import { LAB_TLS_PATHS } from './tls.ts';

/** The lab's cluster DNS address (the runbook's 172.16.40.1 mapped to loopback). */
export const LAB_CLUSTER_DNS = '127.16.40.1';
export const DEFAULT_CLUSTER_DOMAIN = 'domeos.local';
/** A node's units in start order. */
export const NODE_UNITS = ['flanneld', 'kube-proxy', 'kubelet'] as const;

export interface NodeFilesPlan {
  /** The old master's apiserver URL. */
  readonly apiServer: string;
  readonly etcdServers: readonly string[];
  readonly clusterDns: string;
  readonly clusterDomain: string;
  /**
   * A TLS lab: the master is https (apiServer), reached through /etc/sysconfig/kubelet.config with the CA and the
   * client certificate (start_node_centos.sh's https layout), and flanneld reaches etcd with the client certificate.
   */
  readonly tls?: boolean;
}

export async function writeNodeFiles(root: string, node: LabNode, plan: NodeFilesPlan): Promise<void> {
  const tls = plan.tls === true;
  const kubeconfigFlag = ` --kubeconfig=${KUBELET_KUBECONFIG_PATH}`;
  await writeHostFiles(root, {
    ...(tls
      ? {
          [KUBELET_KUBECONFIG_PATH]: renderKubeletKubeconfig({
            server: plan.apiServer,
            certificateAuthority: LAB_TLS_PATHS.ca,
            clientCertificate: LAB_TLS_PATHS.clientCert,
            clientKey: LAB_TLS_PATHS.clientKey,
          }),
        }
      : {}),
    '/etc/sysconfig/flanneld': renderFlanneldSysconfig({ etcdServers: plan.etcdServers, iface: node.host, ...(tls ? { options: LAB_FLANNELD_TLS_OPTIONS } : {}) }),
    [DOCKER_FLANNEL_DROPIN_PATH]: renderDockerFlannelDropIn(),
    [`${UNIT_DIR}/flanneld.service`]: renderFlanneldUnit(),
    '/etc/sysconfig/kube-proxy': renderNodeKubeProxySysconfig({ apiServer: plan.apiServer, ...(tls ? { kubeProxyOpts: `${DEFAULT_KUBE_PROXY_OPTS}${kubeconfigFlag}` } : {}) }),
    [`${UNIT_DIR}/kube-proxy.service`]: renderKubeProxyUnit(),
    '/etc/sysconfig/kubelet': renderKubeletSysconfig({ apiServer: plan.apiServer, clusterDns: plan.clusterDns, clusterDomain: plan.clusterDomain, hostnameOverride: node.name, ...(tls ? { kubeletOpts: `${DEFAULT_KUBELET_OPTS}${kubeconfigFlag}` } : {}) }),
    [`${UNIT_DIR}/kubelet.service`]: renderKubeletUnit(),
  });
}

/** Run `fn` over `items`, at most `concurrency` at a time. */
export async function forEachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export async function startLabNodes(client: SupervisorClient, nodes: readonly LabNode[], o: { readonly concurrency: number; readonly log: (line: string) => void }): Promise<void> {
  let done = 0;
  await forEachLimited(nodes, o.concurrency, async (node) => {
    for (const unit of NODE_UNITS) await client.start(node.host, unit);
    done++;
    if (done % 100 === 0 && done < nodes.length) o.log(`started the services of ${done}/${nodes.length} nodes`);
  });
  o.log(`started ${NODE_UNITS.join(', ')} on ${nodes.length} node(s)`);
}

/** Names of the nodes the apiserver reports Ready. */
export async function readReadyNodeNames(apiserver: string, timeoutMs = 10_000): Promise<Set<string>> {
  const res = await fetch(`${apiserver}/api/v1/nodes`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`GET ${apiserver}/api/v1/nodes: HTTP ${res.status}`);
  const list = (await res.json()) as { items?: NodeObject[] };
  return new Set((list.items ?? []).filter(isNodeReady).map((n) => n.metadata.name));
}

export interface NodesReadyResult {
  readonly ready: number;
  readonly notReady: readonly string[];
  readonly lastError?: string;
}

/** Poll the apiserver until every named node is Ready or `timeoutMs` passes. */
export async function waitForNodesReady(apiserver: string, names: readonly string[], o: { readonly timeoutMs: number; readonly log: (line: string) => void }): Promise<NodesReadyResult> {
  const deadline = Date.now() + o.timeoutMs;
  let lastLogged = Date.now();
  let result: NodesReadyResult = { ready: 0, notReady: names };
  for (;;) {
    try {
      const ready = await readReadyNodeNames(apiserver);
      const notReady = names.filter((n) => !ready.has(n));
      result = { ready: names.length - notReady.length, notReady };
    } catch (err) {
      result = { ...result, lastError: messageOf(err) };
    }
    if (result.notReady.length === 0 || Date.now() >= deadline) return result;
    if (Date.now() - lastLogged >= 5_000) {
      lastLogged = Date.now();
      o.log(`${result.ready}/${names.length} nodes Ready`);
    }
    await sleep(500);
  }
}
