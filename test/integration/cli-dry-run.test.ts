/**
 * The command-line conventions against a live lab, through the real CLI: `apply --dry-run` prints the plan and
 * starts no run; `apply -o json` puts only the run's outcome on stdout (the live view on stderr); `rollback
 * --dry-run` prints the walk-back plan and touches neither the run nor the cluster; `lab down --dry-run` lists the
 * lab's processes and stops none. Own addresses: 127.39.1.x.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { clientURLs, openAdmin, processesOf, runFerryCli } from '../helpers/migration.ts';
import { readSupervisorPids } from '../../src/lab/setup/state.ts';
import { readProcessState } from '../../src/lab/supervisor/processes.ts';

const fixtures: LabFixture[] = [];
after(async () => {
  for (const f of fixtures) await f.cleanup();
  for (const f of fixtures) assert.deepEqual(processesOf(f.dir), [], `no process left in ${f.dir}`);
});

async function memberNames(urls: readonly string[]): Promise<string[]> {
  const admin = openAdmin(urls);
  try {
    return (await admin.memberList()).map((m) => m.name).sort();
  } finally {
    await admin.close();
  }
}

const runsOf = (f: LabFixture) => (existsSync(join(f.home, 'runs')) ? readdirSync(join(f.home, 'runs')).sort() : []);

describe('--dry-run and -o against a live lab', () => {
  test('apply --dry-run, apply -o json, rollback --dry-run, lab down --dry-run', { timeout: 300_000 }, async () => {
    const f = await startLabFixture('127.39.1', 1, 1);
    fixtures.push(f);
    const all = [...clientURLs(f, 'old'), ...clientURLs(f, 'new')];

    // apply --dry-run: the plan, exit 0, no run folder, the cluster untouched.
    const dry = await runFerryCli(['apply', '-f', f.inventoryPath, '--dry-run'], f.env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Plan for it/);
    assert.match(dry.stdout, /\[etcd\.replace\.old0\]/);
    assert.match(dry.stdout, /Dry run: nothing was changed\./);
    assert.deepEqual(runsOf(f), []);
    assert.deepEqual(await memberNames(all), ['old0']);

    const dryJson = await runFerryCli(['apply', '-f', f.inventoryPath, '--dry-run', '-o', 'json'], f.env);
    assert.equal(dryJson.code, 0, dryJson.stderr);
    const plan = JSON.parse(dryJson.stdout) as { kind: string; phases: { steps: { id: string }[] }[] };
    assert.equal(plan.kind, 'ferry-plan');
    assert.ok(plan.phases.flatMap((p) => p.steps.map((s) => s.id)).includes('etcd.replace.old0'));

    // apply -o json: stdout is exactly the outcome; the live view went to stderr.
    const applied = await runFerryCli(['apply', '-f', f.inventoryPath, '--yes', '-o', 'json'], f.env);
    assert.equal(applied.code, 0, applied.stderr);
    const outcome = JSON.parse(applied.stdout) as { runId: string; runDir: string; state: string; exitCode: number };
    assert.equal(outcome.state, 'done');
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(runsOf(f), [outcome.runId]);
    assert.match(applied.stderr, /✔ done/);
    assert.deepEqual(await memberNames(all), ['new0']);

    // rollback --dry-run: the walk-back plan; no new run, the run's journal unchanged, the cluster untouched.
    const journal = join(outcome.runDir, 'journal.jsonl');
    const journalBefore = readFileSync(journal, 'utf8');
    const back = await runFerryCli(['rollback', '--dry-run'], f.env);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, new RegExp(`Dry run: walking back run ${outcome.runId} \\(done\\) would move etcd back to the old members`));
    assert.match(back.stdout, /\[etcd\.replace\.new0\]/);
    assert.match(back.stdout, /Nothing was changed/);
    const backJson = await runFerryCli(['rollback', '--dry-run', '-o', 'yaml'], f.env);
    assert.equal(backJson.code, 0, backJson.stderr);
    assert.match(backJson.stdout, /^kind: ferry-plan$/m);
    assert.deepEqual(runsOf(f), [outcome.runId]);
    assert.equal(readFileSync(journal, 'utf8'), journalBefore);
    assert.deepEqual(await memberNames(all), ['new0']);

    // lab down --dry-run: lists the supervisor and the etcd units, stops nothing.
    const pids = await readSupervisorPids(f.labDir);
    assert.ok(pids !== undefined);
    const down = await runFerryCli(['lab', 'down', '--lab-dir', f.labDir, '--dry-run'], f.env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`stop the lab supervisor \\(pid ${pids.supervisorPid}\\)`));
    assert.match(down.stdout, /127\.39\.1\.21\/etcd +pid \d+/);
    assert.equal(readProcessState(pids.supervisorPid), 'running');
    assert.deepEqual(await memberNames(all), ['new0']);
  });
});
