/**
 * The single-writer lock of a run folder: `<runDir>/lock`, holding JSON {pid, hostname, command, startedAt}.
 * Two processes appending to one journal would interleave seqs and effects, so a second `ferry resume` is refused
 * while the first lives, and a lock left by a dead process is taken over.
 *
 * The lock file appears atomically with its whole content: it is written and fsynced under a temp name, then
 * hard-linked to `lock`, which fails with EEXIST when a lock exists (the same exclusivity as O_EXCL, but a reader
 * never sees a half-written lock).
 *
 * Taking over a stale lock: the taker first creates `lock.takeover` (the same exclusive link), re-reads the lock
 * to check it is still the stale one it judged, renames its own lock over it and removes the guard. The lock
 * path is never empty during a takeover, and of several resumers racing only the guard holder replaces it.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { FerryError, inputError, messageOf } from '../errors.ts';

export interface LockInfo {
  readonly pid: number;
  readonly hostname: string;
  readonly command: string;
  readonly startedAt: string;
}

export interface RunLock {
  readonly path: string;
  readonly info: LockInfo;
  /** The pid of the dead process whose lock this one replaced, when it did. */
  readonly tookOverStaleFrom?: number;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

export interface AcquireRunLockOptions {
  /** Clock for `startedAt`. Default: `() => new Date()`. */
  now?: () => Date;
}

/**
 * True when `pid` is a live process on this machine. A zombie counts as dead: kill(pid, 0) succeeds on a zombie,
 * and PID 1 here reaps orphans up to ~1.2 s late (docs/design/lab-environment.md), so /proc/PID/stat state `Z` is checked.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists but belongs to someone else; fall through to the zombie check.
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "PID (comm) S ...": comm may hold spaces and parentheses, so the state follows the LAST ')'.
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT'; // gone between the two checks
  }
}

function parseLockInfo(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<Record<keyof LockInfo, unknown>> | null;
    if (v === null || typeof v !== 'object') return undefined;
    const { pid, hostname: host, command, startedAt } = v;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof command !== 'string' || typeof startedAt !== 'string') {
      return undefined;
    }
    return { pid, hostname: host, command, startedAt };
  } catch {
    return undefined;
  }
}

/** The lock's raw content and inode, or undefined when there is none. */
function readHeld(path: string): { raw: string; ino: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return { raw: fs.readFileSync(fd, 'utf8'), ino: fs.fstatSync(fd).ino };
  } finally {
    fs.closeSync(fd);
  }
}

function writeDurable(path: string, content: string): void {
  const fd = fs.openSync(path, 'wx');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function tryUnlink(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone
  }
}

/** link(2) that reports EEXIST as false. */
function tryLink(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * The takeover guard exists while another process replaces a stale lock (microseconds). If its process is alive,
 * refuse for now; if it died mid-takeover, move the guard aside, check it is the one judged, and drop it.
 */
function clearAbandonedGuard(guardPath: string, runId: string, host: string): void {
  const guard = readHeld(guardPath);
  if (guard === undefined) return; // that takeover finished: look again
  const info = parseLockInfo(guard.raw);
  if (info === undefined || info.hostname !== host || isProcessAlive(info.pid)) {
    throw new FerryError('RUN_LOCK_CONTENDED', `another ferry (${info ? `pid ${info.pid}` : 'unknown'}) is taking over the lock of run ${runId} right now`, {
      hint: 'run `ferry status` to see which process holds the run; two runs on one journal at once are refused',
      retryable: true,
      subjects: { run: runId, file: guardPath },
    });
  }
  const aside = `${guardPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(guardPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readHeld(aside);
  if (moved !== undefined && (moved.ino !== guard.ino || moved.raw !== guard.raw)) tryLink(aside, guardPath); // not it: put back
  tryUnlink(aside);
}

function lockedError(runId: string, lockPath: string, held: LockInfo): FerryError {
  const where = held.hostname === hostname() ? '' : ` on host ${held.hostname}`;
  return inputError(
    'RUN_LOCKED',
    `run ${runId} is being run by pid ${held.pid}${where} (${held.command}, since ${held.startedAt})`,
    {
      hint:
        'wait for it, or stop it; two runs on one journal at once are refused. ' +
        `If that process is not a ferry of this run (the machine restarted), remove ${lockPath}.`,
      subjects: { run: runId, file: lockPath, pid: String(held.pid) },
    },
  );
}

/**
 * Takes the lock of `runDir` for this process, or throws RUN_LOCKED (exit 2) when a live process holds it. A
 * lock whose pid is dead (on this host) is stale and replaced; a pid on another host is assumed alive.
 */
export function acquireRunLock(runDir: string, info: { command: string }, options: AcquireRunLockOptions = {}): RunLock {
  const runId = basename(runDir);
  const lockPath = join(runDir, 'lock');
  const mine: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    command: info.command,
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  const content = JSON.stringify(mine) + '\n';
  const unique = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmp = join(runDir, `lock.${unique}.tmp`);
  const guardPath = join(runDir, 'lock.takeover');
  // The lock's folder entry is not fsynced: after a power loss its holder is dead anyway, so a lost lock is harmless.
  const made = (tookOverStaleFrom?: number): RunLock => {
    let released = false;
    return {
      path: lockPath,
      info: mine,
      ...(tookOverStaleFrom === undefined ? {} : { tookOverStaleFrom }),
      release() {
        if (released) return;
        released = true;
        if (readHeld(lockPath)?.raw === content) fs.unlinkSync(lockPath);
      },
    };
  };
  try {
    fs.mkdirSync(runDir, { recursive: true });
    writeDurable(tmp, content);
    // A few rounds only: each round either wins, refuses, or lost a race that changed the lock.
    for (let round = 0; round < 5; round += 1) {
      if (tryLink(tmp, lockPath)) return made();
      const held = readHeld(lockPath);
      if (held === undefined) continue; // released meanwhile: try again
      const heldInfo = parseLockInfo(held.raw);
      if (heldInfo === undefined) {
        throw inputError('RUN_LOCK_UNREADABLE', `the lock of run ${runId} (${lockPath}) is not a ferry lock`, {
          hint: `if no ferry is running this run, remove ${lockPath} and try again`,
          subjects: { run: runId, file: lockPath },
        });
      }
      if (heldInfo.hostname !== mine.hostname || isProcessAlive(heldInfo.pid)) throw lockedError(runId, lockPath, heldInfo);

      // Stale. Only the holder of the takeover guard may replace it, so two resumers never both take over, and
      // the lock path is never empty meanwhile (a fresh acquirer's link keeps failing).
      if (!tryLink(tmp, guardPath)) {
        clearAbandonedGuard(guardPath, runId, mine.hostname);
        continue;
      }
      try {
        const now = readHeld(lockPath);
        if (now === undefined || now.ino !== held.ino || now.raw !== held.raw) continue; // changed: look again
        fs.renameSync(tmp, lockPath); // atomic replace of the stale lock we judged
        return made(heldInfo.pid);
      } finally {
        tryUnlink(guardPath);
      }
    }
    throw new FerryError('RUN_LOCK_CONTENDED', `could not take the lock of run ${runId}: it kept changing`, {
      hint: 'another ferry is starting on this run at the same time; run `ferry status` and try again',
      retryable: true,
      subjects: { run: runId, file: lockPath },
    });
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('RUN_LOCK_FAILED', `cannot take the lock ${lockPath}: ${messageOf(err)}`, {
      hint: 'check that the run folder exists and is writable',
      subjects: { run: runId, file: lockPath },
      cause: err,
    });
  } finally {
    tryUnlink(tmp);
  }
}
