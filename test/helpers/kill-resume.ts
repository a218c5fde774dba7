/**
 * The crash test of the etcd migration: the real CLI (`bin/ferry.js apply`) is SIGKILLed by FERRY_FAULT right
 * after one action of the first replacement step, the cluster is checked in the half-done state that action
 * leaves, and `ferry resume` (the real CLI again, in a new process) must finish the migration.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ExitCode } from '../../src/errors.ts';
import type { MemberInfo } from '../../src/etcd/types.ts';
import { LabHost } from '../../src/lab/host.ts';
import type { EtcdMember } from '../../src/inventory/types.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import { sameURL } from '../../src/plan/same-url.ts';
import type { JournalEvent } from '../../src/run/events.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { acquireRunLock } from '../../src/run/lock.ts';
import { resolveRunsDir } from '../../src/home.ts';
import { startLabFixture, type LabFixture } from './lab-fixture.ts';
import { actionEvents, assertMigrated, clientURLs, describeCliRun, openAdmin, planFor, processesOf, readEvents, runFerryCli, withDeps } from './migration.ts';

/** Actions after which the crash tests kill ferry (names as the journal writes them). */
export type KillPoint = 'add-learner' | 'start-service' | 'promote' | 'remove-member';

export interface KillResumeOptions {
  readonly prefix: string;
  readonly killAfter: KillPoint;
  /** Before resuming, hold the run's lock in this process and check that `ferry resume` is refused (RUN_LOCKED). */
  readonly checkLock?: boolean;
  /** The fixture's folder is pushed here as soon as it exists (for the file's final no-process check). */
  readonly fixtureDirs: string[];
}

interface Pair {
  readonly stepId: string;
  readonly old: EtcdMember;
  readonly new: EtcdMember;
}

function byPeer(members: readonly MemberInfo[], m: EtcdMember): MemberInfo | undefined {
  return members.find((x) => x.peerURLs.some((u) => sameURL(u, m.peerURL)));
}

/** The half-done cluster each kill point leaves behind. */
async function assertKilledState(fixture: LabFixture, pair: Pair, killAfter: KillPoint): Promise<void> {
  const admin = openAdmin([...clientURLs(fixture, 'old'), ...clientURLs(fixture, 'new')]);
  let members: MemberInfo[];
  try {
    members = await admin.memberList();
  } finally {
    await admin.close();
  }
  const oldLive = byPeer(members, pair.old);
  const newLive = byPeer(members, pair.new);
  const newUnit = await new LabHost(fixture.labDir, pair.new.host).serviceState(pair.new.service);
  const summary = JSON.stringify({ members, newUnit });
  switch (killAfter) {
    case 'add-learner':
      assert.equal(members.length, 4, summary);
      assert.ok(newLive?.isLearner === true && newLive.name === '', `${pair.new.name} is a learner that was never started: ${summary}`);
      assert.equal(newUnit, 'inactive');
      break;
    case 'start-service':
      assert.equal(members.length, 4, summary);
      assert.equal(newLive?.isLearner, true, `${pair.new.name} is still a learner: ${summary}`);
      assert.equal(newUnit, 'active');
      break;
    case 'promote':
      assert.equal(members.length, 4, summary);
      assert.ok(newLive !== undefined && !newLive.isLearner, `${pair.new.name} is a voter: ${summary}`);
      assert.ok(oldLive !== undefined, `${pair.old.name} is still a member: ${summary}`);
      break;
    case 'remove-member':
      assert.equal(members.length, 3, summary);
      assert.equal(oldLive, undefined, `${pair.old.name} is removed: ${summary}`);
      assert.ok(newLive !== undefined && !newLive.isLearner, `${pair.new.name} is a voter: ${summary}`);
      assert.equal(members.filter((m) => m.isLearner).length, 0, summary);
      break;
  }
}

/** What the resumed process must journal for the killed action of the killed step. */
const RESUMED_ACTION: Readonly<Record<KillPoint, readonly string[]>> = {
  // The learner is found by its peer URL and adopted, never added twice.
  'add-learner': ['action-skipped'],
  // Starting a running unit again is a no-op; the step goes on to catch-up and promote.
  'start-service': ['action-started', 'action-finished'],
  // Already a voter: the new half is not redone; the journal says so (skipped), and no second promote is started.
  promote: ['action-skipped'],
  // Already gone: "not a member" → skipped.
  'remove-member': ['action-skipped'],
};

function eventsAfterLastAttach(events: readonly JournalEvent[]): JournalEvent[] {
  let i = events.length - 1;
  while (i >= 0 && events[i]?.type !== 'process-attached') i--;
  return events.slice(i + 1);
}

export async function runKillThenResume(t: TestContext, o: KillResumeOptions): Promise<void> {
  const fixture = await startLabFixture(o.prefix, 3, 3);
  o.fixtureDirs.push(fixture.dir);
  try {
    const plan = await withDeps(fixture, (deps) => planFor(fixture, deps));
    const first = planSteps(plan).find((s) => s.kind === 'etcd.replace');
    assert.ok(first?.kind === 'etcd.replace');
    assert.equal(first.params.oldWasLeader, false, 'non-leaders go first');
    const pair: Pair = { stepId: first.id, old: first.params.old, new: first.params.new };

    const fault = `kill-after:${o.killAfter}@${pair.stepId}`;
    const killed = await runFerryCli(['apply', '-f', fixture.inventoryPath, '--yes'], { ...fixture.env, FERRY_FAULT: fault });
    assert.equal(killed.timedOut, false, `ferry apply with FERRY_FAULT=${fault} ran into the test's time limit`);
    assert.equal(killed.signal, 'SIGKILL', `ferry apply with FERRY_FAULT=${fault} dies by SIGKILL (code ${killed.code}):\n${killed.stderr}`);

    const runsDir = resolveRunsDir(fixture.env);
    const runIds = readdirSync(runsDir);
    assert.equal(runIds.length, 1);
    const runId = runIds[0] as string;
    const runDir = join(runsDir, runId);
    const before = readEvents(runDir);
    const last = before[before.length - 1];
    assert.ok(last?.type === 'action-finished' && last.stepId === pair.stepId && last.action === o.killAfter, `the journal ends with ${o.killAfter} finished: ${JSON.stringify(last)}`);
    const killedView = foldJournal(before);
    assert.equal(killedView.runState, 'interrupted');
    assert.equal(killedView.steps.get(pair.stepId)?.state, 'running');
    await assertKilledState(fixture, pair, o.killAfter);

    if (o.checkLock === true) {
      const lock = acquireRunLock(runDir, { command: 'test holds the lock' });
      try {
        const refused = await runFerryCli(['resume', '--yes'], fixture.env);
        assert.equal(refused.code, ExitCode.badInput, refused.stderr);
        assert.match(refused.stderr, /RUN_LOCKED/);
        assert.equal(readEvents(runDir).length, before.length, 'the refused resume wrote nothing');
      } finally {
        lock.release();
      }
    }

    const started = performance.now();
    const resumed = await runFerryCli(['resume', '--yes'], fixture.env);
    t.diagnostic(`resume after kill-after:${o.killAfter} took ${Math.round(performance.now() - started)} ms`);
    assert.equal(resumed.code, ExitCode.ok, `ferry resume exits 0: ${describeCliRun(resumed)}`);
    const events = readEvents(runDir);
    assert.equal(foldJournal(events).runState, 'done');
    const afterResume = eventsAfterLastAttach(events);
    assert.deepEqual(actionEvents(afterResume, pair.stepId, o.killAfter), RESUMED_ACTION[o.killAfter], `the resumed ${pair.stepId} handles ${o.killAfter}`);
    assert.ok(
      afterResume.some((e) => e.type === 'step-state' && e.stepId === pair.stepId && e.state === 'running' && e.reason === 'resumed'),
      `${pair.stepId} was re-entered as resumed`,
    );
    assert.equal(actionEvents(afterResume, pair.stepId, 'add-learner').filter((x) => x === 'action-started').length, 0, 'no second member add');
    await assertMigrated(fixture, runId);
  } finally {
    await fixture.cleanup();
  }
  assert.deepEqual(processesOf(fixture.dir), [], 'the lab left no process');
}
