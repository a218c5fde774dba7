/**
 * The parts of the v1 objects the lab's controller-manager and scheduler read and write, as they travel on the
 * wire (timestamps are RFC 3339 strings), and pure predicates over them. Unknown fields are kept: the controllers
 * PUT back what they GET.
 */
import type { KubeObject } from '../client.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  containers?: Array<{ name: string; ports?: ContainerPort[]; [k: string]: unknown }>;
  [k: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: { phase?: string; podIP?: string; hostIP?: string; conditions?: Condition[]; [k: string]: unknown };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; [k: string]: unknown };
  status?: {
    conditions?: Condition[];
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    [k: string]: unknown;
  };
}

export interface ReplicationController extends KubeObject {
  spec: {
    replicas?: number;
    selector?: Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: PodSpec };
  };
  status?: { replicas?: number; fullyLabeledReplicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  spec: { selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string; [k: string]: unknown };
}

export interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

/** `namespace/name` (or just `name` for cluster-scoped objects). */
export function keyOf(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return ns === undefined || ns === '' ? (o.metadata.name ?? '') : `${ns}/${o.metadata.name ?? ''}`;
}

/** Every key of `selector` is a label of the object with the same value. An empty selector matches nothing. */
export function matchesSelector(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  return entries.every(([k, v]) => labels?.[k] === v);
}

/** Not being deleted and not finished (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isNodeReady(node: Node): boolean {
  return findCondition(node.status?.conditions, 'Ready')?.status === 'True';
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when absent or unparsable. */
export function parseTimeMs(time: string | undefined): number | undefined {
  if (time === undefined || time === '') return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The path of a namespaced object, e.g. `/api/v1/namespaces/default/pods/web-x1`. */
export function objectPath(resource: string, namespace: string | undefined, name: string | undefined): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace ?? 'default')}/${resource}/${encodeURIComponent(name ?? '')}`;
}
