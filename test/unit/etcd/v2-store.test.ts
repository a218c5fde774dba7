import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countV2, flattenV2, parseV2Answer, renderV2Dump } from '../../../src/etcd/v2-store.ts';

const answer = {
  action: 'get',
  node: {
    dir: true,
    nodes: [
      { key: '/flannel', dir: true, nodes: [{ key: '/flannel/network', dir: true, nodes: [{ key: '/flannel/network/config', value: '{"Network":"172.24.0.0/13"}', modifiedIndex: 5 }] }] },
      { key: '/lease', value: 'x', ttl: 86399, expiration: '2026-12-08T18:00:00Z' },
      { key: '/empty', dir: true },
    ],
  },
};

test('the v2 tree is read, counted and flattened', () => {
  const root = parseV2Answer(answer);
  assert.ok(root !== undefined);
  assert.deepEqual(countV2(root), { keys: 2, dirs: 3 });
  assert.deepEqual([...flattenV2(root)], [['/flannel/network/config', '{"Network":"172.24.0.0/13"}'], ['/lease', 'x']]);
  const dump = JSON.parse(renderV2Dump({ index: '42', root }, 'http://a:4012', '2026-12-07T00:00:00Z')) as Record<string, unknown>;
  assert.equal(dump['kind'], 'ferry-etcd-v2-dump');
  assert.equal(dump['index'], '42');
  assert.deepEqual(dump['root'], root, 'TTLs and dirs are kept as read');
});

test('what is not a v2 answer is refused', () => {
  for (const bad of [undefined, null, {}, { node: 3 }, { node: { nodes: 'x' } }, { node: { key: 7 } }]) assert.equal(parseV2Answer(bad), undefined, JSON.stringify(bad));
});
