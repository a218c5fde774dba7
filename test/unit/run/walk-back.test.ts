import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildWalkBackInventory, computeMasterMoved, computeWalkBackScope } from '../../../src/run/walk-back.ts';
import { foldJournal } from '../../../src/run/fold.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { JournalEvent } from '../../../src/run/events.ts';

const inv = {
  apiVersion: 'ferry/v1',
  name: 't',
  access: { mode: 'lab' },
  hosts: {},
  etcd: { old: [{ name: 'o' }], new: [{ name: 'n' }] },
  master: { old: { host: 'A', apiserver: 'http://A:8080' }, new: { host: 'B', apiserver: 'http://B:8080' } },
} as unknown as Inventory;

const ev = (seq: number, stepId: string, state: string): JournalEvent => ({ seq, ts: '2026-01-01T00:00:00Z', type: 'step-state', stepId, state } as JournalEvent);

describe('walk-back', () => {
  test('etcd sides are always swapped; the masters only when the run moved the master', () => {
    const etcdOnly = buildWalkBackInventory(inv, false);
    assert.equal(etcdOnly.etcd.old[0]?.name, 'n');
    assert.equal(etcdOnly.etcd.new[0]?.name, 'o');
    assert.equal(etcdOnly.master?.old.host, 'A');
    const all = buildWalkBackInventory(inv, true);
    assert.equal(all.master?.old.host, 'B');
    assert.equal(all.master?.new.host, 'A');
    assert.equal(computeWalkBackScope(false), 'etcd');
    assert.equal(computeWalkBackScope(true), 'all');
  });

  test('the master moved when its new master was started (done or in flight), not when it was rolled back', () => {
    assert.equal(computeMasterMoved(foldJournal([])), false);
    assert.equal(computeMasterMoved(foldJournal([ev(1, 'master.start-new', 'running')])), true);
    assert.equal(computeMasterMoved(foldJournal([ev(1, 'master.start-new', 'running'), ev(2, 'master.start-new', 'verifying'), ev(3, 'master.start-new', 'done')])), true);
    assert.equal(
      computeMasterMoved(foldJournal([ev(1, 'master.start-new', 'running'), ev(2, 'master.start-new', 'failed'), ev(3, 'master.start-new', 'rolling-back'), ev(4, 'master.start-new', 'rolled-back')])),
      false,
    );
  });
});
