import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlAppender } from '../../../src/run/jsonl-appender.ts';
import { buildProbeKey, LATENCY_PROBE_PLAN_NOTE } from '../../../src/app/latency-probe.ts';
import { parseCommandRecords, parseLatencySamples } from '../../../src/run/recording-files.ts';
import { computeLatencySummary } from '../../../src/report/run-report.ts';
import { renderLatencyChartSvg, thinSamples } from '../../../src/report/latency-svg.ts';
import { buildTimeAxis, computeTicks, formatOffset } from '../../../src/report/time-axis.ts';
import { describeCommand, formatArgv, groupCommandsByHost } from '../../../src/report/command-text.ts';

describe('latency.jsonl', () => {
  test('samples in time order; failed samples keep their error; torn or foreign lines are skipped and counted', () => {
    const text = [
      '{"t":2000,"ms":3.5}',
      '{"t":1000,"ms":1.25}',
      '{"t":2500,"ms":null,"error":"14 UNAVAILABLE: No connection established"}',
      '{"t":"x","ms":1}',
      '{"t":3000}',
      '[1,2]',
      '',
      '{"t":3500,"ms":2',
    ].join('\n');
    const { records, skipped } = parseLatencySamples(text);
    assert.deepEqual(records, [
      { t: 1000, ms: 1.25 },
      { t: 2000, ms: 3.5 },
      { t: 2500, ms: null, error: '14 UNAVAILABLE: No connection established' },
    ]);
    assert.equal(skipped, 4);
  });

  test('summary: count, failed, percentiles over the answered samples', () => {
    const s = computeLatencySummary([{ t: 1, ms: 2 }, { t: 2, ms: null }, { t: 3, ms: 4 }, { t: 4, ms: 100 }]);
    assert.deepEqual(s, { samples: 4, failed: 1, p50Ms: 4, p99Ms: 100, maxMs: 100 });
    assert.ok(Number.isNaN(computeLatencySummary([]).p50Ms));
  });

  test('the probe key is one per run, and the plan note says what the probe does', () => {
    assert.equal(buildProbeKey('20260101-000000-ab12'), '/ferry/latency-probe/20260101-000000-ab12');
    assert.match(LATENCY_PROBE_PLAN_NOTE, /every 500 ms/);
    assert.match(LATENCY_PROBE_PLAN_NOTE, /latency\.jsonl/);
  });

  test('the chart: dots on a log scale, failures marked, phase starts dashed; thinned when there are very many', () => {
    const axis = buildTimeAxis(0, 60_000, 260, 880);
    const samples = [{ t: 1000, ms: 1.5 }, { t: 2000, ms: 1200 }, { t: 3000, ms: null, error: 'deadline <exceeded>' }];
    const svg = renderLatencyChartSvg(samples, computeLatencySummary(samples), [{ id: 2, title: 'Etcd', startedAt: new Date(500).toISOString(), states: ['done'] }], axis);
    assert.equal((svg.match(/<circle /g) ?? []).length, 2);
    assert.match(svg, />1 ms</);
    assert.match(svg, />10 s</);
    assert.match(svg, /failed: deadline &lt;exceeded&gt;/);
    assert.match(svg, /stroke-dasharray="3 3"><title>phase 2 starts: Etcd/);
    assert.match(svg, /3 samples, 1 failed/);
    const many = Array.from({ length: 20_000 }, (_, i) => ({ t: i * 3, ms: (i % 7) + 1 }));
    const thin = thinSamples(many, axis);
    assert.ok(thin.length <= 2 * 621 && thin.length > 100, String(thin.length));
    assert.ok(thin.some((s) => s.ms === 7) && thin.some((s) => s.ms === 1), 'each column keeps its fastest and slowest');
  });

  test('time axis: nice ticks, offsets as m:ss or h:mm:ss', () => {
    assert.deepEqual(computeTicks(buildTimeAxis(0, 40_000, 0, 100)), [0, 10_000, 20_000, 30_000, 40_000]);
    assert.equal(formatOffset(65_000), '1:05');
    assert.equal(formatOffset(3_725_000), '1:02:05');
  });
});

describe('commands.jsonl', () => {
  test('records in time order; unknown kinds dropped, bad lines skipped', () => {
    const text = [
      '{"t":5,"host":"h2","kind":"service","service":"etcd","action":"start","durationMs":3}',
      '{"t":1,"host":"h1","kind":"run","argv":["etcdctl","member list"],"exitCode":0,"durationMs":9}',
      '{"t":2,"host":"h1","kind":"weird","path":"/x","durationMs":1}',
      '{"t":3,"host":"h1","argv":"not-a-list","durationMs":1}',
      '{"host":"h1","durationMs":1}',
      'garbage',
    ].join('\n');
    const { records, skipped } = parseCommandRecords(text);
    assert.deepEqual(records, [
      { t: 1, host: 'h1', durationMs: 9, kind: 'run', argv: ['etcdctl', 'member list'], exitCode: 0 },
      { t: 2, host: 'h1', durationMs: 1, path: '/x' },
      { t: 3, host: 'h1', durationMs: 1 },
      { t: 5, host: 'h2', durationMs: 3, kind: 'service', service: 'etcd', action: 'start' },
    ]);
    assert.equal(skipped, 2);
  });

  test('in words: argv as a shell line, services as systemctl, writes with their backup; grouped by host', () => {
    assert.equal(formatArgv(['etcdctl', '--endpoints', 'http://a:2379', 'member list', "it's"]), `etcdctl --endpoints http://a:2379 'member list' 'it'\\''s'`);
    assert.equal(describeCommand({ t: 0, host: 'h', durationMs: 0, service: 'kube-apiserver', action: 'stop' }), 'systemctl stop kube-apiserver');
    assert.equal(describeCommand({ t: 0, host: 'h', durationMs: 0, kind: 'write-file', path: '/etc/a', backup: '/b/a' }), 'write /etc/a (backup /b/a)');
    assert.equal(describeCommand({ t: 0, host: 'h', durationMs: 0, kind: 'rename', path: '/a', to: '/b' }), 'mv /a /b');
    assert.equal(describeCommand({ t: 0, host: 'h', durationMs: 0, kind: 'reload-units' }), 'systemctl daemon-reload');
    const groups = groupCommandsByHost([
      { t: 3, host: 'b', durationMs: 0 },
      { t: 1, host: 'a', durationMs: 0 },
      { t: 2, host: 'b', durationMs: 0 },
      { t: 4, host: 'a', durationMs: 0 },
    ]);
    assert.deepEqual(groups.map((g) => [g.host, g.commands.map((c) => c.t)]), [['a', [1, 4]], ['b', [2, 3]]]);
  });
});

describe('JsonlAppender', () => {
  test('buffers up to maxLines, then writes them in one go; close writes the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-jsonl-'));
    try {
      const file = join(dir, 'x.jsonl');
      const a = new JsonlAppender(file, { maxLines: 3, maxDelayMs: 60_000 });
      a.append({ n: 1 });
      a.append({ n: 2 });
      assert.equal(readFileSync(file, 'utf8'), '');
      a.append({ n: 3 });
      assert.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":3}\n');
      a.append({ n: 4 });
      a.close();
      assert.equal(readFileSync(file, 'utf8').split('\n').length, 5);
      a.append({ n: 5 });
      assert.ok(!readFileSync(file, 'utf8').includes('"n":5'), 'dropped after close');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that cannot be opened is said once and never throws', () => {
    const said: string[] = [];
    const a = new JsonlAppender('/nonexistent-dir-ferry/x.jsonl', { onError: (m) => said.push(m) });
    a.append({ n: 1 });
    a.close();
    assert.equal(said.length, 1);
    assert.match(said[0] ?? '', /cannot write \/nonexistent-dir-ferry\/x\.jsonl/);
  });
});
