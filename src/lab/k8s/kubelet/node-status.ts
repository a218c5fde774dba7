/**
 * The Node object a 1.4 kubelet registers and the status it posts at every heartbeat (pure): the four node
 * conditions with the kubelet's reasons and messages (Ready True "kubelet is posting ready status"), addresses,
 * capacity with `pods` = --max-pods, and nodeInfo with the kubelet's version. A condition keeps its
 * lastTransitionTime while its status does not change; lastHeartbeatTime is always now.
 */
import { createHash } from 'node:crypto';

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeFacts {
  /** The node name (--hostname-override, lowercased). */
  readonly name: string;
  /** The host's address: InternalIP (and LegacyHostIP, as 1.4 reports). */
  readonly address: string;
  readonly maxPods: number;
  /** `1.4.7` (without the v). */
  readonly version: string;
  /** Changes at every kubelet start, like a boot id would at every boot. */
  readonly bootID: string;
}

export interface NodeStatus {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: NodeCondition[];
  addresses: { type: string; address: string }[];
  daemonEndpoints: { kubeletEndpoint: { Port: number } };
  nodeInfo: Record<string, string>;
  images: unknown[];
  [key: string]: unknown;
}

export interface NodeObject {
  kind?: string;
  apiVersion?: string;
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Partial<NodeStatus>;
  [key: string]: unknown;
}

/** The conditions a healthy 1.4 kubelet reports, in its order. */
const KUBELET_CONDITIONS: readonly Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
  { type: 'OutOfDisk', status: 'False', reason: 'KubeletHasSufficientDisk', message: 'kubelet has sufficient disk space available' },
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The kubelet's conditions at `now`, given the node's current ones: lastTransitionTime is kept when the status
 * is unchanged (a NotReady/Unknown set by the node controller is a change); conditions the kubelet does not own
 * (e.g. NetworkUnavailable) are kept as they are.
 */
export function buildNodeConditions(previous: readonly NodeCondition[] | undefined, now: string): NodeCondition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  const out: NodeCondition[] = KUBELET_CONDITIONS.map((c) => {
    const old = byType.get(c.type);
    const lastTransitionTime = old !== undefined && old.status === c.status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : now;
    return { type: c.type, status: c.status, lastHeartbeatTime: now, lastTransitionTime, reason: c.reason, message: c.message };
  });
  const owned = new Set(KUBELET_CONDITIONS.map((c) => c.type));
  for (const c of previous ?? []) if (!owned.has(c.type)) out.push(c);
  return out;
}

/** A stable hex id per node (machine-id and system UUID do not change across kubelet restarts). */
function stableId(name: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${name}`).digest('hex').slice(0, 32);
}

function uuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

export function buildNodeStatus(facts: NodeFacts, previous: Partial<NodeStatus> | undefined, now: string): NodeStatus {
  const resources = { cpu: '2', memory: '8010916Ki', pods: String(facts.maxPods), 'alpha.kubernetes.io/nvidia-gpu': '0' };
  return {
    ...(previous ?? {}),
    capacity: { ...resources },
    allocatable: { ...resources },
    conditions: buildNodeConditions(previous?.conditions, now),
    addresses: [
      { type: 'LegacyHostIP', address: facts.address },
      { type: 'InternalIP', address: facts.address },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: stableId(facts.name, 'machine'),
      systemUUID: uuid(stableId(facts.name, 'system')),
      bootID: facts.bootID,
      kernelVersion: '3.10.0-514.el7.x86_64',
      osImage: 'CentOS Linux 7 (Core)',
      containerRuntimeVersion: 'docker://1.12.6',
      kubeletVersion: `v${facts.version}`,
      kubeProxyVersion: `v${facts.version}`,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
    images: previous?.images ?? [],
  };
}

/** The Node a kubelet POSTs when it registers. */
export function buildNodeObject(facts: NodeFacts, now: string): NodeObject {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: facts.name,
      labels: { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/hostname': facts.name },
    },
    spec: { externalID: facts.name },
    status: buildNodeStatus(facts, undefined, now),
  };
}

/** The node with the kubelet's status at `now`, for PUT /api/v1/nodes/<name>/status. */
export function buildHeartbeatNode(current: NodeObject, facts: NodeFacts, now: string): NodeObject {
  return { ...current, status: buildNodeStatus(facts, current.status, now) };
}

/** True when the node's Ready condition is True. */
export function isNodeReady(node: { status?: { conditions?: readonly NodeCondition[] } }): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
