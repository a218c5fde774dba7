/**
 * Appends JSON lines to a file of the run folder with bounded buffering: lines are kept in memory until
 * `maxLines` are waiting or `maxDelayMs` have passed since the oldest one, then written in one write (no fsync:
 * these are recordings for the report, not the journal, and a kill loses at most one buffer).
 *
 * A recording must never fail a run: when the file cannot be opened or written (a full disk), the appender says so
 * once through `onError` and drops lines from then on. A file that ends in a torn line (a kill, a full disk) gets a
 * newline before this process's first line, so the forgiving parsers (recording-files.ts) lose only that line.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { messageOf } from '../errors.ts';

export interface JsonlAppenderOptions {
  /** Write when this many lines are waiting; default 1 (every line at once). */
  readonly maxLines?: number;
  /** Write when the oldest waiting line is this old, in ms; default 1000. Checked on append and by a timer. */
  readonly maxDelayMs?: number;
  /** Told once when the file cannot be opened or written. */
  readonly onError?: (message: string) => void;
}

/** True when the file is not empty and its last byte is not a newline. */
function endsMidLine(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

export class JsonlAppender {
  private fd: number | undefined;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private readonly maxLines: number;
  private readonly maxDelayMs: number;

  constructor(
    readonly path: string,
    private readonly o: JsonlAppenderOptions = {},
  ) {
    this.maxLines = Math.max(1, o.maxLines ?? 1);
    this.maxDelayMs = o.maxDelayMs ?? 1000;
    try {
      this.fd = openSync(path, 'a+', 0o600);
      // A line torn by an earlier kill or a full disk is closed first, so it spoils no line of this process.
      if (endsMidLine(this.fd)) this.buffer.push('\n');
    } catch (err) {
      this.fail(err);
    }
  }

  append(record: object): void {
    if (this.failed) return;
    this.buffer.push(JSON.stringify(record) + '\n');
    if (this.buffer.length >= this.maxLines) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0 || this.fd === undefined) return;
    const text = this.buffer.join('');
    this.buffer = [];
    try {
      writeSync(this.fd, text);
    } catch (err) {
      this.fail(err);
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // nothing left to lose
      }
      this.fd = undefined;
    }
    this.failed = true; // later appends are dropped
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.buffer = [];
    this.o.onError?.(`cannot write ${this.path}: ${messageOf(err)}`);
  }
}
