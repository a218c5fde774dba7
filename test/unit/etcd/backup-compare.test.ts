import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeyMaps, compareV2, diffIsEmpty, judgeBackup, renderKeyDiff, v2ComparisonOk } from '../../../src/etcd/backup-compare.ts';
import type { V2Node } from '../../../src/etcd/v2-store.ts';

test('key maps: identical, missing, extra and different keys are each named', () => {
  const live = new Map([['/a', '1'], ['/b', '2'], ['/c', '3']]);
  assert.equal(renderKeyDiff(compareKeyMaps(live, new Map(live))), '3 keys identical');
  const d = compareKeyMaps(live, new Map([['/a', '1'], ['/c', 'x'], ['/z', '9']]));
  assert.deepEqual(d, { same: 1, missing: ['/b'], extra: ['/z'], different: ['/c'] });
  assert.equal(diffIsEmpty(d), false);
  assert.equal(renderKeyDiff(d), '1 identical, 1 missing (/b), 1 extra (/z), 1 different (/c)');
});

const tree = (ttl: number | undefined, withEmptyDir: boolean): V2Node => ({
  dir: true,
  nodes: [
    {
      key: '/flannel',
      dir: true,
      nodes: [
        { key: '/flannel/network', dir: true, nodes: [{ key: '/flannel/network/config', value: '{"Network":"172.24.0.0/13"}' }, { key: '/flannel/network/subnets/172.24.32.0-22', value: '{"PublicIP":"10.0.0.1"}', ...(ttl !== undefined ? { ttl } : {}) }] },
      ],
    },
    ...(withEmptyDir ? [{ key: '/skydns', dir: true, nodes: [] }] : []),
  ],
});

test('v2: keys and values, dirs (an empty one too) and TTLs must all come back', () => {
  assert.equal(v2ComparisonOk(compareV2(tree(86_400, true), tree(86_399, true))), true, 'a TTL that ticked down is still a TTL');
  const noDir = compareV2(tree(86_400, true), tree(86_400, false));
  assert.deepEqual(noDir.missingDirs, ['/skydns']);
  const noTtl = compareV2(tree(86_400, true), tree(undefined, true));
  assert.deepEqual(noTtl.lostTtl, ['/flannel/network/subnets/172.24.32.0-22']);
  assert.equal(v2ComparisonOk(noTtl), false);
});

test('a verdict is verified only when there are checks and all pass', () => {
  assert.equal(judgeBackup([]).verified, false);
  assert.equal(judgeBackup([{ name: 'a', ok: true, detail: '' }]).verified, true);
  assert.equal(judgeBackup([{ name: 'a', ok: true, detail: '' }, { name: 'b', ok: false, detail: '' }]).verified, false);
});
