/**
 * The Kubernetes half of `ferry lab up` for an inventory with a master: host roots with DomeOS's binaries for
 * both masters and every node, the old master configured and started on the old etcd, the flannel network config
 * in etcd, every node configured and started against the old master and old etcd, then a bounded wait until every
 * node is Ready on the old master, and (unless `dns: false`) the cluster DNS created and answering (dns-up.ts).
 * The new master is prepared only.
 */
import { FerryError, inputError } from '../../errors.ts';
import type { Inventory } from '../../inventory/types.ts';
import { buildLabFlannelConfig, writeFlannelNetworkConfig } from './flannel-network.ts';
import { DEFAULT_LAB_BINARIES, writeLabHostRoot, type LabBinaries } from './host-root.ts';
import { MASTER_K8S_PROGRAMS, NODE_K8S_PROGRAMS, writeK8sBinaries } from './k8s-binaries.ts';
import { startLabDns } from './dns-up.ts';
import { buildLabNodes, type LabNode } from './lab-nodes.ts';
import { buildLabNetwork } from './lab-network.ts';
import { OLD_MASTER_UNITS, startOldMaster, writeOldMasterFiles } from './master-up.ts';
import { DEFAULT_K8S_VERSION as DEFAULT_LAB_K8S_VERSION } from '../k8s/common/version.ts';
import { DEFAULT_CLUSTER_DOMAIN, forEachLimited, NODE_UNITS, startLabNodes, waitForNodesReady, writeNodeFiles } from './nodes-up.ts';
import { buildHostRoot } from '../paths.ts';
import type { LabDnsState, LabK8sState, LabMasterState, LabNetworkState } from './state.ts';
import type { SupervisorClient } from '../supervisor/supervisor-client.ts';
import { listLabMembers, parseHostPort } from './validate.ts';
import { buildLabClientTls, LAB_TLS_INSECURE_PORT, writeLabHostTls, type LabTlsOptions } from './tls.ts';

export interface LabK8sOptions {
  /** Nodes in all (`--nodes N`); default the inventory's. Beyond the inventory's, `lab-node-<i>` are generated. */
  readonly nodes?: number;
  /** The address before lab-node-1's; default 127.17.40.0 (tests use their own ranges). */
  readonly generatedNodeBase?: string;
  /** Kubernetes version per host address; default 1.4.7 everywhere. */
  readonly k8sVersions?: Readonly<Record<string, string>>;
  /** Extra kube-controller-manager flags after `--cloud-provider=` (default none: the real 40 s / 5 min timings). */
  readonly controllerOpts?: string;
  /** Bound on the wait for every node to be Ready; default 60 s plus 100 ms per node. */
  readonly nodesReadyTimeoutMs?: number;
  /** Nodes whose services start at the same time; default 16. */
  readonly nodeStartConcurrency?: number;
  /** The apiserver's --service-cluster-ip-range; default 127.16.0.0/13 (the `kubernetes` service gets .0.1). */
  readonly serviceClusterIpRange?: string;
  /** The kubelets' --cluster-dns and the DNS service's cluster IP; default 127.16.40.1 (in the service range). */
  readonly clusterDns?: string;
  /** The flannel network written to etcd; default 127.24.0.0/13. */
  readonly flannelNetwork?: string;
  /**
   * Create the cluster DNS (service skydns-svc, RCs kube2sky and skydns of dns.yaml, on the old etcd and master)
   * and wait until it answers; default true. Tests that run labs side by side pass false (or their own ranges).
   */
  readonly dns?: boolean;
  /** Bound on the wait for the cluster DNS to answer; default 120 000 ms. */
  readonly dnsReadyTimeoutMs?: number;
  /** A TLS lab (tls.ts; also StartLabOptions.tls). */
  readonly tls?: LabTlsOptions;
}

export interface LabK8sPlan {
  readonly nodes: readonly LabNode[];
  /** The old apiserver's insecure port (the inventory URL's port, or LAB_TLS_INSECURE_PORT in a TLS lab). */
  readonly oldPort: number;
  /** A TLS lab: the https port of the inventory's apiserver URL. */
  readonly securePort?: number;
  readonly network: LabNetworkState;
}

/** Check what can be checked before anything starts (pure). Throws an input error. */
export function planLabK8s(inventory: Inventory, o: LabK8sOptions): LabK8sPlan | undefined {
  const inventoryNodes = inventory.nodes ?? [];
  if (inventory.master === undefined) {
    if (inventoryNodes.length > 0 || (o.nodes ?? 0) > 0) {
      throw inputError('LAB_NODES_WITHOUT_MASTER', 'the lab can run nodes only with a master: the inventory has nodes (or --nodes was given) but no `master:` section', {
        hint: 'Add master.old and master.new to the inventory (see examples/lab-seed.yaml).',
      });
    }
    return undefined;
  }
  const taken = new Set<string>([inventory.master.old.host, inventory.master.new.host, ...listLabMembers(inventory).map((m) => m.member.host)]);
  const planned = buildLabNodes(inventoryNodes, { ...(o.nodes !== undefined ? { total: o.nodes } : {}), ...(o.generatedNodeBase !== undefined ? { generatedBase: o.generatedNodeBase } : {}), taken });
  if (!planned.ok) throw inputError('LAB_BAD_NODES', planned.message, { hint: 'Adjust --nodes or the inventory’s nodes.' });
  const oldPort = parseHostPort(inventory.master.old.apiserver)?.port;
  const scheme = o.tls === undefined ? 'http' : 'https';
  if (oldPort === undefined || parseHostPort(inventory.master.old.apiserver)?.host !== inventory.master.old.host || !inventory.master.old.apiserver.startsWith(`${scheme}://`)) {
    throw inputError('LAB_BAD_URL', `master.old.apiserver "${inventory.master.old.apiserver}" must be ${scheme}://${inventory.master.old.host}:<port>`, { hint: `e.g. ${scheme}://127.17.33.30:${scheme === 'http' ? 8080 : 6443}` });
  }
  if (o.tls !== undefined) {
    // The https port is the URL's; the insecure port (for the master's own controller, scheduler, kube-proxy) is 8080.
    if (oldPort === LAB_TLS_INSECURE_PORT) throw inputError('LAB_BAD_URL', `master.old.apiserver "${inventory.master.old.apiserver}": port ${LAB_TLS_INSECURE_PORT} is the insecure port in a TLS lab`, { hint: 'use 6443' });
    if (o.dns !== false) throw inputError('LAB_TLS_UNSUPPORTED', 'the lab cannot run the cluster DNS with TLS (kube2sky and skydns stand-ins reach etcd over plain http only)', { hint: 'pass dns: false (--no-dns)' });
    return { nodes: planned.nodes, oldPort: LAB_TLS_INSECURE_PORT, securePort: oldPort, network: buildLabNetwork(o) };
  }
  return { nodes: planned.nodes, oldPort, network: buildLabNetwork(o) };
}

function versionOf(o: LabK8sOptions, host: string): string {
  return o.k8sVersions?.[host] ?? DEFAULT_LAB_K8S_VERSION;
}

export async function startLabK8s(
  labDir: string,
  inventory: Inventory & { readonly master: NonNullable<Inventory['master']> },
  plan: LabK8sPlan,
  client: SupervisorClient,
  o: LabK8sOptions & { readonly log: (line: string) => void; readonly healthTimeoutMs: number; readonly binaries?: LabBinaries },
): Promise<LabK8sState> {
  const { old: oldMaster, new: newMaster } = inventory.master;
  const etcdServers = inventory.etcd.old.map((m) => m.clientURL);
  const binaries = o.binaries ?? DEFAULT_LAB_BINARIES;
  const clientTls = o.tls === undefined ? undefined : buildLabClientTls(o.tls);

  for (const master of [oldMaster, newMaster]) {
    const root = await writeLabHostRoot(labDir, master.host, [], binaries);
    await writeK8sBinaries(root, { programs: MASTER_K8S_PROGRAMS, k8sVersion: versionOf(o, master.host) });
    // The new master is a new host: its certificates are provisioned by whoever runs the migration.
    if (o.tls !== undefined && master === oldMaster) await writeLabHostTls(root, o.tls, master.host);
  }
  await forEachLimited(plan.nodes, 32, async (node) => {
    const root = await writeLabHostRoot(labDir, node.host, [], binaries);
    await writeK8sBinaries(root, { programs: NODE_K8S_PROGRAMS, k8sVersion: versionOf(o, node.host) });
    if (o.tls !== undefined) await writeLabHostTls(root, o.tls, node.host);
  });
  o.log(`created host roots for 2 masters and ${plan.nodes.length} node(s)`);

  const flannelConfig = buildLabFlannelConfig(plan.nodes.length + 2, plan.network.flannelNetwork);
  await writeFlannelNetworkConfig(etcdServers, flannelConfig, undefined, clientTls);
  o.log(`wrote /flannel/network/config: ${flannelConfig}`);

  const masterPlan = {
    host: oldMaster.host,
    port: plan.oldPort,
    etcdServers,
    serviceClusterIpRange: plan.network.serviceClusterIpRange,
    ...(o.controllerOpts !== undefined ? { controllerOpts: o.controllerOpts } : {}),
    ...(plan.securePort !== undefined ? { securePort: plan.securePort } : {}),
  };
  const oldRoot = buildHostRoot(labDir, oldMaster.host);
  await writeOldMasterFiles(oldRoot, masterPlan);
  await startOldMaster(client, oldRoot, masterPlan, { log: o.log, healthTimeoutMs: o.healthTimeoutMs });

  const nodePlan = { apiServer: oldMaster.apiserver.replace(/\/+$/, ''), etcdServers, clusterDns: plan.network.clusterDns, clusterDomain: inventory.dns?.domain ?? DEFAULT_CLUSTER_DOMAIN, tls: o.tls !== undefined };
  // The lab's own checks use the insecure port (in a TLS lab the nodes use https, with certificates).
  const labApiserver = o.tls === undefined ? nodePlan.apiServer : `http://${oldMaster.host}:${plan.oldPort}`;
  await forEachLimited(plan.nodes, 32, (node) => writeNodeFiles(buildHostRoot(labDir, node.host), node, nodePlan));
  await startLabNodes(client, plan.nodes, { concurrency: o.nodeStartConcurrency ?? 16, log: o.log });

  const names = plan.nodes.map((n) => n.name);
  const timeoutMs = o.nodesReadyTimeoutMs ?? 60_000 + 100 * plan.nodes.length;
  const started = Date.now();
  const ready = await waitForNodesReady(labApiserver, names, { timeoutMs, log: o.log });
  if (ready.notReady.length > 0) {
    throw new FerryError('LAB_START_FAILED', `${ready.notReady.length} of ${names.length} node(s) are not Ready on ${nodePlan.apiServer} after ${timeoutMs} ms: ${ready.notReady.slice(0, 10).join(', ')}${ready.notReady.length > 10 ? ', …' : ''}${ready.lastError !== undefined ? ` (last error: ${ready.lastError})` : ''}`, {
      hint: 'See /var/log/kubelet.log on those nodes and /var/log/kube-apiserver.log on the old master; the lab was torn down.',
    });
  }
  o.log(`${names.length} node(s) Ready on ${nodePlan.apiServer} (${Date.now() - started} ms after their services started)`);

  let dns: LabDnsState | undefined;
  if (o.dns !== false) {
    const dnsPlan = { clusterDns: plan.network.clusterDns, domain: nodePlan.clusterDomain, etcdServers, masterURL: nodePlan.apiServer };
    const result = await startLabDns({
      apiserver: nodePlan.apiServer,
      plan: { ...dnsPlan, ...(inventory.dns !== undefined ? { namespace: inventory.dns.namespace, serviceName: inventory.dns.service } : {}) },
      ...(o.dnsReadyTimeoutMs !== undefined ? { timeoutMs: o.dnsReadyTimeoutMs } : {}),
      log: o.log,
    });
    dns = { ...result, domain: nodePlan.clusterDomain };
  }

  const masters: LabMasterState[] = [
    { role: 'old', address: oldMaster.host, root: oldRoot, apiserver: oldMaster.apiserver, k8sVersion: versionOf(o, oldMaster.host), units: [...OLD_MASTER_UNITS] },
    { role: 'new', address: newMaster.host, root: buildHostRoot(labDir, newMaster.host), apiserver: newMaster.apiserver, k8sVersion: versionOf(o, newMaster.host), units: [] },
  ];
  return {
    masters,
    nodes: plan.nodes.map((n) => ({ name: n.name, address: n.host, generated: n.generated, k8sVersion: versionOf(o, n.host) })),
    nodeUnits: [...NODE_UNITS],
    flannelConfig,
    network: plan.network,
    ...(dns !== undefined ? { dns } : {}),
  };
}
