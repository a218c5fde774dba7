/**
 * Tails a journal that another process is writing (the dashboard, `ferry status --follow`). Reads only; never
 * repairs. A line still being written (no newline yet) is left until its newline arrives. When the writer's
 * reopen truncates a torn tail the follower notices the shorter file and reads on from there.
 */
import fs from 'node:fs';
import { basename, dirname } from 'node:path';
import { FerryError, messageOf } from '../errors.ts';
import type { JournalEvent } from './events.ts';
import { parseJournalBytes } from './journal-parse.ts';

export interface FollowJournalOptions {
  /**
   * How often to re-read the file regardless of fs.watch (which can miss events, or fail: then only the poll
   * runs), in ms. Default 500.
   */
  pollIntervalMs?: number;
  /** Only events with a seq above this are delivered (to resume a view). Default 0: every event. */
  afterSeq?: number;
}

function readRange(path: string, from: number, to: number): Buffer {
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(fd, buf, off, buf.length - off, from + off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Calls `onEvent` for every event in the journal at `path` (waiting for the file if it does not exist yet), then
 * for each new one as it is appended, until `signal` aborts: then the promise resolves. It rejects with
 * JOURNAL_CORRUPT (as readJournal) or JOURNAL_READ_FAILED, or with whatever `onEvent` throws.
 * A journal replaced by a different file under the same name is read from its start, delivering only seqs not
 * yet delivered.
 */
export function followJournal(
  path: string,
  onEvent: (event: JournalEvent) => void,
  signal: AbortSignal,
  options: FollowJournalOptions = {},
): Promise<void> {
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  let delivered = options.afterSeq ?? 0; // highest seq handed to onEvent
  let offset = 0; // bytes of complete lines consumed from the current file
  let fileSeq = 0; // seq of the last complete line consumed from the current file
  let inode: number | undefined;
  let watcher: fs.FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;

  return new Promise<void>((resolve, reject) => {
    const stop = (err?: unknown): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearInterval(timer);
      watcher?.close();
      signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onAbort = (): void => stop();

    /** Reads the complete lines added since the last call. */
    const readNew = (): JournalEvent[] => {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // not created yet (or moved aside): wait
        throw err;
      }
      if (inode !== undefined && (stat.ino !== inode || stat.size < offset)) {
        offset = 0; // replaced, or truncated by a writer's repair: read it again from the start
        fileSeq = 0;
      }
      inode = stat.ino;
      if (stat.size === offset) return [];
      const parsed = parseJournalBytes(readRange(path, offset, stat.size), path, {
        firstSeq: fileSeq + 1,
        firstLine: fileSeq + 1,
      });
      offset += parsed.goodBytes;
      fileSeq += parsed.events.length;
      return parsed.events;
    };

    const drain = (): void => {
      if (finished) return;
      let events: JournalEvent[];
      try {
        events = readNew();
      } catch (err) {
        stop(
          err instanceof FerryError
            ? err
            : new FerryError('JOURNAL_READ_FAILED', `cannot follow journal ${path}: ${messageOf(err)}`, {
                hint: 'check that the run folder is readable',
                subjects: { file: path },
                cause: err,
              }),
        );
        return;
      }
      for (const event of events) {
        if (event.seq <= delivered) continue;
        delivered = event.seq;
        try {
          onEvent(event);
        } catch (err) {
          stop(err);
        }
        if (finished) return;
      }
    };

    const startWatch = (): void => {
      if (watcher !== undefined || finished) return;
      try {
        // Watch the folder, not the file: it works before the file exists and across a replacement.
        const w = fs.watch(dirname(path), { persistent: false }, (_event, name) => {
          if (name === null || name === basename(path)) drain();
        });
        w.on('error', () => {
          w.close();
          if (watcher === w) watcher = undefined; // the poll carries on and retries the watch
        });
        watcher = w;
      } catch {
        // the folder does not exist yet, or watching is unsupported: the poll covers it
      }
    };

    if (signal.aborted) {
      stop();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    startWatch();
    timer = setInterval(() => {
      startWatch();
      drain();
    }, pollIntervalMs);
    drain();
  });
}
