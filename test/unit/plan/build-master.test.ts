import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Scope } from '../../../src/plan/build-input.ts';
import { buildPlan } from '../../../src/plan/build.ts';
import { planSteps } from '../../../src/plan/plan-steps.ts';
import { validateInventory } from '../../../src/inventory/validate.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { ObservedDns, ObservedEtcd, ObservedKube } from '../../../src/observe/types.ts';
import { FerryError } from '../../../src/errors.ts';

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
    nodes: [{ name: 'n1', host: '127.9.0.39' }, { name: 'n2', host: '127.9.0.40' }],
    rollout: { canary: 1, batchSize: 5, concurrency: 2, maxFailures: 1 },
  });
  assert.ok(r.inventory, JSON.stringify(r.problems));
  return r.inventory;
}

const etcd: ObservedEtcd = {
  members: [0, 1, 2].map((i) => ({ id: String(100 + i), name: `old${i}`, peerURLs: [`http://127.9.0.${31 + i}:4010`], clientURLs: [`http://127.9.0.${31 + i}:4012`], isLearner: false })),
  leaderId: '101',
  version: '3.4.23',
};
const kube: ObservedKube = { oldVersion: 'v1.4.7', newVersion: 'v1.4.7', oldApiserverUp: true, nodes: [{ name: 'n1', host: '127.9.0.39' }, { name: 'n2', host: '127.9.0.40' }], nodesSource: 'inventory' };

const plan = (o: { kube?: ObservedKube; scope?: Scope } = {}) =>
  buildPlan({ inventory: inventory(), inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd, kube: o.kube ?? kube }, ...(o.scope ? { scope: o.scope } : {}) });

describe('buildPlan with a master', () => {
  test('the runbook order: etcd non-leaders, stop old master, start new, nodes, scheduler+controller, the leader last', () => {
    const steps = planSteps(plan());
    assert.deepEqual(
      steps.map((s) => `${s.phase}:${s.id}`),
      ['2:etcd.snapshot', '2:etcd.replace.old0', '2:etcd.replace.old2', '3:master.stop-old', '4:master.start-new', '5:nodes.repoint', '6:master.start-held-back', '6:dns.update', '7:etcd.replace.old1'],
    );
    const start = steps.find((s) => s.kind === 'master.start-new');
    assert.ok(start?.kind === 'master.start-new');
    assert.deepEqual(start.params.etcd, ['http://127.9.0.21:4012', 'http://127.9.0.22:4012', 'http://127.9.0.23:4012'], 'the ALL-new etcd list');
    const nodes = steps.find((s) => s.kind === 'nodes.repoint');
    assert.ok(nodes?.kind === 'nodes.repoint');
    assert.equal(nodes.params.master, 'http://127.9.0.20:8080');
    assert.deepEqual(nodes.params.rollout, { canary: 1, batchSize: 5, concurrency: 2, maxFailures: 1, readyTimeoutMs: 120_000 });
  });

  test('one etcd member (1→1): the leader is replaced in phase 2, so the new master finds a new member in phase 4', () => {
    const base = inventory();
    const one: Inventory = { ...base, etcd: { ...base.etcd, old: base.etcd.old.slice(0, 1), new: base.etcd.new.slice(0, 1) } };
    const single: ObservedEtcd = { ...etcd, members: etcd.members.slice(0, 1), leaderId: '100' };
    const p = buildPlan({ inventory: one, inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd: single, kube } });
    assert.deepEqual(
      planSteps(p).map((s) => `${s.phase}:${s.id}`),
      ['2:etcd.snapshot', '2:etcd.replace.old0', '3:master.stop-old', '4:master.start-new', '5:nodes.repoint', '6:master.start-held-back', '6:dns.update'],
    );
    assert.ok(p.notes.some((n) => /leader is replaced in phase 2/.test(n)));
    // Without a master the leader still goes last, in phase 7.
    const etcdOnly = buildPlan({ inventory: { ...one, master: undefined }, inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd: single } });
    assert.deepEqual(planSteps(etcdOnly).filter((s) => s.kind.startsWith('etcd.')).map((s) => `${s.phase}:${s.id}`), ['2:etcd.snapshot', '7:etcd.replace.old0']);
  });

  test('a new master at another Kubernetes version is refused at plan time (exit 2)', () => {
    assert.throws(
      () => plan({ kube: { ...kube, newVersion: 'v1.5.5' } }),
      (e: unknown) => e instanceof FerryError && e.code === 'MASTER_VERSION_MISMATCH' && e.exitCode === 2 && /v1\.5\.5/.test(e.message),
    );
  });

  test('--scope etcd: no master or node steps; DNS still moves to the new etcd members, through the old master', () => {
    const steps = planSteps(plan({ scope: 'etcd' }));
    assert.deepEqual(steps.filter((s) => !s.kind.startsWith('etcd.')).map((s) => s.id), ['dns.update']);
    const dns = steps.find((s) => s.kind === 'dns.update');
    assert.ok(dns?.kind === 'dns.update');
    assert.equal(dns.params.apiserver, 'http://127.9.0.30:8080');
    assert.equal(dns.params.master, 'http://127.9.0.30:8080');
    assert.deepEqual(dns.params.etcd, ['http://127.9.0.21:4012', 'http://127.9.0.22:4012', 'http://127.9.0.23:4012']);
  });

  test('--scope master: no etcd steps; the master keeps its etcd list; nodes get --master only', () => {
    const steps = planSteps(plan({ scope: 'master' }));
    assert.deepEqual(steps.map((s) => s.id), ['master.stop-old', 'master.start-new', 'nodes.repoint', 'master.start-held-back', 'dns.update']);
    const start = steps[1];
    assert.ok(start?.kind === 'master.start-new' && start.params.etcd === undefined);
    const nodes = steps[2];
    assert.ok(nodes?.kind === 'nodes.repoint' && nodes.params.etcd === undefined && nodes.params.master !== undefined);
  });

  test('no nodes: no nodes step, and a note says so', () => {
    const p = plan({ kube: { ...kube, nodes: [] } });
    assert.ok(!planSteps(p).some((s) => s.kind === 'nodes.repoint'));
    assert.ok(p.notes.includes('no nodes to repoint'));
  });
});

describe('buildPlan: the DNS add-on and the DomeOS console (phases 1, 6, 8, 9)', () => {
  const withConsole = (): Inventory => {
    const base = inventory();
    return {
      ...base,
      domeos: { url: 'http://127.9.0.10:8080', cluster: 'c1', host: '127.9.0.10', service: 'domeos', healthTimeoutMs: 60_000, credentialsFile: '/secret/creds.yaml' },
    };
  };
  const planOf = (inv: Inventory, o: { dns?: ObservedDns; scope?: Scope } = {}) =>
    buildPlan({ inventory: inv, inventoryPath: 'i.yaml', inventorySha256: 'x', observed: { etcd, kube, ...(o.dns ? { dns: o.dns } : {}) }, ...(o.scope ? { scope: o.scope } : {}) });

  test('all nine phases in the runbook order, each with its reason', () => {
    const p = planOf(withConsole(), { dns: { serviceSelector: { app: 'skydns', version: 'v9' }, clusterIP: '127.9.40.1', controllers: [{ name: 'kube2sky', kind: 'ReplicationController', version: 'v9', replicas: 1 }, { name: 'skydns', kind: 'ReplicationController', version: 'v9', replicas: 1 }], missing: [] } });
    assert.deepEqual(p.phases.map((ph) => ph.id), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(p.phases.every((ph) => ph.reason.length > 20));
    assert.deepEqual(
      planSteps(p).map((s) => s.id),
      ['console.stop', 'etcd.snapshot', 'etcd.replace.old0', 'etcd.replace.old2', 'master.stop-old', 'master.start-new', 'nodes.repoint', 'master.start-held-back', 'dns.update', 'etcd.replace.old1', 'console.start', 'console.update'],
    );
    const dns = planSteps(p).find((s) => s.kind === 'dns.update');
    assert.ok(dns?.kind === 'dns.update');
    assert.deepEqual({ apiserver: dns.params.apiserver, master: dns.params.master, controllers: dns.params.controllers, domain: dns.params.domain }, { apiserver: 'http://127.9.0.20:8080', master: 'http://127.9.0.20:8080', controllers: ['kube2sky', 'skydns'], domain: 'domeos.local' });
    const update = planSteps(p).find((s) => s.kind === 'console.update');
    assert.ok(update?.kind === 'console.update');
    assert.equal(update.params.apiserver, 'http://127.9.0.20:8080');
    assert.deepEqual(update.params.etcd, ['http://127.9.0.21:4012', 'http://127.9.0.22:4012', 'http://127.9.0.23:4012']);
    assert.equal(update.params.console.credentialsFile, '/secret/creds.yaml', 'where the credentials are, never what they are');
    for (const s of planSteps(p)) assert.ok(s.does.length > 0 && s.checks.length > 0 && s.undoes.length > 0, `${s.id} says what it does, checks and undoes`);
  });

  test('no DNS add-on on the cluster: no DNS step, and a note says so', () => {
    const p = planOf(inventory(), { dns: { controllers: [], missing: ['kube2sky', 'skydns'] } });
    assert.ok(!planSteps(p).some((s) => s.kind === 'dns.update'));
    assert.ok(p.notes.some((n) => n.startsWith('no DNS add-on found')));
  });

  test('--scope master: the console gets the new api only; DNS keeps the etcd list it has', () => {
    const steps = planSteps(planOf(withConsole(), { scope: 'master' }));
    const update = steps.find((s) => s.kind === 'console.update');
    assert.ok(update?.kind === 'console.update' && update.params.apiserver === 'http://127.9.0.20:8080' && update.params.etcd === undefined);
    const dns = steps.find((s) => s.kind === 'dns.update');
    assert.ok(dns?.kind === 'dns.update');
    assert.deepEqual(dns.params.etcd, ['http://127.9.0.31:4012', 'http://127.9.0.32:4012', 'http://127.9.0.33:4012']);
  });

  test('--scope etcd: the console gets the new etcd only', () => {
    const update = planSteps(planOf(withConsole(), { scope: 'etcd' })).find((s) => s.kind === 'console.update');
    assert.ok(update?.kind === 'console.update' && update.params.apiserver === undefined && update.params.etcd?.length === 3);
  });
});
