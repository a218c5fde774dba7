/**
 * `ferry rollback`: a finished etcd migration walked back through the real CLI — etcd ends on the OLD members again
 * (fresh data dirs, new member IDs), every seeded key still there, and the original run marked walked-back so that
 * it cannot be resumed. Own addresses: 127.30.1.x.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { clientURLs, openAdmin, processesOf, runFerryCli } from '../helpers/migration.ts';
import { readLabSeedCheck } from '../../src/lab/setup/etcd-seed.ts';

const fixtures: LabFixture[] = [];
after(async () => {
  for (const f of fixtures) await f.cleanup();
  for (const f of fixtures) assert.deepEqual(processesOf(f.dir), [], `no process left in ${f.dir}`);
});

describe('ferry rollback', () => {
  test('walks a finished etcd migration back to the old members', { timeout: 300_000 }, async () => {
    const f = await startLabFixture('127.30.1', 3, 3);
    fixtures.push(f);
    const applied = await runFerryCli(['apply', '-f', f.inventoryPath, '--yes'], f.env);
    assert.equal(applied.code, 0, applied.stderr);
    const back = await runFerryCli(['rollback', '--yes'], f.env);
    assert.equal(back.code, 0, back.stderr + back.stdout);
    assert.match(back.stdout, /Walking back run/);

    const admin = openAdmin(clientURLs(f, 'old'));
    try {
      const members = await admin.memberList();
      assert.deepEqual(members.map((m) => m.name).sort(), ['old0', 'old1', 'old2']);
      assert.ok(members.every((m) => !m.isLearner));
    } finally {
      await admin.close();
    }
    const check = await readLabSeedCheck(clientURLs(f, 'old'));
    assert.ok(check.ok, JSON.stringify(check));

    // The original run is walked back: walking it back again (or the walk-back itself) is refused.
    const status = await runFerryCli(['status', '--all', '-o', 'json'], f.env);
    const runs = JSON.parse(status.stdout) as { runId: string; state: string }[];
    assert.ok(runs.some((r) => r.state === 'walked-back'), status.stdout);
    const again = await runFerryCli(['rollback', '--yes'], f.env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /RUN_WALKED_BACK|ROLLBACK_OF_ROLLBACK/);
    // Resuming the newest run changes nothing: the walk-back is done (exit 0), the original is walked back (exit 2).
    const resumed = await runFerryCli(['resume', '--yes'], f.env);
    assert.ok(
      (resumed.code === 0 && /already done/.test(resumed.stderr)) || (resumed.code === 2 && /RUN_WALKED_BACK/.test(resumed.stderr)),
      `${resumed.code} ${resumed.stderr}`,
    );
  });
});
