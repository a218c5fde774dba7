import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../src/errors.ts';
import { buildNextController } from '../../../src/dns/next-version.ts';
import { buildRollingUpdatePlan } from '../../../src/dns/rolling-update-plan.ts';
import type { ReplicationController } from '../../../src/kube/objects.ts';
import { RUNBOOK_TARGETS, load2016 } from './fixtures.ts';

function code(c: string): (err: unknown) => boolean {
  return (err) => err instanceof FerryError && err.code === c;
}

function pair(oldReplicas: number | undefined, newReplicas: number | undefined): [ReplicationController, ReplicationController] {
  const old = load2016().skydns;
  const next = buildNextController(old, RUNBOOK_TARGETS);
  if (oldReplicas === undefined) delete old.spec!.replicas;
  else old.spec!.replicas = oldReplicas;
  if (newReplicas === undefined) delete next.spec!.replicas;
  else next.spec!.replicas = newReplicas;
  return [old, next];
}

describe('buildRollingUpdatePlan', () => {
  test('dns.yaml skydns (1 replica) → skydns-v10', () => {
    const old = load2016().skydns;
    assert.deepEqual(buildRollingUpdatePlan(old, buildNextController(old, RUNBOOK_TARGETS)), [
      { action: 'create', rc: 'skydns-v10', replicas: 0 },
      { action: 'scale', rc: 'skydns-v10', replicas: 1 },
      { action: 'wait-ready', rc: 'skydns-v10', count: 1 },
      { action: 'scale', rc: 'skydns', replicas: 0 },
      { action: 'delete', rc: 'skydns' },
    ]);
  });
  test('3 → 3: one up, ready, one down, at no point fewer than 3 available', () => {
    const [old, next] = pair(3, 3);
    assert.deepEqual(buildRollingUpdatePlan(old, next), [
      { action: 'create', rc: 'skydns-v10', replicas: 0 },
      { action: 'scale', rc: 'skydns-v10', replicas: 1 },
      { action: 'wait-ready', rc: 'skydns-v10', count: 1 },
      { action: 'scale', rc: 'skydns', replicas: 2 },
      { action: 'scale', rc: 'skydns-v10', replicas: 2 },
      { action: 'wait-ready', rc: 'skydns-v10', count: 2 },
      { action: 'scale', rc: 'skydns', replicas: 1 },
      { action: 'scale', rc: 'skydns-v10', replicas: 3 },
      { action: 'wait-ready', rc: 'skydns-v10', count: 3 },
      { action: 'scale', rc: 'skydns', replicas: 0 },
      { action: 'delete', rc: 'skydns' },
    ]);
  });
  test('the new RC without replicas takes the old count; 2 → 2', () => {
    const [old, next] = pair(2, undefined);
    const plan = buildRollingUpdatePlan(old, next);
    assert.deepEqual(plan.filter((s) => s.action === 'wait-ready').map((s) => s.count), [1, 2]);
    assert.deepEqual(plan.at(-1), { action: 'delete', rc: 'skydns' });
  });
  test('2 → 1 scales the old down first (within the surge limit); 0 → 0 is create and delete', () => {
    const [old, next] = pair(2, 1);
    assert.deepEqual(buildRollingUpdatePlan(old, next), [
      { action: 'create', rc: 'skydns-v10', replicas: 0 },
      { action: 'scale', rc: 'skydns', replicas: 1 },
      { action: 'scale', rc: 'skydns-v10', replicas: 1 },
      { action: 'wait-ready', rc: 'skydns-v10', count: 1 },
      { action: 'scale', rc: 'skydns', replicas: 0 },
      { action: 'delete', rc: 'skydns' },
    ]);
    const [o0, n0] = pair(0, 0);
    assert.deepEqual(buildRollingUpdatePlan(o0, n0), [
      { action: 'create', rc: 'skydns-v10', replicas: 0 },
      { action: 'delete', rc: 'skydns' },
    ]);
  });
  test('refuses what kubectl rolling-update refused', () => {
    const old = load2016().skydns;
    assert.throws(() => buildRollingUpdatePlan(old, old), code('DNS_ROLLING_SAME_NAME'));
    const sameSelector = structuredClone(old);
    sameSelector.metadata!.name = 'skydns-v10';
    assert.throws(() => buildRollingUpdatePlan(old, sameSelector), code('DNS_ROLLING_SELECTOR_NOT_DISTINCT'));
    const [o, n] = pair(1, -1);
    assert.throws(() => buildRollingUpdatePlan(o, n), code('DNS_REPLICAS_INVALID'));
  });
});
