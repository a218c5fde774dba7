import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLANNEL_CONFIG, buildLabSeedData } from '../../../src/lab/setup/etcd-seed.ts';

test('buildLabSeedData: ~50 unique /registry keys with JSON values, and the flannel config for v2', () => {
  const data = buildLabSeedData();
  assert.ok(data.v3.length >= 45 && data.v3.length <= 55, `got ${data.v3.length}`);
  assert.equal(new Set(data.v3.map((e) => e.key)).size, data.v3.length);
  for (const { key, value } of data.v3) {
    assert.ok(key.startsWith('/registry/'), key);
    JSON.parse(value);
  }
  assert.ok(data.v3.some((e) => e.key === '/registry/namespaces/default'));
  assert.ok(data.v3.some((e) => e.key === '/registry/services/specs/default/kubernetes'));
  assert.ok(data.v3.some((e) => e.key.startsWith('/registry/minions/')));
  assert.ok(data.v3.some((e) => e.key.startsWith('/registry/pods/default/')));
  assert.deepEqual(data.v2, [{ key: '/flannel/network/config', value: FLANNEL_CONFIG }]);
  assert.deepEqual(JSON.parse(FLANNEL_CONFIG), { Network: '127.24.0.0/13', SubnetLen: 22, Backend: { Type: 'vxlan', VNI: 1 } });
  assert.deepEqual(buildLabSeedData(), data, 'deterministic');
});
