import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabSeedData, LIVE_SEED_MARKER_KEY } from '../../../src/lab/setup/etcd-seed.ts';

test('the seed for a lab with a live control plane leaves out what the control plane rewrites, and is marked', () => {
  const full = buildLabSeedData();
  const live = buildLabSeedData({ liveControlPlane: true });
  const keys = live.v3.map((e) => e.key);
  assert.ok(!keys.some((k) => k.startsWith('/registry/minions/') || k.startsWith('/registry/pods/') || k.startsWith('/registry/controllers/')));
  assert.ok(!keys.includes('/registry/services/specs/default/kubernetes'));
  assert.ok(!keys.includes('/registry/services/endpoints/default/kubernetes'));
  assert.ok(keys.includes('/registry/services/specs/kube-system/skydns'));
  assert.ok(keys.includes('/registry/namespaces/default'));
  assert.ok(keys.includes(LIVE_SEED_MARKER_KEY));
  assert.ok(!full.v3.some((e) => e.key === LIVE_SEED_MARKER_KEY), 'an etcd-only lab`s seed is unchanged');
  assert.deepEqual(live.v2, full.v2);
  for (const e of live.v3) if (e.key !== LIVE_SEED_MARKER_KEY) assert.equal(full.v3.find((f) => f.key === e.key)?.value, e.value);
});
