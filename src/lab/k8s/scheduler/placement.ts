/**
 * The scheduler's choice, pure. A pending pod (no spec.nodeName, not being deleted, not finished, for the
 * default scheduler) may go to a node that is Ready, not cordoned (spec.unschedulable), matches the pod's
 * nodeSelector and has room (fewer pods than its allocatable/capacity `pods`). Among those the least loaded wins
 * (fewest pods bound, counting the placements made earlier in the same pass), ties by name; pods are taken
 * oldest first. Pods that fit nowhere stay pending with a reason, as FailedScheduling says.
 */
import { isNodeReady, keyOf, matchesSelector, parseTimeMs, type Node, type Pod } from '../common/objects.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** 1.4's way of naming another scheduler (spec.schedulerName came later; both are honoured). */
export const SCHEDULER_NAME_ANNOTATION = 'scheduler.alpha.kubernetes.io/name';

export interface Placement {
  readonly pod: Pod;
  readonly node: string;
}

export interface PlacementResult {
  readonly placements: readonly Placement[];
  readonly unschedulable: ReadonlyArray<{ readonly pod: Pod; readonly reason: string }>;
}

/** Whether this scheduler should place `pod` now. */
export function isPendingForUs(pod: Pod): boolean {
  if ((pod.spec.nodeName ?? '') !== '' || pod.metadata.deletionTimestamp !== undefined) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const name = (pod.spec.schedulerName as string | undefined) ?? pod.metadata.annotations?.[SCHEDULER_NAME_ANNOTATION] ?? DEFAULT_SCHEDULER_NAME;
  return name === DEFAULT_SCHEDULER_NAME;
}

/** Pods a node may hold (status.allocatable.pods, else capacity.pods); Infinity when it says nothing. */
export function podCapacity(node: Node): number {
  const raw = node.status?.allocatable?.pods ?? node.status?.capacity?.pods;
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) ? n : Infinity;
}

export function computePlacements(pending: readonly Pod[], nodes: readonly Node[], pods: readonly Pod[]): PlacementResult {
  const load = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec.nodeName ?? '';
    const phase = pod.status?.phase;
    if (node !== '' && phase !== 'Succeeded' && phase !== 'Failed') load.set(node, (load.get(node) ?? 0) + 1);
  }
  const byName = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const placements: Placement[] = [];
  const unschedulable: Array<{ pod: Pod; reason: string }> = [];
  for (const pod of [...pending].filter(isPendingForUs).sort(compareByAge)) {
    const misfits = { notReady: 0, unschedulable: 0, selector: 0, full: 0 };
    let best: { name: string; load: number } | undefined;
    for (const node of byName) {
      const name = node.metadata.name ?? '';
      const count = load.get(name) ?? 0;
      if (!isNodeReady(node)) misfits.notReady++;
      else if (node.spec?.unschedulable === true) misfits.unschedulable++;
      else if (Object.keys(pod.spec.nodeSelector ?? {}).length > 0 && !matchesSelector(node.metadata.labels, pod.spec.nodeSelector)) misfits.selector++;
      else if (count >= podCapacity(node)) misfits.full++;
      else if (best === undefined || count < best.load) best = { name, load: count };
    }
    if (best === undefined) {
      unschedulable.push({ pod, reason: describeMisfits(nodes.length, misfits) });
      continue;
    }
    placements.push({ pod, node: best.name });
    load.set(best.name, best.load + 1);
  }
  return { placements, unschedulable };
}

function describeMisfits(total: number, m: { notReady: number; unschedulable: number; selector: number; full: number }): string {
  if (total === 0) return 'no nodes available to schedule pods';
  const parts = [
    m.notReady > 0 ? `${m.notReady} node(s) not Ready` : '',
    m.unschedulable > 0 ? `${m.unschedulable} node(s) unschedulable` : '',
    m.selector > 0 ? `${m.selector} node(s) didn't match node selector` : '',
    m.full > 0 ? `${m.full} node(s) had too many pods` : '',
  ].filter((p) => p !== '');
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}

function compareByAge(a: Pod, b: Pod): number {
  const ta = parseTimeMs(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTimeMs(b.metadata.creationTimestamp) ?? 0;
  return ta - tb || keyOf(a).localeCompare(keyOf(b));
}
