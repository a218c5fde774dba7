import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildWalkBackInventory, computeMasterMoved, computeWalkBackOptions, findWalkBackRun, findWalkedBackRun, buildWalksBackNote, buildWalkBackStartedNote } from '../../../src/run/walk-back.ts';
import { foldJournal } from '../../../src/run/fold.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { JournalEvent } from '../../../src/run/events.ts';
import type { Plan } from '../../../src/plan/types.ts';

const inv = {
  apiVersion: 'ferry/v1',
  name: 't',
  access: { mode: 'lab' },
  hosts: {},
  etcd: { old: [{ name: 'o' }], new: [{ name: 'n' }] },
  master: { old: { host: 'A', apiserver: 'http://A:8080' }, new: { host: 'B', apiserver: 'http://B:8080' } },
} as unknown as Inventory;

const nodes = [{ name: 'n1', host: 'N1' }];
const forward = {
  observed: { etcd: { members: [], leaderId: '0', version: '3.4.23' }, kube: { oldVersion: 'v1.4.7', newVersion: 'v1.4.7', oldApiserverUp: true, nodes, nodesSource: 'inventory' } },
  phases: [
    { id: 5, steps: [{ id: 'nodes.repoint', kind: 'nodes.repoint', params: { nodes } }] },
    { id: 6, steps: [{ id: 'dns.update', kind: 'dns.update', params: { etcd: ['http://E:4012'], master: 'http://B:8080' } }] },
  ],
} as unknown as Plan;

const ev = (seq: number, stepId: string, state: string): JournalEvent => ({ seq, ts: '2026-01-01T00:00:00Z', type: 'step-state', stepId, state } as JournalEvent);
const done = (seq: number, stepId: string): JournalEvent[] => [ev(seq, stepId, 'running'), ev(seq + 1, stepId, 'verifying'), ev(seq + 2, stepId, 'done')];
const note = (seq: number, message: string): JournalEvent => ({ seq, ts: '2026-01-01T00:00:00Z', type: 'note', message } as JournalEvent);

describe('walk-back', () => {
  test('both sides are swapped: etcd.new and master.new are the original ones', () => {
    const back = buildWalkBackInventory(inv);
    assert.equal(back.etcd.old[0]?.name, 'n');
    assert.equal(back.etcd.new[0]?.name, 'o');
    assert.equal(back.master?.old.host, 'B');
    assert.equal(back.master?.new.host, 'A');
  });

  test('the master moved when its new master was started (done or in flight), not when it was rolled back', () => {
    assert.equal(computeMasterMoved(foldJournal([])), false);
    assert.equal(computeMasterMoved(foldJournal([ev(1, 'master.start-new', 'running')])), true);
    assert.equal(computeMasterMoved(foldJournal(done(1, 'master.start-new'))), true);
    assert.equal(
      computeMasterMoved(foldJournal([ev(1, 'master.start-new', 'running'), ev(2, 'master.start-new', 'failed'), ev(3, 'master.start-new', 'rolling-back'), ev(4, 'master.start-new', 'rolled-back')])),
      false,
    );
  });

  test('stopped in phase 2: only etcd and the console (started again); master, DNS and record untouched', () => {
    const o = computeWalkBackOptions(foldJournal([...done(1, 'console.stop'), ev(4, 'etcd.replace.o', 'running')]), forward, '/runs/R1', { movedToServing: false });
    assert.deepEqual(o, { master: 'keep', movedToServing: false, nodes: [], kubeVersion: 'v1.4.7', dns: undefined, consoleRecord: false });
  });

  test('stopped in phase 3 (old master half stopped): the original master restarts, no node moves', () => {
    const o = computeWalkBackOptions(foldJournal([...done(1, 'console.stop'), ev(4, 'master.stop-old', 'running')]), forward, '/runs/R1', { movedToServing: false });
    assert.equal(o.master, 'restart');
    assert.deepEqual(o.nodes, []);
  });

  test('stopped in phase 6: the master and the nodes come back, the DNS too; the record only after phase 9', () => {
    const events = [...done(1, 'master.stop-old'), ...done(4, 'master.start-new'), ...done(7, 'nodes.repoint'), ...done(10, 'master.start-held-back'), ev(13, 'dns.update', 'running')];
    const o = computeWalkBackOptions(foldJournal(events), forward, '/runs/R1', { movedToServing: true });
    assert.deepEqual(o, { master: 'restart', movedToServing: true, nodes, kubeVersion: 'v1.4.7', dns: { runDir: '/runs/R1', etcd: ['http://E:4012'], master: 'http://B:8080' }, consoleRecord: false });
    const all = computeWalkBackOptions(foldJournal([...events, ev(14, 'dns.update', 'verifying'), ev(15, 'dns.update', 'done'), ...done(16, 'console.update')]), forward, '/runs/R1', { movedToServing: true });
    assert.equal(all.consoleRecord, true);
  });

  test('the two runs name each other in notes', () => {
    assert.equal(findWalkedBackRun([note(1, 'x'), note(2, buildWalksBackNote('R1'))]), 'R1');
    assert.equal(findWalkBackRun([note(1, buildWalkBackStartedNote('W1')), note(2, buildWalkBackStartedNote('W2'))]), 'W2');
    assert.equal(findWalkBackRun([note(1, 'walked back by run W1: done')]), undefined);
  });
});
