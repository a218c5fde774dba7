/**
 * A member list that is behind ferry's own last change (issue: "a learner taken for a voter"). etcd 3.4 answers
 * MemberList from whichever member serves it, so right after an add a follower may answer without the new member,
 * and right after a removal with the removed one. Here the lag is made deterministic: the admin ferry uses answers
 * each member list asked right after its own change without that change, once. Every step must still decide from a
 * view that includes the change (src/steps/etcd/membership-view.ts) and complete: the new members configured,
 * started, promoted; the old ones removed.
 * Addresses: 127.50.1.x.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemberInfo } from '../../src/etcd/types.ts';
import type { EtcdAdmin } from '../../src/ports/etcd.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { applyInProcess, assertMigrated, planFor, processesOf, readEvents, withDeps } from '../helpers/migration.ts';

/** An admin whose next member list after each add, promote or remove answers as if that change had not happened yet. */
function lagging(admin: EtcdAdmin, log: string[]): EtcdAdmin {
  let pending: ((members: MemberInfo[]) => MemberInfo[]) | undefined;
  return {
    version: (endpoint) => admin.version(endpoint),
    status: (endpoint) => admin.status(endpoint),
    alarms: () => admin.alarms(),
    moveLeader: (targetId, leaderEndpoint) => admin.moveLeader(targetId, leaderEndpoint),
    linearizableRead: (endpoint) => admin.linearizableRead(endpoint),
    saveSnapshot: (endpoint, path) => admin.saveSnapshot(endpoint, path),
    saveV2Dump: (endpoint, path) => admin.saveV2Dump(endpoint, path),
    readAllKeys: (options) => admin.readAllKeys(options),
    readV2Store: (endpoint) => admin.readV2Store(endpoint),
    countKeys: () => admin.countKeys(),
    setEndpoints: (endpoints) => admin.setEndpoints(endpoints),
    close: () => admin.close(),
    async memberList(endpoint?: string): Promise<MemberInfo[]> {
      const members = await admin.memberList(endpoint);
      const hide = pending;
      if (hide === undefined) return members;
      pending = undefined;
      const stale = hide(members);
      log.push(`stale member list: ${stale.map((m) => `${m.name || m.id}${m.isLearner ? '(learner)' : ''}`).join(', ')}`);
      return stale;
    },
    async addLearner(peerURL: string): Promise<MemberInfo> {
      const added = await admin.addLearner(peerURL);
      pending = (members) => members.filter((m) => m.id !== added.id);
      return added;
    },
    async addVoter(peerURL: string): Promise<MemberInfo> {
      const added = await admin.addVoter(peerURL);
      pending = (members) => members.filter((m) => m.id !== added.id);
      return added;
    },
    async promote(id: string): Promise<void> {
      await admin.promote(id);
      pending = (members) => members.map((m) => (m.id === id ? { ...m, isLearner: true } : m));
    },
    async remove(id: string): Promise<void> {
      const before = await admin.memberList();
      const gone = before.find((m) => m.id === id);
      await admin.remove(id);
      pending = (members) => (gone === undefined || members.some((m) => m.id === id) ? members : [...members, gone]);
    },
  };
}

describe('membership reads that see ferry’s own writes', { timeout: 600_000 }, () => {
  let fixture: LabFixture;
  before(async () => {
    fixture = await startLabFixture('127.50.1', 3, 3);
  });
  after(async () => {
    await fixture.cleanup();
    assert.deepEqual(processesOf(fixture.dir), []);
  });

  test('a member list that answers once without the member just added (or with the one just removed) changes no decision', async (t) => {
    const log: string[] = [];
    const runId = await withDeps(fixture, async (deps) => {
      const plan = await planFor(fixture, deps);
      const r = await applyInProcess(fixture, { ...deps, etcd: lagging(deps.etcd, log) }, plan);
      assert.equal(r.outcome.runState, 'done', JSON.stringify(r.outcome));
      const events = readEvents(r.runDir);
      const skips = events.flatMap((e) => (e.type === 'action-skipped' ? [`${e.stepId} ${e.action}: ${e.reason}`] : []));
      assert.ok(!skips.some((s) => /already a voting member|already removed|not a member/.test(s)), `no change was skipped for a stale list:\n${skips.join('\n')}`);
      const view = foldJournal(events);
      for (const step of plan.phases.flatMap((p) => p.steps)) {
        if (step.kind !== 'etcd.replace') continue;
        for (const action of ['add-learner', 'write-config', 'start-service', 'promote', 'remove-member']) {
          assert.equal(view.steps.get(step.id)?.actions.find((a) => a.action === action)?.status, 'finished', `${step.id}: ${action} ran`);
        }
      }
      return r.runId;
    });
    t.diagnostic(`${log.length} stale member lists answered`);
    assert.ok(log.length >= 6, `the lag was met after every add, promote and remove (${log.length}):\n${log.join('\n')}`);
    await assertMigrated(fixture, runId);
  });
});
