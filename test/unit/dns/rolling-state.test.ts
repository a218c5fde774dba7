import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMaxActions, computeRestoreAction, computeRollingAction, type RollingLive } from '../../../src/dns/rolling-state.ts';
import { buildNextController } from '../../../src/dns/next-version.ts';
import { buildRollingUpdatePlan } from '../../../src/dns/rolling-update-plan.ts';
import { RUNBOOK_TARGETS, load2016 } from './fixtures.ts';

type Side = { replicas: number; livePods: number; readyPods: number };

/** Walk the live-state function on an ideal cluster (scales take effect and pods get Ready at once). */
function walk(desired: number, oldReplicas: number): string[] {
  let old: Side | undefined = { replicas: oldReplicas, livePods: oldReplicas, readyPods: oldReplicas };
  let next: Side | undefined;
  const out: string[] = [];
  for (let i = 0; i < 100; i++) {
    const live: RollingLive = { desired, ...(old ? { old } : {}), ...(next ? { next } : {}) };
    const a = computeRollingAction(live);
    if (a.kind === 'done') return out;
    out.push(a.kind === 'scale-next' || a.kind === 'scale-old' ? `${a.kind} ${a.replicas}` : a.kind === 'wait-next-ready' ? `${a.kind} ${a.count}` : a.kind);
    if (a.kind === 'create-next') next = { replicas: 0, livePods: 0, readyPods: 0 };
    else if (a.kind === 'scale-next' && next) next = { replicas: a.replicas, livePods: a.replicas, readyPods: next.readyPods };
    else if (a.kind === 'wait-next-ready' && next) next = { ...next, readyPods: next.replicas };
    else if (a.kind === 'scale-old' && old) old = { replicas: a.replicas, livePods: old.livePods, readyPods: old.readyPods };
    else if (a.kind === 'wait-old-gone' && old) old = { ...old, livePods: old.replicas, readyPods: old.replicas };
    else if (a.kind === 'delete-old') old = undefined;
    else throw new Error(`unexpected ${a.kind}`);
  }
  throw new Error('did not converge');
}

/** The same walk as the written-out plan of rolling-update-plan.ts (kubectl's RollingUpdater). */
function fromPlan(replicas: number): string[] {
  const old = load2016().skydns;
  old.spec!.replicas = replicas;
  return buildRollingUpdatePlan(old, buildNextController(old, RUNBOOK_TARGETS)).flatMap((s) => {
    if (s.action === 'create') return ['create-next'];
    if (s.action === 'scale') return [`${s.rc === 'skydns' ? 'scale-old' : 'scale-next'} ${s.replicas}`];
    if (s.action === 'wait-ready') return [`wait-next-ready ${s.count}`];
    // The plan leaves out what the live walk adds: waiting for the old pods to be gone before the delete.
    return replicas > 0 ? ['wait-old-gone', 'delete-old'] : ['delete-old'];
  });
}

describe('computeRollingAction', () => {
  for (const n of [0, 1, 2, 3, 5]) {
    test(`${n} → ${n} replicas walks as kubectl rolling-update did`, () => {
      assert.deepEqual(walk(n, n), fromPlan(n));
    });
  }

  test('never lets the old controller drop below what the Ready new pods cover', () => {
    // 1 new pod asked for but not Ready: wait, do not touch the old one.
    assert.deepEqual(computeRollingAction({ desired: 2, old: { replicas: 2, livePods: 2, readyPods: 2 }, next: { replicas: 1, livePods: 1, readyPods: 0 } }), { kind: 'wait-next-ready', count: 1 });
    // Resumed with the new controller already at its size but nothing Ready: wait, the old keeps serving.
    assert.deepEqual(computeRollingAction({ desired: 1, old: { replicas: 1, livePods: 1, readyPods: 1 }, next: { replicas: 1, livePods: 1, readyPods: 0 } }), { kind: 'wait-next-ready', count: 1 });
  });

  test('adopts half-done states a kill leaves', () => {
    assert.deepEqual(computeRollingAction({ desired: 1, old: { replicas: 1, livePods: 1, readyPods: 1 } }), { kind: 'create-next' });
    assert.deepEqual(computeRollingAction({ desired: 1, old: { replicas: 1, livePods: 1, readyPods: 1 }, next: { replicas: 0, livePods: 0, readyPods: 0 } }), { kind: 'scale-next', replicas: 1 });
    assert.deepEqual(computeRollingAction({ desired: 1, old: { replicas: 0, livePods: 1, readyPods: 1 }, next: { replicas: 1, livePods: 1, readyPods: 1 } }), { kind: 'wait-old-gone' });
    assert.deepEqual(computeRollingAction({ desired: 1, old: { replicas: 0, livePods: 0, readyPods: 0 }, next: { replicas: 1, livePods: 1, readyPods: 1 } }), { kind: 'delete-old' });
    assert.deepEqual(computeRollingAction({ desired: 1, next: { replicas: 1, livePods: 1, readyPods: 1 } }), { kind: 'done' });
    assert.deepEqual(computeRollingAction({ desired: 3, next: { replicas: 2, livePods: 2, readyPods: 2 } }), { kind: 'scale-next', replicas: 3 });
    assert.deepEqual(computeRollingAction({ desired: 1 }), { kind: 'lost' });
  });
});

describe('computeRestoreAction', () => {
  test('old first (re-created, sized, Ready), then the new one scaled to 0, emptied, deleted', () => {
    const steps: string[] = [];
    let live: RollingLive = { desired: 2, next: { replicas: 2, livePods: 2, readyPods: 2 } };
    for (let i = 0; i < computeMaxActions(live); i++) {
      const a = computeRestoreAction(live);
      steps.push(a.kind);
      if (a.kind === 'done') break;
      if (a.kind === 'create-old') live = { ...live, old: { replicas: 2, livePods: 0, readyPods: 0 } };
      if (a.kind === 'wait-old-ready') live = { ...live, old: { replicas: 2, livePods: 2, readyPods: 2 } };
      if (a.kind === 'scale-next') live = { ...live, next: { replicas: 0, livePods: 2, readyPods: 2 } };
      if (a.kind === 'wait-next-gone') live = { ...live, next: { replicas: 0, livePods: 0, readyPods: 0 } };
      if (a.kind === 'delete-next') live = { desired: 2, ...(live.old ? { old: live.old } : {}) };
    }
    assert.deepEqual(steps, ['create-old', 'wait-old-ready', 'scale-next', 'wait-next-gone', 'delete-next', 'done']);
  });

  test('an old controller scaled down is scaled back to its backed-up size', () => {
    assert.deepEqual(computeRestoreAction({ desired: 3, old: { replicas: 1, livePods: 1, readyPods: 1 }, next: { replicas: 2, livePods: 2, readyPods: 2 } }), { kind: 'scale-old', replicas: 3 });
    assert.deepEqual(computeRestoreAction({ desired: 1, old: { replicas: 1, livePods: 1, readyPods: 1 } }), { kind: 'done' });
  });
});
