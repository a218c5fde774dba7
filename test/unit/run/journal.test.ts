import { after, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BugError, FerryError } from '../../../src/errors.ts';
import type { JournalEvent, NewJournalEvent } from '../../../src/run/events.ts';
import { Journal, followJournal, readJournal } from '../../../src/run/journal.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-journal-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => path.join(root, `run${++n}`, 'journal.jsonl');
const fixedClock = (): Date => new Date('2024-01-31T14:25:01.000Z');

const note = (message: string): NewJournalEvent => ({ type: 'note', message });
const lines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n');

/** Polls `cond` until true; fails after a generous bound (no timing is asserted). */
async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function assertFerry(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FerryError, `expected FerryError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

describe('Journal', () => {
  test('round trip: creates the folder, assigns gapless seqs and the injected ts, reopens the same events', () => {
    const file = freshPath();
    const j = Journal.open(file, { now: fixedClock });
    assert.equal(j.repairedTornTail, false);
    const e1 = j.append({ type: 'run-started', runId: 'r1', formatVersion: 1, planSha256: 'abc', inventoryPath: '/inv.yaml', inventorySha256: 'def', ferryVersion: '0.1.0', mode: 'apply' });
    const e2 = j.append({ type: 'step-state', stepId: 'a', state: 'running' });
    const e3 = j.append({ type: 'action-started', stepId: 'a', action: 'member-add', detail: { memberId: 12345678901234567890n } });
    assert.deepEqual([e1.seq, e2.seq, e3.seq], [1, 2, 3]);
    assert.equal(e1.ts, '2024-01-31T14:25:01.000Z');
    // bigint is written as its decimal string, and the returned event is what reads back.
    assert.deepEqual(e3.type === 'action-started' && e3.detail, { memberId: '12345678901234567890' });
    assert.equal(j.lastSeq, 3);
    const inMemory = [...j.events()];
    j.close();
    j.close(); // idempotent
    const raw = fs.readFileSync(file, 'utf8');
    assert.ok(raw.endsWith('\n'));
    assert.equal(raw.split('\n').length, 4);
    const again = Journal.open(file);
    assert.deepEqual(again.events(), inMemory);
    assert.equal(again.append(note('x')).seq, 4);
    again.close();
    assert.deepEqual(readJournal(file).events.length, 4);
  });

  test('an event object carrying its own seq/ts does not override the assigned ones', () => {
    const j = Journal.open(freshPath(), { now: fixedClock });
    const e = j.append({ type: 'note', message: 'm', seq: 99, ts: 'nope' } as unknown as NewJournalEvent);
    assert.equal(e.seq, 1);
    assert.equal(e.ts, '2024-01-31T14:25:01.000Z');
    j.close();
  });

  test('subscribers are called after each append; unsubscribe works; a throwing subscriber does not fail the append', () => {
    const errors: unknown[] = [];
    const j = Journal.open(freshPath(), { onListenerError: (e) => errors.push(e) });
    const seen: JournalEvent[] = [];
    const off = j.subscribe((e) => seen.push(e));
    j.subscribe(() => {
      throw new Error('view broke');
    });
    j.append(note('one'));
    off();
    j.append(note('two'));
    assert.deepEqual(seen.map((e) => e.seq), [1]);
    assert.equal(errors.length, 2);
    assert.equal(j.events().length, 2);
    j.close();
  });

  test('append after close is a bug', () => {
    const j = Journal.open(freshPath());
    j.close();
    assert.throws(() => j.append(note('late')), BugError);
  });

  test('a torn last line (no newline) is dropped, the file truncated, and the next append gets the right seq', () => {
    const file = freshPath();
    const j = Journal.open(file);
    j.append(note('one'));
    j.append(note('two'));
    j.close();
    const goodSize = fs.statSync(file).size;
    fs.appendFileSync(file, '{"seq":3,"ts":"2024-01-31T14:25:01.000Z","type":"no');
    // read-only readers report it and leave the file alone
    const ro = readJournal(file);
    assert.equal(ro.tornTail, true);
    assert.equal(ro.events.length, 2);
    assert.ok(fs.statSync(file).size > goodSize);

    const reopened = Journal.open(file);
    assert.equal(reopened.repairedTornTail, true);
    assert.equal(reopened.events().length, 2);
    assert.equal(fs.statSync(file).size, goodSize);
    assert.equal(reopened.append(note('three')).seq, 3);
    reopened.close();
    const all = lines(file);
    assert.equal(all.pop(), '');
    assert.deepEqual(all.map((l) => (JSON.parse(l) as JournalEvent).seq), [1, 2, 3]);
    assert.equal(readJournal(file).tornTail, false);
  });

  test('a last line that is not JSON (NUL bytes after a crash) is dropped too', () => {
    const file = freshPath();
    const j = Journal.open(file);
    j.append(note('one'));
    j.close();
    fs.appendFileSync(file, '\0\0\0\0\n');
    const reopened = Journal.open(file);
    assert.equal(reopened.repairedTornTail, true);
    assert.equal(reopened.append(note('two')).seq, 2);
    reopened.close();
  });

  test('a journal that is only a torn line repairs to empty', () => {
    const file = freshPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"seq":1,');
    const j = Journal.open(file);
    assert.equal(j.repairedTornTail, true);
    assert.equal(fs.statSync(file).size, 0);
    assert.equal(j.append(note('first')).seq, 1);
    j.close();
  });

  test('an invalid line in the middle is corruption naming the line, for open and for readJournal', () => {
    const file = freshPath();
    const j = Journal.open(file);
    j.append(note('one'));
    j.append(note('two'));
    j.close();
    const [l1, l2] = lines(file);
    fs.writeFileSync(file, `${l1}\n{"seq":2,"ts":"x","type":"note","mes\n${l2?.replace('"seq":2', '"seq":3')}\n`);
    const size = fs.statSync(file).size;
    assert.throws(() => Journal.open(file), assertFerry('JOURNAL_CORRUPT', /line 2/));
    assert.throws(() => readJournal(file), assertFerry('JOURNAL_CORRUPT', /line 2/));
    assert.equal(fs.statSync(file).size, size, 'a corrupt journal is never truncated');
    try {
      Journal.open(file);
    } catch (err) {
      assert.match((err as FerryError).hint ?? '', /append-only/);
    }
  });

  test('a gap in seq numbers is corruption', () => {
    const file = freshPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, ['{"seq":1,"ts":"t","type":"note","message":"a"}', '{"seq":3,"ts":"t","type":"note","message":"b"}', ''].join('\n'));
    assert.throws(() => Journal.open(file), assertFerry('JOURNAL_CORRUPT', /line 2.*seq 3 where 2/));
  });

  test('a complete last line of the wrong shape is corruption, not a torn tail (a newer ferry\'s event is kept)', () => {
    const file = freshPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const content = '{"seq":1,"ts":"t","type":"note","message":"a"}\n{"seq":2,"ts":"t","type":"teleport"}\n';
    fs.writeFileSync(file, content);
    assert.throws(() => Journal.open(file), assertFerry('JOURNAL_CORRUPT', /line 2.*teleport/));
    assert.equal(fs.readFileSync(file, 'utf8'), content);
  });

  test('a journal from a newer format version is refused', () => {
    const file = freshPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"seq":1,"ts":"t","type":"run-started","runId":"r","formatVersion":99,"planSha256":"p","mode":"apply"}\n');
    assert.throws(() => Journal.open(file), assertFerry('JOURNAL_FORMAT_UNSUPPORTED'));
  });

  test('readJournal of a missing file is JOURNAL_NOT_FOUND', () => {
    assert.throws(() => readJournal(freshPath()), assertFerry('JOURNAL_NOT_FOUND'));
  });

  test('each append is written then fsynced before it returns; the first append also fsyncs the folder', (t) => {
    const calls: string[] = [];
    const originalWrite = fs.writeSync;
    const originalFsync = fs.fsyncSync;
    const write = mock.method(fs, 'writeSync');
    const fsync = mock.method(fs, 'fsyncSync');
    t.after(() => {
      write.mock.restore();
      fsync.mock.restore();
    });
    write.mock.mockImplementation(function (this: unknown, ...args: unknown[]) {
      calls.push('write');
      return (originalWrite as (...a: unknown[]) => number).apply(this, args);
    });
    fsync.mock.mockImplementation(function (this: unknown, ...args: unknown[]) {
      const fd = args[0] as number;
      calls.push(fs.fstatSync(fd).isDirectory() ? 'fsync-dir' : 'fsync');
      return (originalFsync as (...a: unknown[]) => void).apply(this, args);
    });
    const j = Journal.open(freshPath());
    j.append(note('one'));
    j.append(note('two'));
    j.close();
    assert.deepEqual(calls, ['write', 'fsync', 'fsync-dir', 'write', 'fsync']);
  });

  test('a full disk refuses later appends with the same JOURNAL_DISK_FULL (exit 130) and reopening repairs', (t) => {
    const file = freshPath();
    const j = Journal.open(file);
    j.append(note('one'));
    const write = mock.method(fs, 'writeSync', () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    t.after(() => write.mock.restore());
    assert.throws(() => j.append(note('two')), assertFerry('JOURNAL_DISK_FULL', /seq 2/));
    write.mock.restore();
    // The first failure is the one reported, however many appends follow it.
    assert.throws(() => j.append(note('three')), assertFerry('JOURNAL_DISK_FULL', /seq 2/));
    assert.equal(j.failure?.exitCode, 130);
    assert.match(j.failure?.hint ?? '', /free space .*ferry resume/);
    j.close();
    const again = Journal.open(file);
    assert.equal(again.append(note('two')).seq, 2);
    again.close();
  });

  test('another write error is JOURNAL_WRITE_FAILED, also exit 130', (t) => {
    const j = Journal.open(freshPath());
    const write = mock.method(fs, 'writeSync', () => {
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    t.after(() => write.mock.restore());
    assert.throws(() => j.append(note('one')), assertFerry('JOURNAL_WRITE_FAILED', /seq 1.*EIO/));
    assert.equal(j.failure?.exitCode, 130);
    write.mock.restore();
    j.close();
  });
});

describe('followJournal', () => {
  test('delivers existing and new events, waits for a partial line\'s newline, resolves on abort', async () => {
    const file = freshPath();
    const seen: number[] = [];
    const ac = new AbortController();
    const following = followJournal(file, (e) => seen.push(e.seq), ac.signal, { pollIntervalMs: 20 });
    try {
      // the file does not exist yet
      const j = Journal.open(file);
      j.append(note('one'));
      j.close();
      await waitFor(() => seen.length === 1, 'event 1');
      const line2 = '{"seq":2,"ts":"t","type":"note","message":"two"}\n';
      fs.appendFileSync(file, line2.slice(0, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, [1], 'a partial line is not delivered');
      fs.appendFileSync(file, line2.slice(20));
      await waitFor(() => seen.length === 2, 'event 2');
      // a writer dies mid-line; the next writer's open truncates it and appends: the follower reads on
      fs.appendFileSync(file, '{"seq":3,"ts":"t","type":"no');
      const k = Journal.open(file);
      assert.equal(k.repairedTornTail, true);
      k.append(note('three'));
      k.append(note('four'));
      k.close();
      await waitFor(() => seen.length === 4, 'events 3 and 4');
      assert.deepEqual(seen, [1, 2, 3, 4]);
    } finally {
      ac.abort();
    }
    await following;
  });

  test('afterSeq skips what a view already has; an already-aborted signal resolves at once', async () => {
    const file = freshPath();
    const j = Journal.open(file);
    for (let i = 0; i < 3; i += 1) j.append(note(`n${i}`));
    j.close();
    const seen: number[] = [];
    const ac = new AbortController();
    const following = followJournal(file, (e) => {
      seen.push(e.seq);
      if (seen.length === 1) ac.abort();
    }, ac.signal, { afterSeq: 2, pollIntervalMs: 20 });
    await following;
    assert.deepEqual(seen, [3]);
    await followJournal(file, () => assert.fail('no event after abort'), AbortSignal.abort());
  });

  test('rejects with JOURNAL_CORRUPT when a bad line is followed by more lines', async () => {
    const file = freshPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"seq":1,"ts":"t","type":"note","message":"a"}\ngarbage\n');
    const ac = new AbortController();
    const seen: number[] = [];
    const following = followJournal(file, (e) => seen.push(e.seq), ac.signal, { pollIntervalMs: 20 });
    try {
      await waitFor(() => seen.length === 1, 'event 1');
      fs.appendFileSync(file, '{"seq":2,"ts":"t","type":"note","message":"b"}\n');
      await assert.rejects(following, assertFerry('JOURNAL_CORRUPT', /line 2/));
    } finally {
      ac.abort();
    }
  });
});
