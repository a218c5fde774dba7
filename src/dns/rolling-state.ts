/**
 * The rolling update of one replication controller as a function of what is live (pure), so that a run killed at
 * any instant resumes by reading the cluster and asking again: new controller created at 0 → one more new pod →
 * wait until it is Ready with the new args → one fewer old pod → … → old controller at 0, its pods gone → old
 * controller deleted. As `kubectl rolling-update` (maxSurge 1, maxUnavailable 0): the old controller never drops
 * below what the Ready new pods make up for, so the DNS keeps answering (rolling-update-plan.ts has the same walk
 * written out from the start).
 *
 * And its undo, from whatever half-state: old controller back (re-created from the backup if it was deleted) at its
 * old size and Ready, then the new one scaled to 0, its pods gone, deleted.
 */

/** The live state of one controller pair. `old`/`next` are absent when that controller does not exist. */
export interface RollingLive {
  /** Replicas the old controller had when it was backed up: what the new one must reach. */
  readonly desired: number;
  readonly old?: { readonly replicas: number; readonly livePods: number; readonly readyPods: number };
  readonly next?: { readonly replicas: number; readonly livePods: number; readonly readyPods: number };
}

export type RollingAction =
  | { readonly kind: 'create-next' }
  | { readonly kind: 'scale-next'; readonly replicas: number }
  | { readonly kind: 'wait-next-ready'; readonly count: number }
  | { readonly kind: 'scale-old'; readonly replicas: number }
  | { readonly kind: 'wait-old-gone' }
  | { readonly kind: 'delete-old' }
  | { readonly kind: 'done' }
  /** Neither controller exists: nothing to roll, and nothing serves DNS. */
  | { readonly kind: 'lost' };

export function computeRollingAction(live: RollingLive): RollingAction {
  const { desired, old, next } = live;
  if (next === undefined) return old === undefined ? { kind: 'lost' } : { kind: 'create-next' };
  // Every new pod asked for must be Ready (with the new args) before anything else moves.
  if (next.readyPods < Math.min(next.replicas, desired)) return { kind: 'wait-next-ready', count: Math.min(next.replicas, desired) };
  if (old !== undefined) {
    // Keep at least `desired` pods available: the old controller keeps what the Ready new pods do not cover.
    const oldFloor = Math.max(0, desired - next.readyPods);
    if (old.replicas > oldFloor) return { kind: 'scale-old', replicas: oldFloor };
  }
  if (next.replicas < desired) return { kind: 'scale-next', replicas: next.replicas + 1 };
  if (old !== undefined) {
    // Deleting a controller does not delete its pods (1.4 orphans them): wait until the scale-down took them.
    if (old.livePods > 0) return { kind: 'wait-old-gone' };
    return { kind: 'delete-old' };
  }
  return { kind: 'done' };
}

export type RestoreAction =
  | { readonly kind: 'create-old' }
  | { readonly kind: 'scale-old'; readonly replicas: number }
  | { readonly kind: 'wait-old-ready'; readonly count: number }
  | { readonly kind: 'scale-next'; readonly replicas: 0 }
  | { readonly kind: 'wait-next-gone' }
  | { readonly kind: 'delete-next' }
  | { readonly kind: 'done' };

/** `desired` is the old controller's backed-up size. */
export function computeRestoreAction(live: RollingLive): RestoreAction {
  const { desired, old, next } = live;
  if (old === undefined) return { kind: 'create-old' };
  if (old.replicas !== desired) return { kind: 'scale-old', replicas: desired };
  if (old.readyPods < desired) return { kind: 'wait-old-ready', count: desired };
  if (next === undefined) return { kind: 'done' };
  if (next.replicas > 0) return { kind: 'scale-next', replicas: 0 };
  if (next.livePods > 0) return { kind: 'wait-next-gone' };
  return { kind: 'delete-next' };
}

/** An upper bound on the actions a walk can take (each scale moves one replica; a guard against a fight). */
export function computeMaxActions(live: RollingLive): number {
  return 4 * (live.desired + (live.old?.replicas ?? 0) + (live.next?.replicas ?? 0)) + 8;
}
