import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePercentile, computeStalls, computeWriteStats, computeWriterLagMs } from '../../../src/write-load/write-stats.ts';
import { computeLoss } from '../../../src/write-load/verify-keys.ts';
import { computeStallByAction, describeStallPlace } from '../../../bench/timeline.ts';
import { computeVerdicts, writeBenchmarksSection, type ModeResult } from '../../../bench/report.ts';
import { buildWriteKey, type WriteRecord } from '../../../src/write-load/writer.ts';

function rec(seq: number, scheduledAt: number, ackAt: number | undefined, extra: Partial<WriteRecord> = {}): WriteRecord {
  return {
    seq,
    key: buildWriteKey('t', seq),
    value: String(seq),
    scheduledAt,
    startedAt: scheduledAt,
    ...(ackAt !== undefined ? { ackAt } : {}),
    attempts: 1,
    failed: ackAt === undefined,
    ...extra,
  };
}

describe('write stats', () => {
  test('keys sort in write order', () => {
    assert.equal(buildWriteKey('x', 42), 'bench/x/00000042');
    assert.ok(buildWriteKey('x', 9) < buildWriteKey('x', 10));
  });

  test('nearest-rank percentile', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(computePercentile(v, 50), 50);
    assert.equal(computePercentile(v, 99), 99);
    assert.equal(computePercentile([7], 99), 7);
    assert.ok(Number.isNaN(computePercentile([], 50)));
  });

  test('stalls are the gaps between acknowledgements, window edges included, longest first', () => {
    const records = [rec(0, 0, 110), rec(1, 5, 120), rec(2, 10, 400), rec(3, 15, undefined)];
    const stalls = computeStalls(records, { from: 100, to: 500 });
    assert.deepEqual(
      stalls.map((s) => [s.from, s.to]),
      [
        [120, 400],
        [400, 500],
        [100, 110],
        [110, 120],
      ],
    );
    assert.equal(stalls[0]?.ms, 280);
  });

  test('latency counts from the scheduled time; failed and retried writes are counted', () => {
    const records = [rec(0, 0, 10), rec(1, 5, 305, { attempts: 3, lastError: '14 UNAVAILABLE: x 12' }), rec(2, 10, undefined, { attempts: 2, lastError: 'boom' })];
    const s = computeWriteStats(records, { from: 0, to: 400 });
    assert.equal(s.writes, 3);
    assert.equal(s.acked, 2);
    assert.equal(s.failed, 1);
    assert.equal(s.retried, 2);
    assert.equal(s.maxLatencyMs, 300);
    assert.equal(s.p50Ms, 10);
    assert.equal(s.longestStall.ms, 295);
    assert.deepEqual(s.retryErrors, { 'N UNAVAILABLE: x N': 1, boom: 1 });
  });

  test('writer lag is how late a write inside the window went out', () => {
    const records = [rec(0, 0, 5), rec(1, 5, 50, { startedAt: 45 }), rec(2, 500, 510, { startedAt: 900 })];
    assert.equal(computeWriterLagMs(records, { from: 0, to: 100 }), 40);
  });
});

describe('loss', () => {
  test('an acknowledged write that is missing or different is lost; an unacknowledged one is not', () => {
    const records = [rec(0, 0, 1), rec(1, 5, 6), rec(2, 10, 11), rec(3, 15, undefined)];
    const found = new Map([
      [buildWriteKey('t', 0), '0'],
      [buildWriteKey('t', 1), 'other'],
    ]);
    const loss = computeLoss('http://e', records, found);
    assert.equal(loss.lost, 2);
    assert.deepEqual(loss.examples, [buildWriteKey('t', 1), buildWriteKey('t', 2)]);
  });
});

describe('timeline', () => {
  const timeline = {
    actions: [
      { label: 'r: add-learner', start: 0, end: 10 },
      { label: 'r: write-config', start: 10, end: 20 },
      { label: 'r: remove-member', start: 100, end: 110 },
      { label: 'r: archive-old-data', start: 120, end: 130 },
    ],
    marks: [{ at: 50, label: 'r: health gate passed' }],
  };

  test('a stall is placed in the actions it overlaps, else between the moments around it', () => {
    assert.equal(describeStallPlace({ ms: 5, from: 102, to: 107 }, timeline), 'during r: remove-member');
    assert.match(describeStallPlace({ ms: 20, from: 60, to: 80 }, timeline), /after "r: health gate passed", before "r: remove-member started"/);
  });

  test('each membership action owns the time until the next one; the last one keeps a tail', () => {
    const stalls = [
      { ms: 30, from: 40, to: 70 },
      { ms: 400, from: 140, to: 540 },
    ];
    const by = computeStallByAction(stalls, timeline, 1000);
    assert.deepEqual(
      by.map((a) => [a.label, a.stallMs]),
      [
        ['r: add-learner', 30],
        ['r: remove-member', 400],
      ],
    );
  });
});

describe('report', () => {
  const base = (mode: ModeResult['mode'], stallMs: number, extra: Partial<ModeResult> = {}): ModeResult =>
    ({
      run: 1,
      mode,
      writer: 'own-failover',
      outcome: 'done',
      migrationMs: 1000,
      stats: { longestStall: { ms: stallMs, from: 0, to: stallMs } },
      steady: { longestStall: { ms: 1, from: 0, to: 1 } },
      totalWrites: 10,
      totalFailed: 0,
      loss: [{ endpoint: 'e', keys: 10, lost: 0, examples: [] }],
      stallPlaces: [],
      load: 1,
      mainLoopMaxDelayMs: 1,
      writerLoopMaxDelayMs: 1,
      timeline: [],
      stallByAction: [],
      ...extra,
    }) as unknown as ModeResult;

  test('targets: stall ≤ 100 ms, 10× shorter than literal, nothing failed or lost, migration done', () => {
    assert.equal(computeVerdicts([base('ferry', 60), base('literal', 1000)])[0]?.met, true);
    assert.equal(computeVerdicts([base('ferry', 120), base('literal', 2000)])[0]?.stallOk, false);
    assert.equal(computeVerdicts([base('ferry', 60), base('literal', 500)])[0]?.ratioOk, false);
    assert.equal(computeVerdicts([base('ferry', 60, { totalFailed: 1 }), base('literal', 1000)])[0]?.met, false);
    assert.equal(computeVerdicts([base('ferry', 60, { verifyError: 'x' }), base('literal', 1000)])[0]?.lostOk, false);
    assert.equal(computeVerdicts([base('ferry', 60, { outcome: 'rolled-back' }), base('literal', 1000)])[0]?.met, false);
  });

  test('the generated section is replaced in place and the rest of the file is kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
    try {
      const path = join(dir, 'BENCHMARKS.md');
      writeFileSync(path, '# b\n\nhand-written\n');
      writeBenchmarksSection(path, 'x', 'first');
      writeFileSync(path, `${readFileSync(path, 'utf8')}\nafter\n`);
      writeBenchmarksSection(path, 'x', 'second');
      const text = readFileSync(path, 'utf8');
      assert.match(text, /hand-written/);
      assert.match(text, /second/);
      assert.doesNotMatch(text, /first/);
      assert.match(text, /after\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
