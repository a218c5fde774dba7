import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, FerryError } from '../../../src/errors.ts';
import { findLatestRun, listRuns, newRunId, readRunPlan, runDirPath } from '../../../src/run/run-dir.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-run-dir-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('run ids and folders', () => {
  test('newRunId is YYYYMMDD-HHMMSS-xxxx in UTC and sorts by time', () => {
    assert.equal(newRunId(new Date('2024-01-31T04:05:06.789Z'), () => 'a3f9'), '20240131-040506-a3f9');
    assert.match(newRunId(new Date()), /^\d{8}-\d{6}-[0-9a-f]{4}$/);
    const early = newRunId(new Date('2024-01-31T23:59:59Z'), () => 'ffff');
    const late = newRunId(new Date('2024-02-01T00:00:00Z'), () => '0000');
    assert.ok(early < late);
  });

  test('runDirPath joins a safe id and refuses path tricks', () => {
    assert.equal(runDirPath('/h/runs', '20240131-040506-a3f9'), path.join('/h/runs', '20240131-040506-a3f9'));
    for (const bad of ['../etc', '.', '..', 'a/b', '', '.hidden']) {
      assert.throws(() => runDirPath('/h/runs', bad), (e) => e instanceof FerryError && e.code === 'RUN_ID_INVALID' && e.exitCode === ExitCode.badInput);
    }
  });

  test('listRuns: most recently active first (the journal counts), missing folder is empty', () => {
    const runs = path.join(root, 'runs');
    assert.deepEqual(listRuns(runs), []);
    assert.equal(findLatestRun(runs), undefined);
    const mk = (id: string, mtimeSec: number): string => {
      const dir = path.join(runs, id);
      fs.mkdirSync(dir, { recursive: true });
      fs.utimesSync(dir, mtimeSec, mtimeSec);
      return dir;
    };
    mk('20240101-000000-aaaa', 1000);
    const b = mk('20240102-000000-bbbb', 2000);
    mk('20240103-000000-cccc', 3000);
    fs.writeFileSync(path.join(runs, 'stray-file'), '');
    // b's journal was appended to most recently
    const journal = path.join(b, 'journal.jsonl');
    fs.writeFileSync(journal, '');
    fs.utimesSync(journal, 5000, 5000);
    fs.utimesSync(b, 2000, 2000);
    const list = listRuns(runs);
    assert.deepEqual(list.map((r) => r.runId), ['20240102-000000-bbbb', '20240103-000000-cccc', '20240101-000000-aaaa']);
    assert.equal(list[0]?.mtimeMs, 5_000_000);
    assert.equal(list[0]?.dir, b);
    assert.equal(findLatestRun(runs)?.runId, '20240102-000000-bbbb');
  });

  test('readRunPlan: JSON when present, RUN_NOT_FOUND (exit 2) when missing, RUN_PLAN_UNREADABLE when not JSON', () => {
    const dir = path.join(root, 'plan-run');
    assert.throws(() => readRunPlan(dir), (e) => e instanceof FerryError && e.code === 'RUN_NOT_FOUND' && e.exitCode === ExitCode.badInput && (e.hint ?? '') !== '');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'plan.json'), '{"version":1,"steps":[]}');
    assert.deepEqual(readRunPlan(dir), { version: 1, steps: [] });
    fs.writeFileSync(path.join(dir, 'plan.json'), '{"version":');
    assert.throws(() => readRunPlan(dir), (e) => e instanceof FerryError && e.code === 'RUN_PLAN_UNREADABLE');
  });
});
