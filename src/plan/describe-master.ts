/** The words of the master and node steps (runbook phases 3–6). Pure. */
import type { MasterHost, NodeHost, RolloutSection } from '../inventory/types.ts';
import { HELD_BACK_UNITS, MASTER_STOP_ORDER, NEW_MASTER_FIRST_UNITS } from '../master/files.ts';

interface Words {
  readonly title: string;
  readonly does: string[];
  readonly checks: string[];
  readonly undoes: string[];
}

export function describeStopOldMaster(old: MasterHost, newHost: MasterHost, version: string): Words {
  return {
    title: `Stop the old master on ${old.host}`,
    does: [
      `record every node, namespace, service, pod and replication controller the old apiserver ${old.apiserver} holds (the yardstick for the new one)`,
      `stop ${MASTER_STOP_ORDER.join(', then ')} on ${old.host}, in the runbook's order`,
      `wait until ${old.apiserver} no longer answers: only one apiserver may write`,
    ],
    checks: [
      `before: \`kube-apiserver --version\` is the same on ${old.host} and ${newHost.host} (${version})`,
      `before: ${old.apiserver}/healthz answers ok`,
      `after: every one of those services is stopped and ${old.apiserver} does not answer`,
    ],
    undoes: [`start ${[...MASTER_STOP_ORDER].reverse().join(', ')} on ${old.host} again and wait for /healthz`],
  };
}

export function describeStartNewMaster(old: MasterHost, n: MasterHost, etcd: readonly string[] | undefined): Words {
  return {
    title: `Start the new master on ${n.host}${etcd ? ' on the all-new etcd list' : ''}`,
    does: [
      `copy the old master's /etc/sysconfig files and unit files from ${old.host} to ${n.host}, with ${old.host} replaced by ${n.host}`,
      etcd ? `point it at the ALL-NEW etcd list: --etcd-servers=${etcd.join(',')} (not the mixed old/new set)` : 'keep its etcd list (a master-only migration)',
      `start ${NEW_MASTER_FIRST_UNITS.join(', ')} on ${n.host}; ${HELD_BACK_UNITS.join(' and ')} are held back until every node is repointed`,
    ],
    checks: [
      `before: the old apiserver ${old.apiserver} does not answer (only one apiserver writes)`,
      `after: ${n.apiserver}/healthz answers ok`,
      'after: the new apiserver sees the same nodes and objects as the old one did',
    ],
    undoes: [`stop the new master's services on ${n.host}`, `start the old master's services on ${old.host} again`],
  };
}

export function describeRepointNodes(nodes: readonly NodeHost[], master: string | undefined, etcd: readonly string[] | undefined, r: RolloutSection, source: string): Words {
  const what = [master ? `kubelet and kube-proxy to ${master}` : '', etcd ? `flanneld to ${etcd.join(',')}` : ''].filter((x) => x !== '').join(', ');
  return {
    title: `Repoint ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${source})`,
    does: [
      `on each node, what update_node_configs.sh did: back up and rewrite ${[master ? 'API_SERVERS in /etc/sysconfig/kubelet, KUBE_MASTER in /etc/sysconfig/kube-proxy' : '', etcd ? 'FLANNEL_ETCD in /etc/sysconfig/flanneld' : ''].filter((x) => x !== '').join(', ')} (${what})`,
      'restart flanneld, kubelet and kube-proxy, and wait until the node is Ready on the new master',
      `${r.canary} canary node${r.canary === 1 ? '' : 's'} first, then batches of ${r.batchSize}, ${r.concurrency} at a time; halt when more than ${r.maxFailures} node${r.maxFailures === 1 ? '' : 's'} fail`,
      `nodes: ${nodes.slice(0, 8).map((x) => x.name).join(', ')}${nodes.length > 8 ? `, … (${nodes.length - 8} more)` : ''}`,
    ],
    checks: ['before: the new apiserver answers', 'after: every node is Ready on the new master'],
    undoes: [
      'a node that fails is restored from its backups byte for byte and its services restarted ("Rollback finished")',
      'nodes already repointed stay on the new master, which is running',
    ],
  };
}

export function describeStartHeldBack(n: MasterHost): Words {
  return {
    title: `Start ${HELD_BACK_UNITS.join(' and ')} on the new master`,
    does: [`start ${HELD_BACK_UNITS.join(', then ')} on ${n.host}`],
    checks: ['before: every node is Ready on the new master (else pods on nodes not yet repointed would be evicted)', 'after: both services are active'],
    undoes: [`stop ${[...HELD_BACK_UNITS].reverse().join(', ')} on ${n.host}`],
  };
}

/** A walk-back's phase 4: the original master starts again in place (its files were never changed). */
export function describeRestartMaster(master: MasterHost, other: MasterHost): Words {
  const first = [...MASTER_STOP_ORDER].reverse().filter((u) => !(HELD_BACK_UNITS as readonly string[]).includes(u));
  return {
    title: `Start the original master on ${master.host} again`,
    does: [
      `stop every master service still running on ${other.host} (${[...MASTER_STOP_ORDER, 'flanneld'].join(', ')}) and wait until ${other.apiserver} no longer answers`,
      `start ${first.join(', then ')} on ${master.host} with its own files, untouched by the forward run; ${HELD_BACK_UNITS.join(' and ')} wait for the nodes`,
    ],
    checks: [`after: ${master.apiserver}/healthz answers ok and shows the nodes and objects ${other.host} held (when it was serving)`, `after: ${other.apiserver} does not answer`],
    undoes: ['nothing: the master is left as the step left it (stopping it again would leave no apiserver); `ferry resume` runs the step again'],
  };
}
