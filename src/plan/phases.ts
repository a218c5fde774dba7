/**
 * The runbook's nine phases, in its order, each with the runbook's reason for being where it is
 * (docs/design/domeos.md §1.2 and §1.3: the runbook "Master节点与ETCD集群迁移方案", its 整体方案 and 详细步骤). A plan groups its steps in these phases.
 */
export const PHASES = [
  {
    id: 1,
    key: 'stop-console',
    title: 'Stop the DomeOS server',
    reason: 'so that the console does not act on the cluster while it is being moved',
  },
  {
    id: 2,
    key: 'etcd-first',
    title: 'Migrate part of the etcd members (non-leaders first)',
    reason:
      'so that the new master, configured with the all-new etcd list, can already reach etcd through the members that have moved',
  },
  {
    id: 3,
    key: 'stop-old-master',
    title: 'Stop the old master',
    reason: 'so that only one apiserver writes to etcd at any time, and nothing is scheduled twice',
  },
  {
    id: 4,
    key: 'start-new-master',
    title: 'Start the new master on the all-new etcd list (scheduler and controller held back)',
    reason: 'the new master must use the full new etcd list and the same Kubernetes version; scheduler and controller wait so that nodes not yet repointed are not evicted',
  },
  {
    id: 5,
    key: 'repoint-nodes',
    title: 'Repoint every node (kubelet, kube-proxy, flanneld)',
    reason: 'so that every node talks to the new master and flannel to the new etcd cluster',
  },
  {
    id: 6,
    key: 'dns',
    title: 'Start scheduler and controller, then roll the DNS add-on',
    reason: 'only after every node is repointed may scheduling resume; kube2sky and skydns must then move to the new etcd and master',
  },
  {
    id: 7,
    key: 'etcd-rest',
    title: 'Migrate the remaining etcd members (the leader last)',
    reason: 'once Kubernetes runs on the new master, the rest of etcd — the leader last — can move, checking health after each member',
  },
  {
    id: 8,
    key: 'start-console',
    title: 'Start the DomeOS server',
    reason: 'the console may run again once the cluster is whole on its new machines',
  },
  {
    id: 9,
    key: 'update-console',
    title: "Update the console's cluster record and re-create its watcher",
    reason: 'the console must use the new apiserver and etcd; a watcher cannot be updated, only deleted and re-created',
  },
] as const;

export type PhaseId = (typeof PHASES)[number]['id'];
export type PhaseKey = (typeof PHASES)[number]['key'];
