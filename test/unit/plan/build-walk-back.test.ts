import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { WalkBackPlanOptions } from '../../../src/plan/build-input.ts';
import { buildPlan } from '../../../src/plan/build.ts';
import { planSteps } from '../../../src/plan/plan-steps.ts';
import { validateInventory } from '../../../src/inventory/validate.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { ObservedEtcd } from '../../../src/observe/types.ts';
import { buildWalkBackInventory } from '../../../src/run/walk-back.ts';

function inventory(): Inventory {
  const r = validateInventory({
    apiVersion: 'ferry/v1',
    name: 't',
    access: { mode: 'lab' },
    etcd: {
      old: [0, 1, 2].map((i) => ({ name: `old${i}`, host: `127.9.0.${31 + i}` })),
      new: [0, 1, 2].map((i) => ({ name: `new${i}`, host: `127.9.0.${21 + i}` })),
    },
    master: { old: { host: '127.9.0.30', apiserver: 'http://127.9.0.30:8080' }, new: { host: '127.9.0.20', apiserver: 'http://127.9.0.20:8080' } },
    nodes: [{ name: 'n1', host: '127.9.0.39' }],
    dns: {},
    domeos: { url: 'http://127.9.0.10:8080', cluster: 'c' },
  });
  assert.ok(r.inventory, JSON.stringify(r.problems));
  return buildWalkBackInventory(r.inventory);
}

/** Mid-way: old0 replaced by new0 (new0 leads); old1, old2 still there. */
const etcd: ObservedEtcd = {
  members: [
    { id: '200', name: 'new0', peerURLs: ['http://127.9.0.21:4010'], clientURLs: ['http://127.9.0.21:4012'], isLearner: false },
    ...[1, 2].map((i) => ({ id: String(100 + i), name: `old${i}`, peerURLs: [`http://127.9.0.${31 + i}:4010`], clientURLs: [`http://127.9.0.${31 + i}:4012`], isLearner: false })),
  ],
  leaderId: '101',
  version: '3.4.23',
};
const nodes = [{ name: 'n1', host: '127.9.0.39' }];
const base: WalkBackPlanOptions = { master: 'keep', movedToServing: false, nodes: [], kubeVersion: 'v1.4.7', dns: undefined, consoleRecord: false };
const plan = (o: Partial<WalkBackPlanOptions>) => buildPlan({ inventory: inventory(), inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd }, walkBack: { ...base, ...o } });
const ids = (o: Partial<WalkBackPlanOptions>) => planSteps(plan(o)).map((s) => `${s.phase}:${s.id}`);

describe('buildPlan for a walk-back', () => {
  test('stopped in phase 2: etcd back, the console stopped and started again; no master, DNS or record step', () => {
    assert.deepEqual(ids({}), ['1:console.stop', '2:etcd.snapshot', '2:etcd.replace.new0', '8:console.start']);
  });

  test('the master was stopped but its successor does not serve: restart in place, held-back after', () => {
    assert.deepEqual(ids({ master: 'restart' }), ['1:console.stop', '2:etcd.snapshot', '2:etcd.replace.new0', '4:master.restart', '6:master.start-held-back', '8:console.start']);
    const restart = planSteps(plan({ master: 'restart' })).find((s) => s.kind === 'master.restart');
    assert.ok(restart?.kind === 'master.restart');
    assert.equal(restart.params.master.host, '127.9.0.30', 'the original master starts again');
    assert.equal(restart.params.other.host, '127.9.0.20');
  });

  test('a done run: the moved-to master is stopped, the original restarted, nodes, DNS and the record back', () => {
    const from = { runDir: '/runs/R1', etcd: ['http://127.9.0.21:4012'], master: 'http://127.9.0.20:8080' };
    const p = plan({ master: 'restart', movedToServing: true, nodes, dns: from, consoleRecord: true });
    assert.deepEqual(
      planSteps(p).map((s) => `${s.phase}:${s.id}`),
      // new0 is the only forward member live and it goes in phase 2: the moved-to master stops before it.
      ['1:console.stop', '2:master.stop-old', '2:etcd.snapshot', '2:etcd.replace.new0', '4:master.restart', '5:nodes.repoint', '6:master.start-held-back', '6:dns.update', '8:console.start', '9:console.update'],
    );
    const steps = planSteps(p);
    const stop = steps.find((s) => s.kind === 'master.stop-old');
    assert.ok(stop?.kind === 'master.stop-old');
    assert.equal(stop.params.old.host, '127.9.0.20', 'the master the run moved to is the one stopped');
    const repoint = steps.find((s) => s.kind === 'nodes.repoint');
    assert.ok(repoint?.kind === 'nodes.repoint');
    assert.equal(repoint.params.master, 'http://127.9.0.30:8080');
    assert.deepEqual(repoint.params.etcd, ['http://127.9.0.31:4012', 'http://127.9.0.32:4012', 'http://127.9.0.33:4012']);
    const dns = steps.find((s) => s.kind === 'dns.update');
    assert.ok(dns?.kind === 'dns.update');
    assert.equal(dns.params.apiserver, 'http://127.9.0.30:8080');
    assert.deepEqual(dns.params.etcd, ['http://127.9.0.31:4012', 'http://127.9.0.32:4012', 'http://127.9.0.33:4012']);
    assert.deepEqual(dns.params.restoreFrom, from, 'the forward run\'s backup is put back');
    const update = steps.find((s) => s.kind === 'console.update');
    assert.ok(update?.kind === 'console.update');
    assert.equal(update.params.apiserver, 'http://127.9.0.30:8080');
    assert.deepEqual(update.params.etcd, dns.params.etcd);
  });
});

describe('buildPlan for a walk-back: the moved-to master on members that go in phase 2', () => {
  test('it is stopped (census first) before etcd moves', () => {
    // Forward stopped before its phase 7: new0, new1 in, old2 still there; the moved-to master lists only new*.
    const mid: ObservedEtcd = {
      members: [
        ...[0, 1].map((i) => ({ id: String(200 + i), name: `new${i}`, peerURLs: [`http://127.9.0.${21 + i}:4010`], clientURLs: [`http://127.9.0.${21 + i}:4012`], isLearner: false })),
        { id: '102', name: 'old2', peerURLs: ['http://127.9.0.33:4010'], clientURLs: ['http://127.9.0.33:4012'], isLearner: false },
      ],
      leaderId: '102',
      version: '3.4.23',
    };
    const p = buildPlan({ inventory: inventory(), inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd: mid }, walkBack: { ...base, master: 'restart', movedToServing: true, nodes } });
    assert.deepEqual(
      planSteps(p).map((s) => `${s.phase}:${s.id}`),
      ['1:console.stop', '2:master.stop-old', '2:etcd.snapshot', '2:etcd.replace.new0', '2:etcd.replace.new1', '4:master.restart', '5:nodes.repoint', '6:master.start-held-back', '8:console.start'],
    );
  });
});

describe('buildPlan for a walk-back of a done run', () => {
  test('the moved-to master keeps its etcd leader through phase 2: it is stopped in phase 3, as the runbook does', () => {
    const done: ObservedEtcd = {
      members: [0, 1, 2].map((i) => ({ id: String(200 + i), name: `new${i}`, peerURLs: [`http://127.9.0.${21 + i}:4010`], clientURLs: [`http://127.9.0.${21 + i}:4012`], isLearner: false })),
      leaderId: '201',
      version: '3.4.23',
    };
    const p = buildPlan({ inventory: inventory(), inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd: done }, walkBack: { ...base, master: 'restart', movedToServing: true, nodes } });
    assert.deepEqual(
      planSteps(p).map((s) => `${s.phase}:${s.id}`),
      ['1:console.stop', '2:etcd.snapshot', '2:etcd.replace.new0', '2:etcd.replace.new2', '3:master.stop-old', '4:master.restart', '5:nodes.repoint', '6:master.start-held-back', '7:etcd.replace.new1', '8:console.start'],
    );
  });
});
