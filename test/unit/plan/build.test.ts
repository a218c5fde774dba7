import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan } from '../../../src/plan/build.ts';
import { planSteps } from '../../../src/plan/plan-steps.ts';
import { computeObservedFingerprint } from '../../../src/plan/fingerprint.ts';
import { validateInventory } from '../../../src/inventory/validate.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { ObservedEtcd, ObservedMember } from '../../../src/observe/types.ts';
import { FerryError } from '../../../src/errors.ts';

function inventory(oldN: number, newN: number): Inventory {
  const r = validateInventory({
    apiVersion: 'ferry/v1',
    name: 't',
    access: { mode: 'lab' },
    etcd: {
      old: Array.from({ length: oldN }, (_, i) => ({ name: `old${i}`, host: `127.9.0.${31 + i}` })),
      new: Array.from({ length: newN }, (_, i) => ({ name: `new${i}`, host: `127.9.0.${21 + i}` })),
    },
  });
  assert.ok(r.inventory, JSON.stringify(r.problems));
  return r.inventory;
}

const member = (name: string, host: string, id: string, isLearner = false): ObservedMember => ({
  id,
  name,
  peerURLs: [`http://${host}:4010`],
  clientURLs: name === '' ? [] : [`http://${host}:4012`],
  isLearner,
});

function oldCluster(n: number, leaderIndex: number): ObservedEtcd {
  const members = Array.from({ length: n }, (_, i) => member(`old${i}`, `127.9.0.${31 + i}`, String(1000 + i)));
  return { members, leaderId: String(1000 + leaderIndex), version: '3.4.23' };
}

function plan(inv: Inventory, etcd: ObservedEtcd) {
  return buildPlan({ inventory: inv, inventoryPath: 'inv.yaml', inventorySha256: 'x', observed: { etcd } });
}

describe('buildPlan', () => {
  for (const leader of [0, 1, 2]) {
    test(`3 → 3 with the leader at old${leader}: snapshot first, non-leaders next, the leader last in phase 7`, () => {
      const p = plan(inventory(3, 3), oldCluster(3, leader));
      const steps = planSteps(p);
      assert.deepEqual(
        steps.map((s) => s.kind),
        ['etcd.snapshot', 'etcd.replace', 'etcd.replace', 'etcd.replace'],
      );
      const last = steps[3];
      assert.ok(last && last.kind === 'etcd.replace');
      assert.equal(last.params.old.name, `old${leader}`);
      assert.equal(last.params.oldWasLeader, true);
      assert.equal(last.phase, 7);
      assert.deepEqual(p.phases.map((ph) => ph.id), [2, 7]);
      for (const s of steps.slice(1, 3)) assert.ok(s.kind === 'etcd.replace' && !s.params.oldWasLeader && s.phase === 2);
      // every new member used exactly once
      assert.deepEqual(steps.slice(1).map((s) => (s.kind === 'etcd.replace' ? s.params.new.name : '')).sort(), ['new0', 'new1', 'new2']);
    });
  }

  test('1 → 3: the extra new members are added before the old one is replaced', () => {
    const steps = planSteps(plan(inventory(1, 3), oldCluster(1, 0)));
    assert.deepEqual(steps.map((s) => s.kind), ['etcd.snapshot', 'etcd.add', 'etcd.add', 'etcd.replace']);
    assert.equal(steps[3]?.phase, 7);
  });

  test('3 → 5: growth first', () => {
    const steps = planSteps(plan(inventory(3, 5), oldCluster(3, 1)));
    assert.deepEqual(steps.map((s) => s.kind), ['etcd.snapshot', 'etcd.add', 'etcd.add', 'etcd.replace', 'etcd.replace', 'etcd.replace']);
  });

  test('5 → 3: replacements first, extra removals after, the leader last', () => {
    const steps = planSteps(plan(inventory(5, 3), oldCluster(5, 0)));
    assert.deepEqual(steps.map((s) => s.kind), ['etcd.snapshot', 'etcd.replace', 'etcd.replace', 'etcd.replace', 'etcd.remove', 'etcd.remove']);
    const last = steps[5];
    assert.ok(last && last.kind === 'etcd.remove' && last.params.old.name === 'old0' && last.params.oldWasLeader);
    assert.ok(steps.slice(1, 5).every((s) => s.phase === 2));
  });

  test('a half-migrated cluster plans only what is left, adopting a learner', () => {
    const etcd: ObservedEtcd = {
      members: [member('new0', '127.9.0.21', '2000'), member('', '127.9.0.22', '2001', true), member('old1', '127.9.0.32', '1001'), member('old2', '127.9.0.33', '1002')],
      leaderId: '1002',
      version: '3.4.23',
    };
    const p = plan(inventory(3, 3), etcd);
    const steps = planSteps(p);
    assert.deepEqual(steps.map((s) => s.id), ['etcd.snapshot', 'etcd.replace.old1', 'etcd.replace.old2']);
    const first = steps[1];
    assert.ok(first?.kind === 'etcd.replace' && first.params.new.name === 'new1');
    assert.ok(p.notes.some((n) => /old0.*not in the cluster/.test(n)));
    assert.ok(p.notes.some((n) => /new0.*already a voting member/.test(n)));
    assert.ok(p.notes.some((n) => /new1.*learner/.test(n)));
  });

  test('an old member that is only a learner is removed first', () => {
    const etcd: ObservedEtcd = {
      members: [member('old0', '127.9.0.31', '1000', true), member('new0', '127.9.0.21', '2000'), member('new1', '127.9.0.22', '2001'), member('new2', '127.9.0.23', '2002')],
      leaderId: '2000',
      version: '3.4.23',
    };
    const steps = planSteps(plan(inventory(3, 3), etcd));
    assert.deepEqual(steps.map((s) => s.id), ['etcd.snapshot', 'etcd.remove.old0']);
  });

  test('nothing to do when etcd already runs on exactly the new members', () => {
    const etcd: ObservedEtcd = {
      members: [member('new0', '127.9.0.21', '2000'), member('new1', '127.9.0.22', '2001'), member('new2', '127.9.0.23', '2002')],
      leaderId: '2001',
      version: '3.4.23',
    };
    const p = plan(inventory(3, 3), etcd);
    assert.equal(planSteps(p).length, 0);
    assert.ok(p.notes.some((n) => /nothing to do/.test(n)));
  });

  test('a member the inventory does not name is refused (exit 2)', () => {
    const etcd = oldCluster(3, 0);
    const stranger: ObservedEtcd = { ...etcd, members: [...etcd.members, member('x', '127.9.0.99', '9')] };
    assert.throws(() => plan(inventory(3, 3), stranger), (e: unknown) => e instanceof FerryError && e.code === 'PLAN_UNKNOWN_MEMBER' && e.exitCode === 2);
  });

  test('pure and deterministic: the same input gives the same plan and fingerprint', () => {
    const a = plan(inventory(3, 3), oldCluster(3, 1));
    const b = plan(inventory(3, 3), oldCluster(3, 1));
    assert.deepEqual(a, b);
    assert.equal(a.observedFingerprint, computeObservedFingerprint(oldCluster(3, 1)));
    assert.notEqual(a.observedFingerprint, computeObservedFingerprint(oldCluster(3, 2)));
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a, 'serialisable');
  });

  test('every step says what it does, checks and undoes', () => {
    for (const s of planSteps(plan(inventory(3, 3), oldCluster(3, 0)))) {
      assert.ok(s.does.length > 0 && s.checks.length > 0 && s.undoes.length > 0, s.id);
    }
  });
});

describe('buildPlan: how new members join, from the versions read', () => {
  const readings = (server: string) =>
    ['old0', 'old1', 'old2'].map((m, i) => ({ member: m, clientURL: `http://127.9.0.${31 + i}:4012`, version: { server, cluster: `${server.slice(0, 3)}.0` } }));
  const withVersions = (inv: Inventory, server: string) =>
    buildPlan({ inventory: inv, inventoryPath: 'inv.yaml', inventorySha256: 'x', observed: { etcd: { ...oldCluster(3, 0), versions: readings(server) } } });

  test('etcd 3.4: learners (no join param), and the steps say LEARNER', () => {
    const steps = planSteps(withVersions(inventory(3, 3), '3.4.23'));
    for (const s of steps.filter((x) => x.kind === 'etcd.replace')) {
      assert.ok(s.kind === 'etcd.replace' && s.params.join === undefined);
      assert.match(s.does.join('\n'), /as a LEARNER/);
    }
  });

  test('etcd 3.3 without consent: refused, no plan', () => {
    assert.throws(() => withVersions(inventory(3, 3), '3.3.25'), (e: unknown) => e instanceof FerryError && e.code === 'ETCD_VOTER_ADD_NOT_ALLOWED');
  });

  test('etcd 3.3 with etcd.allowVoterAdd: every add joins as a voter, config written first, and the plan says the window', () => {
    const inv = { ...inventory(3, 3) };
    const p = withVersions({ ...inv, etcd: { ...inv.etcd, allowVoterAdd: true } }, '3.3.25');
    const replaces = planSteps(p).filter((s) => s.kind === 'etcd.replace');
    assert.equal(replaces.length, 3);
    for (const s of replaces) {
      assert.ok(s.kind === 'etcd.replace' && s.params.join === 'voter');
      assert.match(s.does[0] ?? '', /^write .* first/);
      assert.match(s.does[1] ?? '', /as a VOTER/);
      assert.doesNotMatch(s.does.join('\n'), /promote/);
    }
    assert.ok(p.notes.some((n) => /joins as a VOTER/.test(n)), p.notes.join('\n'));
  });
});

test('a one-member etcd 3.3 cluster is not planned: its voter add would stop writes until the new member starts', () => {
  const inv = inventory(1, 3);
  const oneMember: ObservedEtcd = { members: [member('old0', '127.9.0.31', '1000')], leaderId: '1000', version: '3.3.25', versions: [{ member: 'old0', clientURL: 'http://127.9.0.31:4012', version: { server: '3.3.25', cluster: '3.3.0' } }] };
  assert.throws(
    () => buildPlan({ inventory: { ...inv, etcd: { ...inv.etcd, allowVoterAdd: true } }, inventoryPath: 'inv.yaml', inventorySha256: 'x', observed: { etcd: oneMember } }),
    (e: unknown) => e instanceof FerryError && e.code === 'ETCD_VOTER_ADD_UNSAFE',
  );
});
