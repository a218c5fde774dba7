/**
 * The replication manager's decisions, pure: which pods count for a replication controller, how many to create,
 * which to delete, and the status to report. Mirrors kubernetes/pkg/controller/replication (1.4):
 * - a pod counts when it is in the RC's namespace, matches spec.selector and is active (not terminating, not
 *   Succeeded/Failed); a pod controlled by another owner (ownerReferences controller=true) does not;
 * - at most `burst` creations or deletions per sync (burstReplicas, 500);
 * - extras are deleted in controller.ActivePods order: unscheduled, then Pending < Unknown < Running, then
 *   not ready, then ready for less time, then newest first;
 * - status.replicas counts the pods seen at the start of the sync (the next sync reports the result).
 */
import type { KubeObject } from '../client.ts';
import { findCondition, isPodActive, isPodReady, matchesSelector, parseTimeMs, type Pod, type ReplicationController } from '../common/objects.ts';

/** Default burstReplicas of the real replication manager. */
export const BURST_REPLICAS = 500;

export interface ReplicationStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
}

export interface ReplicationPlan {
  /** The pods that count for this RC. */
  readonly active: readonly Pod[];
  /** Pods to create from the template. */
  readonly create: number;
  /** Pods to delete, in order. */
  readonly remove: readonly Pod[];
  readonly status: ReplicationStatus;
  /** The status differs from what the RC reports. */
  readonly statusChanged: boolean;
  /** Why nothing can be created (no template, or no selector). */
  readonly problem?: string;
}

/** spec.selector, defaulting to the template's labels as the apiserver does. */
export function selectorOf(rc: ReplicationController): Record<string, string> {
  const selector = rc.spec.selector ?? {};
  return Object.keys(selector).length > 0 ? selector : (rc.spec.template?.metadata?.labels ?? {});
}

/** Whether `pod` counts for `rc` (before the activity test). */
export function isPodOfController(rc: ReplicationController, pod: Pod): boolean {
  if ((pod.metadata.namespace ?? 'default') !== (rc.metadata.namespace ?? 'default')) return false;
  if (!matchesSelector(pod.metadata.labels, selectorOf(rc))) return false;
  const controller = pod.metadata.ownerReferences?.find((o) => o.controller === true);
  return controller === undefined || controller.uid === rc.metadata.uid || rc.metadata.uid === undefined;
}

export function computeReplicationPlan(rc: ReplicationController, pods: readonly Pod[], burst = BURST_REPLICAS): ReplicationPlan {
  const active = pods.filter((p) => isPodActive(p) && isPodOfController(rc, p));
  const desired = Math.max(0, rc.spec.replicas ?? 1);
  const diff = active.length - desired;
  const templateLabels = rc.spec.template?.metadata?.labels ?? {};
  const ready = active.filter(isPodReady).length;
  const status: ReplicationStatus = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(rc.metadata.generation === undefined ? {} : { observedGeneration: rc.metadata.generation }),
  };
  const problem = rc.spec.template?.spec === undefined ? 'spec.template is missing' : Object.keys(selectorOf(rc)).length === 0 ? 'no selector and no template labels' : undefined;
  const create = diff < 0 && problem === undefined ? Math.min(-diff, burst) : 0;
  const remove = diff > 0 ? [...active].sort(compareForDeletion).slice(0, Math.min(diff, burst)) : [];
  return { active, create, remove, status, statusChanged: isStatusChanged(rc, status), ...(problem === undefined ? {} : { problem }) };
}

function isStatusChanged(rc: ReplicationController, s: ReplicationStatus): boolean {
  const cur = rc.status ?? {};
  return (
    (cur.replicas ?? 0) !== s.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== s.fullyLabeledReplicas ||
    (cur.readyReplicas ?? 0) !== s.readyReplicas ||
    (cur.availableReplicas ?? 0) !== s.availableReplicas ||
    (s.observedGeneration !== undefined && cur.observedGeneration !== s.observedGeneration)
  );
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** controller.ActivePods: negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: Pod, b: Pod): number {
  const assignedA = (a.spec.nodeName ?? '') !== '' ? 1 : 0;
  const assignedB = (b.spec.nodeName ?? '') !== '' ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 1;
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 1;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (readyA === 1) {
    const sinceA = parseTimeMs(findCondition(a.status?.conditions, 'Ready')?.lastTransitionTime) ?? 0;
    const sinceB = parseTimeMs(findCondition(b.status?.conditions, 'Ready')?.lastTransitionTime) ?? 0;
    if (sinceA !== sinceB) return sinceB - sinceA;
  }
  const createdA = parseTimeMs(a.metadata.creationTimestamp) ?? 0;
  const createdB = parseTimeMs(b.metadata.creationTimestamp) ?? 0;
  if (createdA !== createdB) return createdB - createdA;
  return (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');
}

/**
 * A new pod from the RC's template: generateName `<rc>-`, the template's labels and annotations, an owner
 * reference to the RC (controller: true) and 1.4's `kubernetes.io/created-by` annotation.
 */
export function buildPodFromTemplate(rc: ReplicationController): Pod {
  const meta = rc.metadata;
  const template = rc.spec.template ?? {};
  const reference: KubeObject['metadata'] & { kind: string; apiVersion: string } = {
    kind: 'ReplicationController',
    namespace: meta.namespace ?? 'default',
    name: meta.name ?? '',
    apiVersion: 'v1',
    ...(meta.uid === undefined ? {} : { uid: meta.uid }),
    ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${meta.name ?? 'rc'}-`,
      namespace: meta.namespace ?? 'default',
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: {
        ...(template.metadata?.annotations ?? {}),
        'kubernetes.io/created-by': JSON.stringify({ kind: 'SerializedReference', apiVersion: 'v1', reference }) + '\n',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: meta.name ?? '', uid: meta.uid ?? '', controller: true }],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
