import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderProgress, type Progress } from '../../../src/run/progress.ts';

test('every progress kind has its own text (the DNS phase no longer reads as catch-up)', () => {
  const all: Progress[] = [
    { kind: 'catch-up', data: { member: 'domeosEtcd4', applied: '90', leaderIndex: '100', percent: 90 } },
    { kind: 'rollout', data: { total: 3, done: 1, failed: 0, running: 2, phase: 'batch', batch: 2 } },
    { kind: 'dns-rolled', data: { from: 'skydns-v9', to: 'skydns-v10', replicas: 1 } },
    { kind: 'dns-wait', data: { what: 'skydns-v10 pods Ready', status: '0/1 Ready' } },
  ];
  assert.deepEqual(all.map(renderProgress), [
    'catch-up domeosEtcd4: 90% (applied 90 of leader index 100)',
    'nodes: 1/3 done, 0 failed, 2 running (batch 2)',
    'DNS: skydns-v9 rolled to skydns-v10 (1 replica)',
    'DNS: skydns-v10 pods Ready: 0/1 Ready',
  ]);
  for (const text of all.map(renderProgress)) assert.doesNotMatch(text, /undefined/);
});

test('a kind this version does not know (another version wrote the journal) is shown as its fields', () => {
  assert.equal(renderProgress({ kind: 'compaction', data: { revision: 7, at: { a: 1 } } }), 'compaction: revision=7 at={"a":1}');
});
