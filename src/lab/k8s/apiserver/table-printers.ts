/**
 * Columns and cells of the server-side tables kubectl prints, per kind, after the real apiserver's printers
 * (k8s.io/kubernetes pkg/printers/internalversion/printers.go, which the server always runs with Wide: true;
 * kubectl hides priority-1 columns unless `-o wide`). Pure.
 */
import { formatAge } from './age.ts';
import { asArray, asNumber, asObject, asString, asStringMap } from './json.ts';
import type { JsonObject, KubeObject } from './json.ts';
import { formatLabels } from './selectors.ts';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export type Cell = string | number;

export interface Printer {
  readonly columns: readonly ColumnDefinition[];
  cells(obj: KubeObject, now: Date): Cell[];
  /** Row conditions (pods that completed). */
  conditions?(obj: KubeObject): JsonObject[] | undefined;
}

function col(name: string, description: string, opts: { type?: ColumnDefinition['type']; format?: string; priority?: number } = {}): ColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

const NAME = col('Name', 'Name must be unique within a namespace.', { format: 'name' });
const AGE = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.');
const orNone = (s: string | undefined): string => (s === undefined || s === '' ? '<none>' : s);
const orUnknown = (s: string | undefined): string => (s === undefined || s === '' ? '<unknown>' : s);
const labelsOrNone = (v: unknown): string => orNone(formatLabels(asStringMap(v)));
const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: Date): string => formatAge(o.metadata.creationTimestamp, now);

function nodeAddress(status: JsonObject, type: string): string {
  const found = asArray(status['addresses']).map(asObject).find((a) => a['type'] === type);
  return orNone(asString(found?.['address']));
}

function nodeRoles(labels: Record<string, string>): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice(24));
    else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return orNone([...roles].sort().join(','));
}

export const nodePrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    col('External-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  cells(obj, now) {
    const status = asObject(obj['status']);
    const ready = asArray(status['conditions']).map(asObject).find((c) => c['type'] === 'Ready');
    const states = ready === undefined ? ['Unknown'] : [ready['status'] === 'True' ? 'Ready' : 'NotReady'];
    if (asObject(obj['spec'])['unschedulable'] === true) states.push('SchedulingDisabled');
    const info = asObject(status['nodeInfo']);
    return [
      name(obj), states.join(','), nodeRoles(asStringMap(obj.metadata.labels)), age(obj, now), asString(info['kubeletVersion']) ?? '',
      nodeAddress(status, 'InternalIP'), nodeAddress(status, 'ExternalIP'), orUnknown(asString(info['osImage'])),
      orUnknown(asString(info['kernelVersion'])), orUnknown(asString(info['containerRuntimeVersion'])),
    ];
  },
};

function podReason(obj: KubeObject): { reason: string; ready: number; restarts: number; lastRestart: string | undefined } {
  const status = asObject(obj['status']);
  let reason = asString(status['reason']) || asString(status['phase']) || '';
  let ready = 0;
  let restarts = 0;
  let lastRestart: string | undefined;
  let hasRunning = false;
  const statuses = asArray(status['containerStatuses']).map(asObject);
  for (const cs of statuses.reverse()) {
    restarts += asNumber(cs['restartCount']) ?? 0;
    const finishedAt = asString(asObject(asObject(cs['lastState'])['terminated'])['finishedAt']);
    if (finishedAt !== undefined && (lastRestart === undefined || Date.parse(finishedAt) > Date.parse(lastRestart))) lastRestart = finishedAt;
    const state = asObject(cs['state']);
    const waiting = asObject(state['waiting']);
    const terminated = state['terminated'] === undefined ? undefined : asObject(state['terminated']);
    if (asString(waiting['reason'])) reason = asString(waiting['reason']) ?? reason;
    else if (terminated !== undefined && asString(terminated['reason'])) reason = asString(terminated['reason']) ?? reason;
    else if (terminated !== undefined) {
      const signal = asNumber(terminated['signal']) ?? 0;
      reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${asNumber(terminated['exitCode']) ?? 0}`;
    } else if (cs['ready'] === true && state['running'] !== undefined) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) {
    const podReady = asArray(status['conditions']).map(asObject).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
    reason = podReady ? 'Running' : 'NotReady';
  }
  const phase = asString(status['phase']);
  if (obj.metadata.deletionTimestamp !== undefined && status['reason'] === 'NodeLost') reason = 'Unknown';
  else if (obj.metadata.deletionTimestamp !== undefined && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  return { reason, ready, restarts, lastRestart };
}

export const podPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { priority: 1 }),
    col('Node', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
    col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node.', { priority: 1 }),
    col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
  ],
  cells(obj, now) {
    const spec = asObject(obj['spec']);
    const status = asObject(obj['status']);
    const { reason, ready, restarts, lastRestart } = podReason(obj);
    const restartText = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${formatAge(lastRestart, now)} ago)` : String(restarts);
    const podIPs = asArray(status['podIPs']).map(asObject);
    const ip = asString(podIPs[0]?.['ip']) || asString(status['podIP']);
    const gates = asArray(spec['readinessGates']).map(asObject);
    let gateText = '<none>';
    if (gates.length > 0) {
      const conditions = asArray(status['conditions']).map(asObject);
      const met = gates.filter((g) => conditions.some((c) => c['type'] === g['conditionType'] && c['status'] === 'True')).length;
      gateText = `${met}/${gates.length}`;
    }
    return [
      name(obj), `${ready}/${asArray(spec['containers']).length}`, reason, restartText, age(obj, now),
      orNone(ip), orNone(asString(spec['nodeName'])), orNone(asString(status['nominatedNodeName'])), gateText,
    ];
  },
  conditions(obj) {
    const phase = asString(asObject(obj['status'])['phase']);
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};

export const replicationControllerPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.', { type: 'integer' }),
    col('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
    col('Ready', 'The number of ready replicas for this replication controller.', { type: 'integer' }),
    AGE,
    col('Containers', 'Names of each container in the template.', { priority: 1 }),
    col('Images', 'Images referenced by each container in the template.', { priority: 1 }),
    col('Selector', 'Selector is a label query over pods that should match the Replicas count.', { priority: 1 }),
  ],
  cells(obj, now) {
    const spec = asObject(obj['spec']);
    const status = asObject(obj['status']);
    const containers = asArray(asObject(asObject(spec['template'])['spec'])['containers']).map(asObject);
    return [
      name(obj), asNumber(spec['replicas']) ?? 1, asNumber(status['replicas']) ?? 0, asNumber(status['readyReplicas']) ?? 0, age(obj, now),
      containers.map((c) => asString(c['name']) ?? '').join(','), containers.map((c) => asString(c['image']) ?? '').join(','),
      labelsOrNone(spec['selector']),
    ];
  },
};

function serviceExternalIp(spec: JsonObject, status: JsonObject): string {
  const externalIPs = asArray(spec['externalIPs']).filter((s): s is string => typeof s === 'string');
  switch (spec['type'] ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return orNone(externalIPs.join(','));
    case 'LoadBalancer': {
      const ingress = asArray(asObject(status['loadBalancer'])['ingress']).map(asObject);
      const lb = ingress.map((i) => asString(i['ip']) || asString(i['hostname']) || '').filter((s) => s !== '');
      const all = [...lb, ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return asString(spec['externalName']) ?? '';
    default:
      return '<unknown>';
  }
}

export const servicePrinter: Printer = {
  columns: [
    NAME,
    col('Type', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly by the master.'),
    col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE,
    col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
  ],
  cells(obj, now) {
    const spec = asObject(obj['spec']);
    const ports = asArray(spec['ports']).map(asObject).map((p) => {
      const protocol = asString(p['protocol']) ?? 'TCP';
      const nodePort = asNumber(p['nodePort']) ?? 0;
      return nodePort > 0 ? `${p['port']}:${nodePort}/${protocol}` : `${p['port']}/${protocol}`;
    });
    const clusterIP = asString(asArray(spec['clusterIPs'])[0]) || asString(spec['clusterIP']);
    return [
      name(obj), asString(spec['type']) ?? 'ClusterIP', orNone(clusterIP), serviceExternalIp(spec, asObject(obj['status'])),
      orNone(ports.join(',')), age(obj, now), labelsOrNone(spec['selector']),
    ];
  },
};
