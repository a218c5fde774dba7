/**
 * Issue 6 §2, run-level faults, on etcd labs driven through the real CLI:
 *  - SIGINT while a step is in flight: a clean stop (exit 130, the journal ends `interrupted`, no action left
 *    half-journaled, a message saying how to resume); a second SIGINT quits at once (exit 130, like a kill: the
 *    journal has no closing event and the action in flight is adopted by the resume); `ferry resume` finishes.
 *  - the journal's disk full: FERRY_HOME on a small tmpfs filled mid-run → JOURNAL_DISK_FULL (exit 130), no
 *    rollback attempted, the recordings (latency.jsonl, commands.jsonl, report) neither crash the run nor hide the
 *    error; once space is freed, `ferry resume` finishes.
 * An independent check decides each end state: etcd's member list and every seeded key (assertMigrated).
 *
 * Addresses: 127.48.1.x (SIGINT lab) and 127.48.2.x (disk-full lab): old etcd .31–.33, new .21–.23.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode } from '../../src/errors.ts';
import { resolveRunsDir } from '../../src/home.ts';
import type { JournalEvent } from '../../src/run/events.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { readJournal } from '../../src/run/journal.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { assertMigrated, describeCliRun, FERRY_BIN, processesOf, readEvents, REPO_ROOT, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';

const fixtureDirs: string[] = [];
const mounts: string[] = [];

after(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

interface Child {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

/** The real CLI as a child we can signal (runFerryCli does not hand out its child). */
function spawnFerry(args: readonly string[], env: Record<string, string | undefined>): Child {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], { cwd: REPO_ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, out });
    });
  });
  return { child, done };
}

function onlyRunDir(lab: LabFixture): string {
  const runs = resolveRunsDir(lab.env);
  const ids = existsSync(runs) ? readdirSync(runs) : [];
  assert.ok(ids.length <= 1, `one run: ${ids.join(', ')}`);
  return join(runs, ids[0] ?? 'none');
}

/** Waits until the journal holds an event after seq `afterSeq` that `match` accepts (the run must still be going). */
async function waitForEvent(lab: LabFixture, running: Child, afterSeq: number, match: (e: JournalEvent) => boolean): Promise<JournalEvent> {
  let exited = false;
  void running.done.then(() => (exited = true));
  for (let i = 0; i < 6000; i++) {
    const file = join(onlyRunDir(lab), 'journal.jsonl');
    if (existsSync(file)) {
      const found = readJournal(file).events.find((e) => e.seq > afterSeq && match(e));
      if (found !== undefined) return found;
    }
    if (exited) assert.fail(`ferry exited before the awaited event:\n${(await running.done).out}`);
    await sleep(25);
  }
  return assert.fail('the awaited journal event never came');
}

const started = (action: string) => (e: JournalEvent): boolean => e.type === 'action-started' && e.action === action;

/** Actions the journal shows started but neither finished nor failed. */
function unsettledActions(events: readonly JournalEvent[]): string[] {
  const open = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'action-started' && e.type !== 'action-finished' && e.type !== 'action-failed') continue;
    const key = `${e.stepId}/${e.action}`;
    open.set(key, (open.get(key) ?? 0) + (e.type === 'action-started' ? 1 : -1));
  }
  return [...open].filter(([, n]) => n > 0).map(([k]) => k);
}

test('SIGINT mid-step: a clean, resumable stop; a second SIGINT quits at once; ferry resume finishes', { timeout: 600_000 }, async (t) => {
  const lab = await startLabFixture('127.48.1', 3, 3);
  fixtureDirs.push(lab.dir);
  try {
    const t0 = Date.now();
    const apply = spawnFerry(['apply', '-f', lab.inventoryPath, '--yes'], lab.env);
    const inFlight = await waitForEvent(lab, apply, 0, started('start-service'));
    apply.child.kill('SIGINT');
    const r = await apply.done;
    assert.equal(r.code, ExitCode.interrupted, `exit 130:\n${r.out}`);
    assert.match(r.out, /SIGINT: stopping at the next safe point/);
    assert.match(r.out, /interrupted during etcd\.[^\n]*\n\s*continue with: ferry resume --run \S+/);
    const runDir = onlyRunDir(lab);
    const events = readEvents(runDir);
    const last = events[events.length - 1];
    assert.ok(last?.type === 'run-state' && last.state === 'interrupted', `the journal ends with run-state interrupted: ${JSON.stringify(last)}`);
    assert.equal(foldJournal(events).runState, 'interrupted');
    assert.deepEqual(unsettledActions(events), [], 'every action begun was journaled as finished or failed');
    const fate = events.find((e) => e.seq > inFlight.seq && 'action' in e && e.action === 'start-service' && 'stepId' in e && e.stepId === (inFlight as { stepId: string }).stepId);
    t.diagnostic(`SIGINT during ${(inFlight as { stepId: string }).stepId}/start-service: it ended ${fate?.type}; exit ${r.code}`);
    assert.ok(fate?.type === 'action-finished' || fate?.type === 'action-failed', 'the action in flight ended in the journal');
    assert.ok(!events.some((e) => e.type === 'step-state' && (e.state === 'rolling-back' || e.state === 'failed')), 'an interrupt rolls nothing back');
    recordReliability('faults', { case: 'SIGINT during a step (start-service in flight)', outcome: `exit 130, journal interrupted, action ${fate?.type ?? 'none'}`, code: 'interrupted', exitCode: r.code ?? -1, seconds: (Date.now() - t0) / 1000 });

    // A second SIGINT: ferry exits at once (process.exit(130)), without a closing journal event.
    const t1 = Date.now();
    const resume = spawnFerry(['resume', '--yes'], lab.env);
    const attachedAt = events.length;
    const inFlight2 = await waitForEvent(lab, resume, attachedAt, started('promote'));
    resume.child.kill('SIGINT');
    await sleep(200); // two signals sent at once merge into one (a pending signal is a bit, not a queue)
    resume.child.kill('SIGINT');
    const r2 = await resume.done;
    assert.equal(r2.code, ExitCode.interrupted, `second SIGINT: exit 130:\n${r2.out}`);
    const events2 = readEvents(runDir);
    const view2 = foldJournal(events2);
    assert.equal(view2.runState, 'interrupted', 'the fold sees the run interrupted');
    t.diagnostic(`double SIGINT during ${(inFlight2 as { stepId: string }).stepId}/promote: last event ${JSON.stringify(events2[events2.length - 1]?.type)}, unsettled ${unsettledActions(events2).join(',') || 'none'}`);
    recordReliability('faults', { case: 'double SIGINT (promote in flight)', outcome: `exit 130 at once; ${unsettledActions(events2).length} action(s) left for resume to adopt`, code: 'interrupted', exitCode: r2.code ?? -1, seconds: (Date.now() - t1) / 1000 });

    const t2 = Date.now();
    const fin = await runFerryCli(['resume', '--yes'], lab.env);
    assert.equal(fin.code, ExitCode.ok, `ferry resume finishes: ${describeCliRun(fin)}`);
    const runId = runDir.split('/').pop() as string;
    await assertMigrated(lab, runId);
    recordReliability('faults', { case: 'resume after SIGINTs', outcome: 'migrated: members exactly the new ones, every seeded key read back', exitCode: fin.code ?? -1, lost: 0, seconds: (Date.now() - t2) / 1000 });
  } finally {
    await lab.cleanup();
  }
});

/** Fill the file system holding `dir` to the last byte with `dir/filler`. */
function fillDisk(dir: string): number {
  const fd = openSync(join(dir, 'filler'), 'w');
  let total = 0;
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x7a);
      for (;;) {
        try {
          total += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

test('the journal\'s disk full mid-run: JOURNAL_DISK_FULL, exit 130, nothing rolled back; after freeing space ferry resume finishes', { timeout: 600_000 }, async (t) => {
  const lab = await startLabFixture('127.48.2', 3, 3);
  fixtureDirs.push(lab.dir);
  const home = lab.home;
  mkdirSync(home, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', home], { encoding: 'utf8' });
  assert.equal(mounted.status, 0, `mount a tmpfs on FERRY_HOME: ${mounted.stderr}`);
  mounts.push(home);
  try {
    const t0 = Date.now();
    const apply = spawnFerry(['apply', '-f', lab.inventoryPath, '--yes'], lab.env);
    await waitForEvent(lab, apply, 0, started('promote'));
    const filled = fillDisk(home);
    const r = await apply.done;
    t.diagnostic(`filled ${filled} bytes; ferry exited ${r.code}`);
    assert.equal(r.code, ExitCode.interrupted, `exit 130:\n${r.out}`);
    assert.match(r.out, /JOURNAL_DISK_FULL/);
    assert.match(r.out, /journal\.jsonl is full \(ENOSPC\)|disk holding the run journal/);
    assert.match(r.out, /free space on the file system of .*then `ferry resume`/);
    assert.doesNotMatch(r.out, /UNEXPECTED|BUG|at .*\.ts:\d+/, 'no unexpected error or stack trace from the recordings');
    const runDir = onlyRunDir(lab);
    const { events, tornTail } = readJournal(join(runDir, 'journal.jsonl'));
    assert.ok(!events.some((e) => e.type === 'step-state' && ['failed', 'rolling-back', 'rolled-back'].includes(e.state)), 'no rollback attempted (it could not be journaled)');
    assert.equal(foldJournal(events).runState, 'interrupted', 'the journal reads as an interrupted run');
    recordReliability('faults', { case: 'journal disk full mid-run (tmpfs filled after promote started)', outcome: `stopped, exit 130, no rollback${tornTail ? ', torn last line' : ''}`, code: 'JOURNAL_DISK_FULL', exitCode: r.code ?? -1, seconds: (Date.now() - t0) / 1000 });

    // Still full: resume refuses at once, naming the same cause, and changes nothing.
    const full = await runFerryCli(['resume', '--yes'], lab.env);
    assert.notEqual(full.code, ExitCode.ok, `resume on a full disk fails: ${describeCliRun(full)}`);
    assert.match(full.stdout + full.stderr, /JOURNAL_DISK_FULL|no space left|ENOSPC/);
    t.diagnostic(`resume on a still-full disk: exit ${full.code}`);

    rmSync(join(home, 'filler'));
    const t1 = Date.now();
    const fin = await runFerryCli(['resume', '--yes'], lab.env);
    assert.equal(fin.code, ExitCode.ok, `after freeing space, ferry resume finishes: ${describeCliRun(fin)}`);
    await assertMigrated(lab, runDir.split('/').pop() as string);
    assert.ok(existsSync(join(runDir, 'report.html')), 'the report is written once there is room');
    recordReliability('faults', { case: 'resume after freeing the journal disk', outcome: 'migrated: members exactly the new ones, every seeded key read back', exitCode: fin.code ?? -1, lost: 0, seconds: (Date.now() - t1) / 1000 });
  } finally {
    spawnSync('umount', ['-l', home]);
    mounts.splice(mounts.indexOf(home), 1);
    await lab.cleanup();
  }
});
