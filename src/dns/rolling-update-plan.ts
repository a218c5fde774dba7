/**
 * What `kubectl rolling-update <old> -f <new>.yaml` did (kubectl's RollingUpdater, defaults maxSurge 1 and
 * maxUnavailable 0), written out as data so ferry can run, show and journal it step by step:
 * create the new RC at 0 replicas; then repeat { scale new up within the surge limit, wait until its pods are
 * Ready, scale old down by as many as stay available } until new = desired and old = 0; then delete the old RC.
 * The plan assumes every pod becomes Ready; the runner's wait-ready step is where that is checked (and bounded).
 */
import { BugError, inputError } from '../errors.ts';
import type { ReplicationController } from '../kube/objects.ts';

export type RollingUpdateStep =
  | { action: 'create'; rc: string; replicas: 0 }
  | { action: 'scale'; rc: string; replicas: number }
  | { action: 'wait-ready'; rc: string; count: number }
  | { action: 'delete'; rc: string };

function replicasOf(rc: ReplicationController, fallback: number, which: string): number {
  const n = rc.spec?.replicas ?? fallback;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw inputError('DNS_REPLICAS_INVALID', `${which} RC ${String(rc.metadata?.name)} has replicas ${String(n)}`, {
      hint: 'spec.replicas must be a whole number >= 0.',
    });
  }
  return n;
}

/** Refuses what kubectl rolling-update refused: same name, or selectors without a shared key of different value. */
function validatePair(oldRc: ReplicationController, newRc: ReplicationController): { oldName: string; newName: string } {
  const oldName = oldRc.metadata?.name ?? '';
  const newName = newRc.metadata?.name ?? '';
  if (oldName === '' || newName === '' || oldName === newName) {
    throw inputError('DNS_ROLLING_SAME_NAME', `the new RC's name (${newName}) must be set and differ from the old one (${oldName})`, {
      hint: 'Build the new RC with buildNextController (e.g. skydns → skydns-v10).',
      subjects: { rc: oldName },
    });
  }
  const oldSel = oldRc.spec?.selector ?? {};
  const newSel = newRc.spec?.selector ?? {};
  const distinct = Object.entries(oldSel).some(([k, v]) => Object.hasOwn(newSel, k) && newSel[k] !== v);
  if (!distinct) {
    throw inputError('DNS_ROLLING_SELECTOR_NOT_DISTINCT', `the selector of ${newName} has no key whose value differs from ${oldName}'s`, {
      hint: 'Change spec.selector.version (and the template label) in the new RC, e.g. v9 → v10.',
      subjects: { rc: oldName },
    });
  }
  return { oldName, newName };
}

/** Desired size: the new RC's replicas, else the old RC's (as kubectl did), else 1. */
export function buildRollingUpdatePlan(oldRc: ReplicationController, newRc: ReplicationController): RollingUpdateStep[] {
  const { oldName, newName } = validatePair(oldRc, newRc);
  let oldCount = replicasOf(oldRc, 1, 'old');
  const desired = replicasOf(newRc, oldCount, 'new');
  const maxSurge = 1;
  const minAvailable = desired; // maxUnavailable 0
  let newCount = 0;
  const steps: RollingUpdateStep[] = [{ action: 'create', rc: newName, replicas: 0 }];
  // Each pass moves at least one replica, so the loop ends within desired + oldCount passes; the bound is a guard.
  for (let guard = desired + oldCount + 2; newCount !== desired || oldCount !== 0; guard--) {
    if (guard === 0) throw new BugError('rolling update plan did not converge');
    if (newCount < desired) {
      const increment = oldCount === 0 ? desired - newCount : desired + maxSurge - (oldCount + newCount);
      if (increment > 0) {
        newCount = Math.min(desired, newCount + increment);
        steps.push({ action: 'scale', rc: newName, replicas: newCount });
        steps.push({ action: 'wait-ready', rc: newName, count: newCount });
      }
    }
    if (oldCount > 0) {
      let decrement = oldCount + newCount - minAvailable;
      if (newCount === desired) decrement = oldCount;
      if (decrement > 0) {
        oldCount = Math.max(0, oldCount - decrement);
        steps.push({ action: 'scale', rc: oldName, replicas: oldCount });
      }
    }
  }
  steps.push({ action: 'delete', rc: oldName });
  return steps;
}
