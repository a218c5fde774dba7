/**
 * Migrations that change the cluster's size, run in-process on a real lab: 1 → 3 (growth: the extra members are
 * added first), 3 → 5, and 5 → 3 (the extra old members are removed after the replacements, the leader last).
 * This file owns 127.21.4.*, 127.21.5.* and 127.21.6.* (one lab each; client port 4012, peer 4010).
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import { startLabFixture } from '../helpers/lab-fixture.ts';
import { actionEvents, applyInProcess, assertMigrated, clientURLs, moveLeaderTo, planFor, processesOf, readEvents, readMaxTerm, withDeps } from '../helpers/migration.ts';

const fixtureDirs: string[] = [];

after(() => {
  for (const dir of fixtureDirs) assert.deepEqual(processesOf(dir), [], `no process of ${dir} is left`);
});

interface Expected {
  /** Step ids in execution order, with their phase and, for adds and replacements, the new member they bring. */
  readonly steps: readonly (readonly [id: string, phase: number, newName?: string])[];
  /** The step that hands leadership over (the leader's own). */
  readonly leaderStep: string;
}

async function migrate(t: TestContext, prefix: string, oldCount: number, newCount: number, leaderIndex: number, expected: Expected): Promise<void> {
  const fixture = await startLabFixture(prefix, oldCount, newCount);
  fixtureDirs.push(fixture.dir);
  try {
    const leader = fixture.inventory.etcd.old[leaderIndex];
    assert.ok(leader);
    if (oldCount > 1) await moveLeaderTo(clientURLs(fixture, 'old'), leader.peerURL);
    const termBefore = await readMaxTerm(clientURLs(fixture, 'old'));

    await withDeps(fixture, async (deps) => {
      const plan = await planFor(fixture, deps);
      assert.equal(plan.targetVoters, newCount);
      const steps = planSteps(plan);
      assert.deepEqual(
        steps.map((s) => (s.kind === 'etcd.add' || s.kind === 'etcd.replace' ? [s.id, s.phase, s.params.new.name] : [s.id, s.phase])),
        expected.steps,
      );

      const started = performance.now();
      const { runId, runDir, outcome } = await applyInProcess(fixture, deps, plan);
      t.diagnostic(`migration ${oldCount} → ${newCount} took ${Math.round(performance.now() - started)} ms`);
      assert.equal(outcome.runState, 'done', JSON.stringify(outcome.error));
      assert.equal(outcome.exitCode, ExitCode.ok);

      const events = readEvents(runDir);
      for (const s of steps.filter((x) => x.kind === 'etcd.replace' || x.kind === 'etcd.remove')) {
        const want = s.id === expected.leaderStep ? ['action-started', 'action-finished'] : ['action-skipped'];
        assert.deepEqual(actionEvents(events, s.id, 'move-leader'), want, `${s.id}: move-leader`);
      }
      const moves = events.filter((e) => e.type === 'action-finished' && e.action === 'move-leader').length;
      assert.equal(moves, 1);
      const termAfter = await readMaxTerm(clientURLs(fixture, 'new'));
      t.diagnostic(`raft term ${termBefore} → ${termAfter}`);
      assert.ok(termAfter - termBefore <= BigInt(moves), `no election: the raft term went ${termBefore} → ${termAfter} with ${moves} leadership transfer(s)`);

      await assertMigrated(fixture, runId);
    });
  } finally {
    await fixture.cleanup();
  }
  assert.deepEqual(processesOf(fixture.dir), [], 'the lab left no process');
}

describe('migrations that change the cluster size', () => {
  test('1 → 3: the two extra new members are added first, the old one replaced last', { timeout: 300_000 }, (t) =>
    migrate(t, '127.21.4', 1, 3, 0, {
      steps: [
        ['etcd.snapshot', 2],
        ['etcd.add.new1', 2, 'new1'],
        ['etcd.add.new2', 2, 'new2'],
        ['etcd.replace.old0', 7, 'new0'],
      ],
      leaderStep: 'etcd.replace.old0',
    }));

  test('3 → 5 (leader at old[1]): extra adds first, non-leaders replaced next, the leader last', { timeout: 300_000 }, (t) =>
    migrate(t, '127.21.5', 3, 5, 1, {
      steps: [
        ['etcd.snapshot', 2],
        ['etcd.add.new3', 2, 'new3'],
        ['etcd.add.new4', 2, 'new4'],
        ['etcd.replace.old0', 2, 'new0'],
        ['etcd.replace.old2', 2, 'new1'],
        ['etcd.replace.old1', 7, 'new2'],
      ],
      leaderStep: 'etcd.replace.old1',
    }));

  test('5 → 3 (leader at old[0]): three replacements, then the extra old members removed, the leader last', { timeout: 300_000 }, (t) =>
    migrate(t, '127.21.6', 5, 3, 0, {
      steps: [
        ['etcd.snapshot', 2],
        ['etcd.replace.old1', 2, 'new0'],
        ['etcd.replace.old2', 2, 'new1'],
        ['etcd.replace.old3', 2, 'new2'],
        ['etcd.remove.old4', 2],
        ['etcd.remove.old0', 7],
      ],
      leaderStep: 'etcd.remove.old0',
    }));
});
