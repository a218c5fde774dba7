import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, FerryError } from '../../../src/errors.ts';
import { acquireRunLock, isProcessAlive } from '../../../src/run/lock.ts';
import type { LockInfo } from '../../../src/run/lock.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const lockModule = fileURLToPath(new URL('../../../src/run/lock.ts', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-lock-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
});
let n = 0;
const freshRunDir = (): string => {
  const dir = path.join(root, `20240131-142501-${String(++n).padStart(4, '0')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};
const writeLock = (runDir: string, info: Partial<LockInfo>): void =>
  fs.writeFileSync(
    path.join(runDir, 'lock'),
    JSON.stringify({ pid: 1, hostname: os.hostname(), command: 'ferry apply', startedAt: '2024-01-31T14:25:01.000Z', ...info }),
  );
const readLock = (runDir: string): LockInfo => JSON.parse(fs.readFileSync(path.join(runDir, 'lock'), 'utf8')) as LockInfo;

function isLocked(pattern?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FerryError, String(err));
    assert.equal(err.code, 'RUN_LOCKED');
    assert.equal(err.exitCode, ExitCode.badInput);
    assert.match(err.hint ?? '', /wait for it, or stop it; two runs on one journal at once are refused/);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

/** Starts a child (a real second process) with `code`; resolves its first stdout line. */
function startChild(code: string, env: Record<string, string>): { child: ChildProcess; line: Promise<string>; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    env: { ...process.env, LOCK_MODULE: lockModule, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    void exited.then(() => reject(new Error(`child exited before printing (code ${child.exitCode})`)));
  });
  return { child, line, exited };
}

// Takes the lock (at GO_AT, a wall-clock ms, when given, so that several children race), prints the outcome and
// stays alive holding it until killed.
const holder = `
const { acquireRunLock } = await import(process.env.LOCK_MODULE);
const goAt = Number(process.env.GO_AT ?? 0);
while (Date.now() < goAt) {}
try {
  const lock = acquireRunLock(process.env.RUN_DIR, { command: 'ferry resume (test child)' });
  process.stdout.write('won ' + (lock.tookOverStaleFrom ?? '-') + '\\n');
} catch (err) {
  process.stdout.write('refused ' + err.code + '\\n');
}
setInterval(() => {}, 1000);
`;

describe('acquireRunLock', () => {
  test('writes {pid, hostname, command, startedAt}; release removes it and is idempotent', () => {
    const dir = freshRunDir();
    const lock = acquireRunLock(dir, { command: 'ferry apply plan.json' }, { now: () => new Date('2024-01-31T14:25:01.000Z') });
    assert.equal(lock.tookOverStaleFrom, undefined);
    assert.deepEqual(readLock(dir), { pid: process.pid, hostname: os.hostname(), command: 'ferry apply plan.json', startedAt: '2024-01-31T14:25:01.000Z' });
    assert.deepEqual(lock.info, readLock(dir));
    lock.release();
    lock.release();
    assert.equal(fs.existsSync(lock.path), false);
    assert.deepEqual(fs.readdirSync(dir), [], 'no temp files are left');
    acquireRunLock(dir, { command: 'again' }).release();
  });

  test('a lock held by a live process of this machine is refused, naming pid, command and time', () => {
    const dir = freshRunDir();
    const lock = acquireRunLock(dir, { command: 'ferry apply' });
    try {
      assert.throws(
        () => acquireRunLock(dir, { command: 'ferry resume' }),
        isLocked(new RegExp(`^run ${path.basename(dir)} is being run by pid ${process.pid} \\(ferry apply, since ${lock.info.startedAt}\\)$`)),
      );
    } finally {
      lock.release();
    }
  });

  test('a real second process holding the lock refuses us; once it is killed its stale lock is taken over', async () => {
    const dir = freshRunDir();
    const { child, line, exited } = startChild(holder, { RUN_DIR: dir });
    try {
      assert.equal(await line, 'won -');
      assert.throws(() => acquireRunLock(dir, { command: 'ferry resume' }), isLocked(new RegExp(`pid ${child.pid} \\(ferry resume \\(test child\\)`)));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const lock = acquireRunLock(dir, { command: 'ferry resume' });
    assert.equal(lock.tookOverStaleFrom, child.pid);
    assert.equal(readLock(dir).pid, process.pid);
    lock.release();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('a lock whose pid has exited is stale and taken over', async () => {
    const dir = freshRunDir();
    const child = spawn('true');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(child.pid !== undefined);
    assert.equal(isProcessAlive(child.pid), false);
    writeLock(dir, { pid: child.pid });
    const lock = acquireRunLock(dir, { command: 'ferry resume' });
    assert.equal(lock.tookOverStaleFrom, child.pid);
    lock.release();
  });

  test('a zombie counts as dead (kill -0 still succeeds on it)', async () => {
    const dir = freshRunDir();
    // `sleep 0.05` becomes a zombie: its parent execs into `sleep 30`, which never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(parent);
    const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout?.once('data', (c: Buffer) => resolve(c.toString().trim()))));
      const stateOf = (): string => {
        const stat = fs.readFileSync(`/proc/${zombie}/stat`, 'utf8');
        return stat.charAt(stat.lastIndexOf(')') + 2);
      };
      const until = Date.now() + 10_000;
      while (stateOf() !== 'Z') {
        assert.ok(Date.now() < until, 'the child never became a zombie');
        await new Promise((r) => setTimeout(r, 10));
      }
      process.kill(zombie, 0); // does not throw: a zombie still "exists"
      assert.equal(isProcessAlive(zombie), false);
      writeLock(dir, { pid: zombie });
      const lock = acquireRunLock(dir, { command: 'ferry resume' });
      assert.equal(lock.tookOverStaleFrom, zombie);
      lock.release();
    } finally {
      parent.kill('SIGKILL');
      await exited;
      children.delete(parent);
    }
  });

  test('a lock from another host is assumed alive and refused', () => {
    const dir = freshRunDir();
    writeLock(dir, { pid: 999_999_999, hostname: 'some-other-host' });
    assert.throws(() => acquireRunLock(dir, { command: 'ferry resume' }), isLocked(/pid 999999999 on host some-other-host/));
  });

  test('an unreadable lock is refused with a hint to remove it', () => {
    const dir = freshRunDir();
    fs.writeFileSync(path.join(dir, 'lock'), 'not json');
    assert.throws(() => acquireRunLock(dir, { command: 'x' }), (err) => err instanceof FerryError && err.code === 'RUN_LOCK_UNREADABLE');
  });

  test('a takeover guard left by a process that died mid-takeover is cleared; a live one refuses for now', async () => {
    const dir = freshRunDir();
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    writeLock(dir, { pid: dead.pid });
    const guard = path.join(dir, 'lock.takeover');
    fs.writeFileSync(guard, JSON.stringify({ pid: process.pid, hostname: os.hostname(), command: 'x', startedAt: 't' }));
    assert.throws(() => acquireRunLock(dir, { command: 'ferry resume' }), (e) => e instanceof FerryError && e.code === 'RUN_LOCK_CONTENDED' && e.retryable);
    fs.writeFileSync(guard, JSON.stringify({ pid: dead.pid, hostname: os.hostname(), command: 'x', startedAt: 't' }));
    const lock = acquireRunLock(dir, { command: 'ferry resume' });
    assert.equal(lock.tookOverStaleFrom, dead.pid);
    lock.release();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('release leaves a lock that is no longer ours', () => {
    const dir = freshRunDir();
    const lock = acquireRunLock(dir, { command: 'ferry apply' });
    writeLock(dir, { pid: 424242, command: 'someone else' });
    lock.release();
    assert.equal(readLock(dir).command, 'someone else');
  });

  test('four processes racing to take over one stale lock: exactly one wins', async () => {
    const dir = freshRunDir();
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    writeLock(dir, { pid: dead.pid });
    const goAt = String(Date.now() + 2500); // after all four have started
    const racers = [0, 1, 2, 3].map(() => startChild(holder, { RUN_DIR: dir, GO_AT: goAt }));
    try {
      const outcomes = await Promise.all(racers.map((r) => r.line));
      const winners = outcomes.filter((o) => o.startsWith('won'));
      assert.equal(winners.length, 1, outcomes.join(', '));
      assert.equal(winners[0], `won ${dead.pid}`);
      for (const o of outcomes.filter((x) => !x.startsWith('won'))) assert.match(o, /^refused RUN_LOCK(ED|_CONTENDED)$/);
      const owner = readLock(dir).pid;
      assert.ok(racers.some((r) => r.child.pid === owner));
      assert.deepEqual(fs.readdirSync(dir), ['lock'], 'no temp or stale files are left');
    } finally {
      for (const r of racers) r.child.kill('SIGKILL');
      await Promise.all(racers.map((r) => r.exited));
    }
  });
});

describe('isProcessAlive', () => {
  test('this process is alive; nonsense pids are not', () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(0), false);
    assert.equal(isProcessAlive(-5), false);
    assert.equal(isProcessAlive(1.5), false);
  });
});
