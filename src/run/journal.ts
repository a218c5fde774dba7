/**
 * The run journal: runs/<runId>/journal.jsonl, an append-only file of one JSON event per line (events.ts). The
 * runner appends an event BEFORE each effect on the world and AFTER it; each append is one write(2) followed by
 * fsync(2), so once `append` returns the event survives a kill or a power loss, and a run killed at any instant
 * folds back (fold.ts) into what was done and what was in flight.
 *
 * One writer at a time (lock.ts guards the run folder); any number of readers (`readJournal`, `followJournal`).
 *
 * bigint values in events are written as decimal strings (see {@link journalReplacer}): JSON.stringify throws on
 * bigint. `append` returns the event as it reads back from the file, so in-memory and reopened events are equal.
 */
import fs from 'node:fs';
import { dirname } from 'node:path';
import { BugError, ExitCode, FerryError, messageOf } from '../errors.ts';
import type { JournalEvent, NewJournalEvent } from './events.ts';
import { journalReplacer, parseJournalBytes } from './journal-parse.ts';

export { followJournal } from './journal-follow.ts';
export type { FollowJournalOptions } from './journal-follow.ts';
export { journalReplacer } from './journal-parse.ts';

export type JournalListener = (event: JournalEvent) => void;

export interface JournalOpenOptions {
  /** The clock that stamps `ts` on appended events. Default: `() => new Date()`. */
  now?: () => Date;
  /**
   * Called when a subscriber throws. The event is already durable by then, so a broken view must not fail the
   * append (and with it the run). Default: `process.emitWarning`.
   */
  onListenerError?: (err: unknown) => void;
}

/** errno codes that mean "no room left" (a full disk, an exceeded quota): the operator can fix those by freeing space. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * An append that could not be made durable. The journal comes before every effect, so the run must stop right here:
 * nothing further may be done or undone without it. Exit code 130, as for an interrupt: nothing was rolled back
 * and `ferry resume` continues once the cause is fixed (reopening repairs a torn last line).
 */
function appendError(seq: number, file: string, err: unknown): FerryError {
  const errno = (err as NodeJS.ErrnoException).code;
  const subjects = { file, folder: dirname(file) };
  if (errno !== undefined && NO_SPACE.has(errno)) {
    return new FerryError('JOURNAL_DISK_FULL', `the disk holding the run journal ${file} is full (${errno}): event seq ${seq} could not be written, so ferry stopped before doing anything it could not record`, {
      hint: `free space on the file system of ${dirname(file)} (df -h ${dirname(file)}), then \`ferry resume\`; nothing was rolled back`,
      retryable: true,
      subjects,
      exitCode: ExitCode.interrupted,
      cause: err,
    });
  }
  return new FerryError('JOURNAL_WRITE_FAILED', `cannot append event seq ${seq} to journal ${file}: ${messageOf(err)}; ferry stopped before doing anything it could not record`, {
    hint: 'check that the folder exists, is writable and the disk is healthy, then `ferry resume`; nothing was rolled back',
    subjects,
    exitCode: ExitCode.interrupted,
    cause: err,
  });
}

function fsError(code: string, what: string, file: string, err: unknown): FerryError {
  return new FerryError(code, `${what} ${file}: ${messageOf(err)}`, {
    hint: 'check that the folder exists, is writable and the disk is not full',
    subjects: { file },
    cause: err,
  });
}

/** Reads a whole file through an open fd from offset 0. */
function readAll(fd: number): Buffer {
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = fs.readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

export class Journal {
  readonly path: string;
  /** True when open found a torn last line (a write cut short by a kill), dropped it and truncated the file. */
  readonly repairedTornTail: boolean;
  private fd: number | undefined;
  private readonly list: JournalEvent[];
  private readonly now: () => Date;
  private readonly onListenerError: (err: unknown) => void;
  private readonly listeners = new Set<JournalListener>();
  /** fsync the parent folder on the first append after creating the file, so the file's name is durable too. */
  private needsDirSync: boolean;
  /** Set when a write failed: the file may end in a torn line, so no later line may follow it. */
  private broken: FerryError | undefined;

  private constructor(path: string, fd: number, events: JournalEvent[], repaired: boolean, created: boolean, options: JournalOpenOptions) {
    this.path = path;
    this.fd = fd;
    this.list = events;
    this.repairedTornTail = repaired;
    this.needsDirSync = created;
    this.now = options.now ?? (() => new Date());
    this.onListenerError = options.onListenerError ?? ((err) => process.emitWarning(`journal subscriber failed: ${messageOf(err)}`));
  }

  /**
   * Opens (creating it and its folder if missing) a journal for appending. A torn last line is dropped and the
   * file truncated to the end of the last complete line before anything is appended. Throws JOURNAL_CORRUPT for
   * an invalid line elsewhere or a gap in seq numbers, JOURNAL_OPEN_FAILED when the file cannot be opened.
   */
  static open(path: string, options: JournalOpenOptions = {}): Journal {
    let fd: number;
    let created = false;
    try {
      fs.mkdirSync(dirname(path), { recursive: true });
      try {
        fd = fs.openSync(path, 'ax+'); // O_APPEND|O_CREAT|O_EXCL|O_RDWR: tells us whether we created it
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        fd = fs.openSync(path, 'a+');
      }
    } catch (err) {
      throw fsError('JOURNAL_OPEN_FAILED', 'cannot open journal', path, err);
    }
    try {
      const parsed = parseJournalBytes(readAll(fd), path);
      if (parsed.tornTail) {
        // Repair before any append: O_APPEND writes land at the (new) end, right after the last complete line.
        fs.ftruncateSync(fd, parsed.goodBytes);
        fs.fsyncSync(fd);
      }
      return new Journal(path, fd, parsed.events, parsed.tornTail, created, options);
    } catch (err) {
      fs.closeSync(fd);
      if (err instanceof FerryError) throw err;
      throw fsError('JOURNAL_OPEN_FAILED', 'cannot read or repair journal', path, err);
    }
  }

  /** The events so far, in seq order (including those appended by this process). */
  events(): readonly JournalEvent[] {
    return this.list;
  }

  /** The error of the append that failed, once one has (the journal then refuses every later append with it). */
  get failure(): FerryError | undefined {
    return this.broken;
  }

  /** The seq of the last event, 0 for an empty journal. */
  get lastSeq(): number {
    return this.list.length;
  }

  /**
   * Appends one event: assigns `seq` (last + 1) and `ts`, writes one line with a single write call and fsyncs it
   * before returning. Subscribers are called after the event is durable. Throws JOURNAL_DISK_FULL (no space) or
   * JOURNAL_WRITE_FAILED when the write or fsync fails, both with exit code 130; the journal then refuses every
   * further append with that same error (reopen it: open repairs a torn tail).
   */
  append(event: NewJournalEvent): JournalEvent {
    const fd = this.fd;
    if (fd === undefined) throw new BugError(`append to closed journal ${this.path}`);
    // The first failure is the one to report (e.g. JOURNAL_DISK_FULL), however many appends are tried after it.
    if (this.broken !== undefined) throw this.broken;
    const seq = this.list.length + 1;
    const ts = this.now().toISOString();
    const record: Record<string, unknown> = { seq, ts, ...event };
    record['seq'] = seq; // an event object that carried its own seq/ts (a copied JournalEvent) must not win
    record['ts'] = ts;
    const line = JSON.stringify(record, journalReplacer) + '\n';
    const bytes = Buffer.from(line, 'utf8');
    try {
      let off = 0;
      // One write(2) in practice; the loop only continues a short write (disk nearly full, a signal mid-write).
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      fs.fsyncSync(fd);
      if (this.needsDirSync) {
        this.syncParentDir();
        this.needsDirSync = false;
      }
    } catch (err) {
      this.broken = appendError(seq, this.path, err);
      throw this.broken;
    }
    const written = JSON.parse(line) as JournalEvent;
    this.list.push(written);
    for (const listener of [...this.listeners]) {
      try {
        listener(written);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    return written;
  }

  /** Calls `listener` after each later append, in this process. Returns the function that unsubscribes it. */
  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.listeners.clear();
    fs.closeSync(fd);
  }

  private syncParentDir(): void {
    const dirFd = fs.openSync(dirname(this.path), 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  }
}

/**
 * Reads a journal without changing it (a torn tail is reported, never repaired): for `ferry status` and the
 * dashboard, which may read while another process writes. Throws JOURNAL_NOT_FOUND when the file is missing,
 * JOURNAL_CORRUPT as `Journal.open` does.
 */
export function readJournal(path: string): { events: JournalEvent[]; tornTail: boolean } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FerryError('JOURNAL_NOT_FOUND', `no journal at ${path}`, {
        hint: 'check the run id (`ferry status` lists runs); a run that never started has no journal',
        subjects: { file: path },
      });
    }
    throw fsError('JOURNAL_READ_FAILED', 'cannot read journal', path, err);
  }
  const { events, tornTail } = parseJournalBytes(bytes, path);
  return { events, tornTail };
}
