import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeLongestOutage } from '../../../src/report/outage.ts';
import { collectFileChanges } from '../../../src/report/file-changes.ts';
import { buildPhaseTimeline, findStepAt } from '../../../src/report/timeline.ts';
import { renderDemoReport, type DemoReport } from '../../../src/report/demo-report.ts';
import { type ClusterPicture } from '../../../src/observe/types.ts';
import type { RunView, StepView } from '../../../src/run/fold.ts';
import type { Plan } from '../../../src/plan/types.ts';

describe('computeLongestOutage', () => {
  test('the longest run without an answer, from the first failed sample to the first good one', () => {
    const o = computeLongestOutage([
      { t: 0, up: 'old' },
      { t: 100 },
      { t: 200, up: 'old' },
      { t: 300 },
      { t: 400 },
      { t: 500 },
      { t: 600, up: 'new' },
    ]);
    assert.deepEqual(o, { from: 300, to: 600, ms: 300, before: 'old', after: 'new', recovered: true });
  });
  test('none when every sample answered; not recovered when it ends down', () => {
    assert.equal(computeLongestOutage([{ t: 0, up: 'a' }, { t: 1, up: 'a' }]), undefined);
    assert.deepEqual(computeLongestOutage([{ t: 0, up: 'a' }, { t: 10 }, { t: 30 }]), { from: 10, to: 30, ms: 20, before: 'a', recovered: false });
  });
});

function stepView(id: string, startedAt: string, finishedAt: string | undefined, actions: StepView['actions'] = []): StepView {
  return { stepId: id, state: finishedAt ? 'done' : 'running', attempts: 1, startedAt, ...(finishedAt ? { finishedAt } : {}), actions };
}

const plan = {
  phases: [
    { id: 1, key: 'stop-console', title: 'Stop', reason: 'r', steps: [{ id: 'a', title: 'A' }] },
    { id: 2, key: 'etcd-first', title: 'Etcd', reason: 'r', steps: [{ id: 'b', title: 'B' }, { id: 'c', title: 'C' }] },
  ],
} as unknown as Plan;

function view(steps: StepView[]): RunView {
  return { runState: 'done', lastSeq: 1, steps: new Map(steps.map((s) => [s.stepId, s])), stepOrder: steps.map((s) => s.stepId), pids: [] };
}

describe('timeline and file changes from the journal', () => {
  const v = view([
    stepView('a', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', [
      { action: 'write', status: 'finished', detail: { host: '10.0.0.1' }, result: { files: [{ path: '/etc/sysconfig/etcd', backup: '/var/lib/ferry/backups/r/_etc_sysconfig_etcd' }, { path: '/etc/systemd/system/etcd.service' }] }, at: 'x' },
      { action: 'write', status: 'failed', detail: { host: '10.0.0.1' }, result: { files: [{ path: '/nope' }] }, at: 'x' },
    ]),
    stepView('b', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:05.000Z', [{ action: 'backup', status: 'finished', result: { files: [{ path: '/run/x/dns-backup/skydns.json' }] }, at: 'x' }]),
    stepView('c', '2026-01-01T00:00:05.000Z', undefined),
  ]);
  test('phases: from the first step start to the last finish; unfinished phases have no duration', () => {
    const t = buildPhaseTimeline(plan, v);
    assert.equal(t[0]?.durationMs, 1000);
    assert.equal(t[1]?.durationMs, undefined);
    assert.deepEqual(t[1]?.states, ['done', 'running']);
    assert.equal(findStepAt(plan, v, Date.parse('2026-01-01T00:00:03.000Z')), 'phase 2: B');
  });
  test('files: finished actions only, with host and backup; no host means ferry’s own machine', () => {
    assert.deepEqual(collectFileChanges(v), [
      { stepId: 'a', host: '10.0.0.1', path: '/etc/sysconfig/etcd', backup: '/var/lib/ferry/backups/r/_etc_sysconfig_etcd' },
      { stepId: 'a', host: '10.0.0.1', path: '/etc/systemd/system/etcd.service' },
      { stepId: 'b', host: 'ferry (local)', path: '/run/x/dns-backup/skydns.json' },
    ]);
  });
});

describe('renderDemoReport', () => {
  const picture = (leader: string, master: 'old' | 'new'): ClusterPicture => ({
    etcd: { members: [{ id: '1', name: 'e0', peerURLs: ['http://10.0.0.1:4010'], clientURLs: ['http://10.0.0.1:4012'], isLearner: false }], leaderId: leader, version: '3.4.23' },
    masters: [
      { role: 'old', host: '10.0.0.30', apiserver: 'http://10.0.0.30:8080', answers: master === 'old', units: { 'kube-apiserver': master === 'old' ? 'active' : 'inactive' } },
      { role: 'new', host: '10.0.0.20', apiserver: 'http://10.0.0.20:8080', answers: master === 'new', units: { 'kube-apiserver': master === 'new' ? 'active' : 'inactive' } },
    ],
    nodes: { apiserver: 'http://x', list: [{ name: 'n1', ready: 'True' }] },
    dns: { server: '127.16.40.1', name: 'kubernetes.default.svc.domeos.local', answer: ['127.16.0.1'], expected: '127.16.0.1', controllers: ['skydns (1/1 ready)'] },
    console: { api: '10.0.0.30:8080', etcd: 'http://10.0.0.1:4012', watcher: 'RUNNING' },
  });
  test('before and after side by side, the stall, the outage and the files', () => {
    const r: DemoReport = {
      runId: 'r1',
      runState: 'done',
      exitCode: 0,
      durationMs: 61_000,
      before: picture('1', 'old'),
      after: picture('1', 'new'),
      dataCheck: { ok: true, keys: 10, missing: [], wrong: [] },
      writes: { writes: 100, acked: 100, failed: 0, lost: 0, longestStallMs: 87, longestStallDuring: 'phase 2: B', p99Ms: 12 },
      apiserverOutage: { from: 0, to: 2300, ms: 2300, before: 'http://10.0.0.30:8080', after: 'http://10.0.0.20:8080', recovered: true },
      phases: [{ id: 1, title: 'Stop', durationMs: 1000, states: ['done'] }],
      steps: [],
      files: [{ stepId: 'a', host: '10.0.0.1', path: '/etc/sysconfig/etcd', backup: '/b' }],
      labKept: false,
    };
    const text = renderDemoReport(r);
    assert.match(text, /etcd BEFORE\s+etcd AFTER/);
    assert.match(text, /e0 10\.0\.0\.1:4012 LEADER/);
    assert.match(text, /old 10\.0\.0\.30: answers; apiserver\s+old 10\.0\.0\.30: down; nothing running/);
    assert.match(text, /→ 127\.16\.0\.1 \(correct\)/);
    assert.match(text, /longest write stall 87 ms \(during phase 2: B\)/);
    assert.match(text, /apiserver outage: 2\.3 s with no apiserver answering \(from http:\/\/10\.0\.0\.30:8080 to http:\/\/10\.0\.0\.20:8080\)/);
    assert.match(text, /10\.0\.0\.1 \/etc\/sysconfig\/etcd \(backup \/b\)/);
  });
});
