/**
 * Graceful deletion of pods, as the 1.4 registry does it (rest.BeforeDelete + the pod strategy's
 * CheckGracefulDelete): a DELETE of a pod bound to a node that has not finished only sets
 * metadata.deletionTimestamp (now + grace period) and deletionGracePeriodSeconds; the kubelet (or the node
 * controller, once the grace period is over) then deletes it with gracePeriodSeconds=0. A later DELETE may only
 * shorten the grace period. Every other kind is deleted at once. Pure.
 */
import { asNumber, asObject, asString, formatTimestamp } from './json.ts';
import type { KubeObject } from './json.ts';

export type DeletePlan =
  | { readonly action: 'delete' }
  /** Graceful deletion already pending with a grace period no longer than asked: nothing to write. */
  | { readonly action: 'keep' }
  | { readonly action: 'mark'; readonly object: KubeObject };

/** The grace period a pod gets: the one asked for, else its terminationGracePeriodSeconds; 0 when unbound or done. */
export function computePodGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = asObject(pod['spec']);
  const phase = asString(asObject(pod['status'])['phase']);
  if ((asString(spec['nodeName']) ?? '') === '' || phase === 'Succeeded' || phase === 'Failed') return 0;
  return Math.max(0, requested ?? asNumber(spec['terminationGracePeriodSeconds']) ?? 30);
}

/** `requested` < 0 (kubectl's "use the default") counts as not given. */
export function computeDeletePlan(current: KubeObject, asked: number | undefined, now: Date): DeletePlan {
  if (current.kind !== 'Pod') return { action: 'delete' };
  const requested = asked !== undefined && asked >= 0 ? asked : undefined;
  const pendingSeconds = current.metadata['deletionGracePeriodSeconds'];
  let grace: number;
  if (current.metadata.deletionTimestamp !== undefined) {
    if (typeof pendingSeconds !== 'number') return { action: 'delete' };
    if (requested === undefined || requested >= pendingSeconds) return { action: 'keep' };
    grace = requested;
  } else grace = computePodGracePeriod(current, requested);
  if (grace === 0) return { action: 'delete' };
  const deletionTimestamp = formatTimestamp(new Date(now.getTime() + grace * 1000));
  return { action: 'mark', object: { ...current, metadata: { ...current.metadata, deletionTimestamp, deletionGracePeriodSeconds: grace } } };
}
