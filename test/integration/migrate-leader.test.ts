/**
 * 3 old → 3 new etcd members with the leader at each position of `etcd.old`, run in-process on a real lab.
 * This file owns 127.21.1.*, 127.21.2.* and 127.21.3.* (one lab each; client port 4012, peer 4010).
 *
 * Each test: leadership is moved to old[k] first; the plan must put old[k]'s replacement last (phase 7) and the
 * others first; the run ends done with exactly the new members, a new leader, the data intact, and leadership
 * handed over by exactly one move-leader (no election: the raft term rises at most once per transfer).
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { actionEvents, applyInProcess, assertMigrated, clientURLs, moveLeaderTo, planFor, processesOf, readEvents, readMaxTerm, withDeps } from '../helpers/migration.ts';

const fixtureDirs: string[] = [];

after(() => {
  for (const dir of fixtureDirs) assert.deepEqual(processesOf(dir), [], `no process of ${dir} is left`);
});

async function migrateWithLeaderAt(t: TestContext, prefix: string, leaderIndex: number): Promise<void> {
  const fixture: LabFixture = await startLabFixture(prefix, 3, 3);
  fixtureDirs.push(fixture.dir);
  try {
    const inv = fixture.inventory;
    const leaderSpec = inv.etcd.old[leaderIndex];
    assert.ok(leaderSpec);
    const leaderId = await moveLeaderTo(clientURLs(fixture, 'old'), leaderSpec.peerURL);
    const termBefore = await readMaxTerm(clientURLs(fixture, 'old'));

    await withDeps(fixture, async (deps) => {
      const plan = await planFor(fixture, deps);
      assert.equal(plan.observed.etcd.leaderId, leaderId, 'the plan saw the leader we chose');
      const steps = planSteps(plan);
      const replaceIds = steps.filter((s) => s.kind === 'etcd.replace').map((s) => s.id);
      const others = inv.etcd.old.filter((_, i) => i !== leaderIndex).map((o) => `etcd.replace.${o.name}`);
      assert.deepEqual(steps.map((s) => s.id), ['etcd.snapshot', ...others, `etcd.replace.${leaderSpec.name}`], 'snapshot, non-leaders in order, leader last');
      assert.deepEqual(steps.map((s) => s.phase), [2, 2, 2, 7], 'the leader’s replacement is in phase 7, the rest in phase 2');
      assert.deepEqual(plan.phases.map((p) => p.id), [2, 7]);
      for (const s of steps) {
        if (s.kind === 'etcd.replace') assert.equal(s.params.oldWasLeader, s.params.old.name === leaderSpec.name, s.id);
      }

      const started = performance.now();
      const { runId, runDir, outcome } = await applyInProcess(fixture, deps, plan);
      t.diagnostic(`migration took ${Math.round(performance.now() - started)} ms`);
      assert.equal(outcome.runState, 'done', JSON.stringify(outcome.error));
      assert.equal(outcome.exitCode, ExitCode.ok);

      const events = readEvents(runDir);
      const leaderStep = `etcd.replace.${leaderSpec.name}`;
      assert.deepEqual(actionEvents(events, leaderStep, 'move-leader'), ['action-started', 'action-finished'], 'one move-leader, for the leader’s step');
      for (const id of replaceIds.filter((x) => x !== leaderStep)) {
        assert.deepEqual(actionEvents(events, id, 'move-leader'), ['action-skipped'], `${id} moves no leadership`);
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

describe('3 → 3 with the leader in each position', () => {
  test('leader at old[0]: replaced last', { timeout: 300_000 }, (t) => migrateWithLeaderAt(t, '127.21.1', 0));
  test('leader at old[1]: replaced last', { timeout: 300_000 }, (t) => migrateWithLeaderAt(t, '127.21.2', 1));
  test('leader at old[2]: replaced last', { timeout: 300_000 }, (t) => migrateWithLeaderAt(t, '127.21.3', 2));
});
