/**
 * etcd 3.3 — Debian bullseye's 3.3.25, which the lab fetches once into ferry's cache (src/lab/setup/etcd-release.ts)
 * — moved by the real CLI: no learners there, so new members join as voters, and only with the operator's consent.
 *   1. Without consent `ferry plan` is refused (exit 2, ETCD_VOTER_ADD_NOT_ALLOWED) and nothing changes.
 *   2. `ferry apply --allow-voter-add`, SIGKILLed right after its first voter add (the new voter added, not started:
 *      the cluster counts a voter that does not answer), then `ferry resume` under a write load: every member moved,
 *      every seeded key and every acknowledged write on the new members, the window measured in the journal.
 *   3. `ferry rollback` walks it back the same way (voter adds of the old members).
 * Addresses: 127.50.5.x.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../src/errors.ts';
import { resolveRunsDir } from '../../src/home.ts';
import { readLabSeedCheck } from '../../src/lab/face.ts';
import { readEtcdState } from '../../src/observe/etcd.ts';
import { loadRun } from '../../src/app/session.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { verifyAcknowledged } from '../../src/write-load/verify-keys.ts';
import { startWriterThread } from '../../src/write-load/writer-thread.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { assertMigrated, clientURLs, openAdmin, processesOf, readEvents, runFerryCli } from '../helpers/migration.ts';

const KEY_ROOT = 'ferry-it33';

describe('etcd 3.3 (no learners): voter adds with consent', { timeout: 420_000 }, () => {
  let fixture: LabFixture | undefined;
  before(async () => {
    fixture = await startLabFixture('127.50.5', 3, 3, {}, { etcd: '3.3' });
  });
  after(async () => {
    const dir = fixture?.dir;
    await fixture?.cleanup();
    if (dir !== undefined) assert.deepEqual(processesOf(dir), [], 'no process of the lab is left');
  });

  const fx = (): LabFixture => {
    assert.ok(fixture !== undefined, 'the lab is up');
    return fixture;
  };
  const members = async (urls: readonly string[]) => {
    const admin = openAdmin(urls);
    try {
      return await readEtcdState(admin);
    } finally {
      await admin.close();
    }
  };

  test('the lab runs etcd 3.3.25, and without consent ferry plans nothing and changes nothing', async () => {
    const f = fx();
    const before = await members(clientURLs(f, 'old'));
    assert.deepEqual([...before.statuses.values()].map((s) => s.version), ['3.3.25', '3.3.25', '3.3.25']);
    const r = await runFerryCli(['plan', '-f', f.inventoryPath], f.env);
    assert.equal(r.code, ExitCode.badInput, r.stderr);
    assert.match(r.stderr, /ETCD_VOTER_ADD_NOT_ALLOWED/);
    assert.match(r.stderr, /--allow-voter-add/);
    const apply = await runFerryCli(['apply', '-f', f.inventoryPath, '--yes'], f.env);
    assert.equal(apply.code, ExitCode.badInput, apply.stderr);
    const now = await members(clientURLs(f, 'old'));
    assert.deepEqual(now.members.map((m) => m.id).sort(), before.members.map((m) => m.id).sort(), 'the member list is as it was');
    assert.equal(existsSync(resolveRunsDir(f.env)), false, 'no run was started');
  });

  test('apply --allow-voter-add, killed after its first voter add, finishes on resume without losing a write', async () => {
    const f = fx();
    const killed = await runFerryCli(['apply', '-f', f.inventoryPath, '--yes', '--allow-voter-add'], { ...f.env, FERRY_FAULT: 'kill-after:add-voter' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const half = await members(clientURLs(f, 'old'));
    const unstarted = half.members.filter((m) => m.name === '' && m.clientURLs.length === 0);
    assert.equal(half.members.length, 4, JSON.stringify(half.members));
    assert.equal(unstarted.length, 1, 'one new member added and not started');
    assert.equal(unstarted[0]?.isLearner, false, 'it is a voter: etcd 3.3 has no learners');

    const endpoints = [...clientURLs(f, 'old'), ...clientURLs(f, 'new')];
    const tag = `t${Date.now()}`;
    const writer = await startWriterThread({ endpoints, tag, keyRoot: KEY_ROOT, intervalMs: 20 });
    const resumed = await runFerryCli(['resume', '--yes'], f.env).finally(() => undefined);
    const writes = await writer.stop();
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
    const run = loadRun(undefined, f.env);
    assert.equal(foldJournal(readEvents(run.runDir)).runState, 'done');
    await assertMigrated(f, run.runId);

    const acked = writes.records.filter((w) => w.ackAt !== undefined).length;
    assert.ok(acked > 0, 'the writer got writes acknowledged');
    const loss = await verifyAcknowledged(writes.records, clientURLs(f, 'new'), `${KEY_ROOT}/${tag}/`);
    assert.deepEqual(loss.map((l) => l.lost), [0, 0, 0], JSON.stringify(loss));

    const notes = readEvents(run.runDir).flatMap((e) => (e.type === 'note' ? [e.message] : []));
    const windows = notes.filter((n) => n.startsWith('voter-add window of '));
    assert.equal(windows.length, 2, `the two adds made by the resumed run measured their window: ${windows.join(' | ')}`);
    assert.ok(notes.some((n) => /quorum guard \(add new\d as a voter\): allowed — allowed by the operator/.test(n)), 'the guard says why the voter add was allowed');
    const actions = readEvents(run.runDir).flatMap((e) => ('action' in e && e.type === 'action-started' ? [e.action] : []));
    assert.equal(actions.includes('add-learner'), false, 'no learner add was sent to etcd 3.3');
    assert.equal(actions.includes('promote'), false, 'nothing to promote');
  });

  test('rollback walks the run back to the old members, again by voter adds', async () => {
    const f = fx();
    const r = await runFerryCli(['rollback', '--yes'], f.env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const back = await members(clientURLs(f, 'old'));
    assert.deepEqual(back.members.map((m) => m.name).sort(), f.inventory.etcd.old.map((m) => m.name).sort());
    assert.ok(back.members.every((m) => !m.isLearner));
    assert.deepEqual(await readLabSeedCheck(clientURLs(f, 'old')), { ok: true, missing: [], wrong: [] });
    assert.ok(existsSync(join(resolveRunsDir(f.env))), 'the runs are kept');
  });
});
