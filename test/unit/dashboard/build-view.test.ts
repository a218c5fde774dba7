import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboardView } from '../../../src/dashboard/build-view.ts';
import { buildMasterBoard } from '../../../src/dashboard/master-board.ts';
import { planSteps } from '../../../src/plan/plan-steps.ts';
import { DEFAULT_MASTER_TIMEOUTS } from '../../../src/plan/defaults.ts';
import { describeRestartMaster } from '../../../src/plan/describe-master.ts';
import type { Plan, Step } from '../../../src/plan/types.ts';
import type { JournalEvent, NewJournalEvent } from '../../../src/run/events.ts';
import { appendStepDone, appendWholeRun, buildApplyEvents, createTestRun } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-dash-view-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newRun = () => createTestRun(dir, `20260131-140000-v${(n += 1)}`);

describe('buildDashboardView', () => {
  test('a run that has not started a step: every step pending, old members voters, new ones planned, old master running', () => {
    const run = newRun();
    const v = buildDashboardView(run.plan, run.journal.events(), { inventory: run.inventory, writerAlive: true });
    assert.equal(v.runState, 'running', 'the writer lives: running, not interrupted');
    assert.deepEqual(v.phases.map((p) => `${p.id}:${p.state}`), ['1:empty', '2:pending', '3:pending', '4:pending', '5:pending', '6:pending', '7:pending', '8:empty', '9:empty'], 'the nine phases');
    assert.ok(v.phases.flatMap((p) => p.steps).every((s) => s.state === 'pending'));
    assert.deepEqual(v.etcd.members.map((m) => `${m.name}:${m.side}:${m.status}${m.leader ? ':leader' : ''}`), [
      'old0:old:voter', 'old1:old:voter:leader', 'old2:old:voter', 'new0:new:planned', 'new1:new:planned', 'new2:new:planned',
    ]);
    assert.equal(v.master?.old.units['kube-apiserver'], 'running');
    assert.equal(v.master?.new.units['kube-apiserver'], 'stopped');
    assert.deepEqual(v.nodes?.nodes.map((x) => x.state), ['pending', 'pending']);
    assert.equal(v.failure, undefined);
    assert.equal(buildDashboardView(run.plan, run.journal.events(), { writerAlive: false }).runState, 'interrupted', 'a dead writer: interrupted');
  });

  test('mid-step: the learner with its catch-up, the step running with its action in flight', () => {
    const run = newRun();
    const [snapshot, replace] = planSteps(run.plan);
    assert.ok(snapshot && replace?.kind === 'etcd.replace');
    appendStepDone(run.journal, snapshot);
    run.journal.append({ type: 'step-state', stepId: replace.id, state: 'running' });
    const events = buildApplyEvents(replace);
    for (const e of events.slice(0, 7)) run.journal.append(e); // add-learner, write-config, start-service, one catch-up
    run.journal.append({ type: 'action-started', stepId: replace.id, action: 'promote', detail: { member: replace.params.new.name } });
    const v = buildDashboardView(run.plan, run.journal.events(), { inventory: run.inventory, writerAlive: true });
    const phase = v.phases.find((p) => p.id === replace.phase);
    const step = phase?.steps.find((s) => s.id === replace.id);
    assert.equal(step?.state, 'running');
    assert.equal(step?.inFlightAction, 'promote');
    assert.equal(step?.progress?.kind, 'catch-up');
    assert.equal(phase?.state, 'running');
    assert.equal(v.currentStepId, replace.id);
    const learner = v.etcd.members.find((m) => m.name === replace.params.new.name);
    assert.equal(learner?.status, 'learner');
    assert.equal(learner?.running, true);
    assert.equal(learner?.catchUp?.percent, 50);
    assert.equal(learner?.busy, 'promote');
  });

  test('a whole run: steps and phases done with durations, new members voters (new2 leads), old removed, masters swapped, nodes done', () => {
    const run = newRun();
    appendWholeRun(run);
    const v = buildDashboardView(run.plan, run.journal.events(), { inventory: run.inventory, writerAlive: false });
    assert.equal(v.runState, 'done');
    const steps = v.phases.flatMap((p) => p.steps);
    assert.ok(steps.every((s) => s.state === 'done' && typeof s.durationMs === 'number'), JSON.stringify(steps.map((s) => [s.id, s.state])));
    assert.ok(v.phases.every((p) => p.state === 'done' || p.state === 'empty'));
    assert.equal(v.counts['done'], steps.length);
    const byName = new Map(v.etcd.members.map((m) => [m.name, m]));
    for (const name of ['new0', 'new1', 'new2']) assert.equal(byName.get(name)?.status, 'voter', name);
    for (const name of ['old0', 'old1', 'old2']) assert.equal(byName.get(name)?.status, 'removed', name);
    assert.equal(v.etcd.leader, 'new2', 'old1 led and was replaced by new2 last, leadership moved to it');
    assert.deepEqual(v.etcd.members.filter((m) => m.leader).map((m) => m.name), ['new2']);
    assert.deepEqual(v.master?.old.units, { flanneld: 'running', 'kube-apiserver': 'stopped', 'kube-controller': 'stopped', 'kube-scheduler': 'stopped', 'kube-proxy': 'stopped' });
    assert.deepEqual(v.master?.new.units, { flanneld: 'running', 'kube-apiserver': 'running', 'kube-controller': 'running', 'kube-scheduler': 'running', 'kube-proxy': 'running' });
    assert.deepEqual(v.nodes?.counts, { pending: 0, running: 0, done: 2, failed: 0, 'rolled-back': 0 });
    assert.equal(v.nodes?.nodes[0]?.detail, 'Ready after 1.5 s');
    assert.equal(v.failure, undefined);
  });

  test('a failed step: what failed (step, action), why (code, message, hint) and what was rolled back', () => {
    const run = newRun();
    const steps = planSteps(run.plan);
    const startNew = steps.find((s) => s.kind === 'master.start-new');
    assert.ok(startNew);
    for (const s of steps.slice(0, steps.indexOf(startNew))) appendStepDone(run.journal, s, s.kind === 'etcd.replace' ? 'old1' : undefined);
    const j = run.journal;
    const id = startNew.id;
    j.append({ type: 'step-state', stepId: id, state: 'running' });
    j.append({ type: 'action-started', stepId: id, action: 'start:kube-apiserver', detail: { host: '127.36.9.20', unit: 'kube-apiserver' } });
    const error = { code: 'MASTER_NOT_HEALTHY', message: 'http://127.36.9.20:8080/healthz did not answer ok within 8000 ms', hint: 'read the apiserver log', retryable: true, subjects: { apiserver: 'http://127.36.9.20:8080' } };
    j.append({ type: 'action-failed', stepId: id, action: 'start:kube-apiserver', error });
    j.append({ type: 'step-state', stepId: id, state: 'failed', error });
    j.append({ type: 'step-state', stepId: id, state: 'rolling-back', reason: error.message });
    j.append({ type: 'action-skipped', stepId: id, action: 'stop-new:kube-proxy', reason: 'kube-proxy on 127.36.9.20 is inactive' });
    j.append({ type: 'action-started', stepId: id, action: 'stop-new:kube-apiserver', detail: { host: '127.36.9.20', unit: 'kube-apiserver' } });
    j.append({ type: 'action-finished', stepId: id, action: 'stop-new:kube-apiserver' });
    for (const u of ['kube-apiserver', 'kube-proxy', 'kube-scheduler', 'kube-controller']) {
      j.append({ type: 'action-started', stepId: id, action: `restart-old:${u}`, detail: { host: '127.36.9.30', unit: u } });
      j.append({ type: 'action-finished', stepId: id, action: `restart-old:${u}` });
    }
    j.append({ type: 'step-state', stepId: id, state: 'rolled-back' });
    j.append({ type: 'run-state', state: 'rolled-back', error });
    const v = buildDashboardView(run.plan, j.events(), { inventory: run.inventory });
    assert.equal(v.runState, 'rolled-back');
    const f = v.failure;
    assert.ok(f);
    assert.equal(f.stepId, 'master.start-new');
    assert.equal(f.state, 'rolled-back');
    assert.equal(f.action, 'start:kube-apiserver');
    assert.equal(f.error.code, 'MASTER_NOT_HEALTHY');
    assert.equal(f.error.hint, 'read the apiserver log');
    assert.equal(f.afterAction, undefined, 'an action failed: no need to say what came before');
    assert.deepEqual(f.rollback.map((r) => `${r.action}:${r.status}`), [
      'stop-new:kube-proxy:skipped', 'stop-new:kube-apiserver:finished',
      'restart-old:kube-apiserver:finished', 'restart-old:kube-proxy:finished', 'restart-old:kube-scheduler:finished', 'restart-old:kube-controller:finished',
    ]);
    assert.equal(v.phases.find((p) => p.id === 4)?.state, 'rolled-back');
    assert.equal(v.master?.old.units['kube-apiserver'], 'running', 'the old master runs again');
    assert.equal(v.master?.new.units['kube-apiserver'], 'stopped');

    j.append({ type: 'run-state', state: 'running' });
    j.append({ type: 'step-state', stepId: id, state: 'running', reason: 'resumed' });
    assert.equal(buildDashboardView(run.plan, j.events()).failure, undefined, 'a resume running the step again clears the panel');
  });

  test('nodes: a node that failed and restored itself is rolled back, one whose rollback failed is failed; a refused precheck is a panel with nothing rolled back', () => {
    const run = newRun();
    const nodesStep = planSteps(run.plan).find((s) => s.kind === 'nodes.repoint');
    assert.ok(nodesStep);
    const j = run.journal;
    const id = nodesStep.id;
    j.append({ type: 'step-state', stepId: id, state: 'running' });
    j.append({ type: 'progress', stepId: id, kind: 'rollout', data: { done: 0, total: 2, failed: 0, running: 1, phase: 'canary', batch: 0 } });
    j.append({ type: 'action-started', stepId: id, action: 'node:n1', detail: { host: '127.36.9.39' } });
    j.append({ type: 'action-failed', stepId: id, action: 'node:n1', error: { code: 'NODE_UPDATE_ROLLED_BACK', message: 'node n1: kubelet did not start' } });
    j.append({ type: 'action-started', stepId: id, action: 'node:n2', detail: { host: '127.36.9.40' } });
    let v = buildDashboardView(run.plan, j.events());
    assert.deepEqual(v.nodes?.nodes.map((x) => x.state), ['rolled-back', 'running']);
    assert.equal(v.nodes?.rollout?.['phase'], 'canary');
    j.append({ type: 'action-failed', stepId: id, action: 'node:n2', error: { code: 'NODE_ROLLBACK_FAILED', message: 'node n2: and so did the rollback' } });
    const error = { code: 'NODES_FAILED', message: '2 node(s) failed' };
    j.append({ type: 'step-state', stepId: id, state: 'failed', error });
    j.append({ type: 'step-state', stepId: id, state: 'rolling-back' });
    j.append({ type: 'note', stepId: id, message: 'nodes already repointed stay on the new master' });
    j.append({ type: 'step-state', stepId: id, state: 'rolled-back' });
    j.append({ type: 'run-state', state: 'rolled-back', error });
    v = buildDashboardView(run.plan, j.events());
    assert.deepEqual(v.nodes?.counts, { pending: 0, running: 0, done: 0, failed: 1, 'rolled-back': 1 });
    assert.deepEqual(v.failure?.failedActions.map((a) => `${a.action} ${a.code}`), ['node:n1 NODE_UPDATE_ROLLED_BACK', 'node:n2 NODE_ROLLBACK_FAILED']);
    assert.deepEqual(v.failure?.rollbackNotes, ['nodes already repointed stay on the new master']);
    assert.equal(v.failure?.action, 'node:n2');

    const refused = newRun();
    const first = planSteps(refused.plan)[0];
    assert.ok(first);
    refused.journal.append({ type: 'note', stepId: first.id, message: 'precheck refused: the etcd cluster is not healthy' });
    refused.journal.append({ type: 'run-state', state: 'refused', error: { code: 'ETCD_UNHEALTHY', message: 'the etcd cluster is not healthy' } });
    const r = buildDashboardView(refused.plan, refused.journal.events());
    assert.equal(r.failure?.state, 'refused');
    assert.equal(r.failure?.stepId, first.id);
    assert.equal(r.failure?.error.code, 'ETCD_UNHEALTHY');
    assert.deepEqual(r.failure?.rollback, []);
  });

  test('a step failed by a wait or a check, not by an action: the panel names the last action done before it', () => {
    const run = newRun();
    const first = planSteps(run.plan)[0];
    assert.ok(first);
    const j = run.journal;
    j.append({ type: 'step-state', stepId: first.id, state: 'running' });
    j.append({ type: 'action-started', stepId: first.id, action: 'start:kube-apiserver', detail: { unit: 'kube-apiserver' } });
    j.append({ type: 'action-finished', stepId: first.id, action: 'start:kube-apiserver' });
    j.append({ type: 'step-state', stepId: first.id, state: 'failed', error: { code: 'MASTER_NOT_HEALTHY', message: 'no answer' } });
    const f = buildDashboardView(run.plan, j.events()).failure;
    assert.equal(f?.action, undefined);
    assert.equal(f?.afterAction, 'start:kube-apiserver');
    assert.equal(f?.state, 'failed');
  });

  test('a journal the fold rejects (an illegal transition) is said, not guessed at', () => {
    const run = newRun();
    const first = planSteps(run.plan)[0];
    assert.ok(first);
    run.journal.append({ type: 'step-state', stepId: first.id, state: 'done' });
    const v = buildDashboardView(run.plan, run.journal.events());
    assert.match(v.foldError ?? '', /illegal step transition/);
  });
});

describe('buildMasterBoard in a walk-back', () => {
  test('master.restart: the master the run moved to stops, the original one starts; its tiles follow the swapped sides', () => {
    const run = newRun();
    const inv = run.inventory;
    assert.ok(inv.master);
    // A walk-back's inventory has the sides swapped: its "old" is the forward run's new master, its "new" the original.
    const original = inv.master.old;
    const movedTo = inv.master.new;
    const restart: Step = { id: 'master.restart', kind: 'master.restart', phase: 4, ...describeRestartMaster(original, movedTo), params: { master: original, other: movedTo, timeouts: DEFAULT_MASTER_TIMEOUTS } };
    const plan: Plan = { ...run.plan, phases: run.plan.phases.map((p) => ({ ...p, steps: p.id === 4 ? [restart] : [] })), observed: { ...run.plan.observed, kube: undefined } };
    const events = (list: NewJournalEvent[]) => list.map((e, i) => ({ ...e, seq: i + 1, ts: '2026-01-31T14:00:00Z' }) as JournalEvent);
    const before = buildMasterBoard(plan, []);
    assert.equal(before?.old.host, movedTo.host, 'the "old" tile is the master being left');
    assert.equal(before?.new.host, original.host, 'the "new" tile is the original master coming back');
    const stopped = ['kube-controller', 'kube-scheduler', 'kube-proxy', 'kube-apiserver', 'flanneld'].flatMap((u): NewJournalEvent[] => [
      { type: 'action-started', stepId: restart.id, action: `stop-other:${u}`, detail: { host: movedTo.host, unit: u } },
      { type: 'action-finished', stepId: restart.id, action: `stop-other:${u}` },
    ]);
    const starting: NewJournalEvent[] = [
      { type: 'action-started', stepId: restart.id, action: 'start:kube-apiserver:reset-failed', detail: { host: original.host, unit: 'kube-apiserver' } },
      { type: 'action-finished', stepId: restart.id, action: 'start:kube-apiserver:reset-failed' },
      { type: 'action-started', stepId: restart.id, action: 'start:kube-apiserver', detail: { host: original.host, unit: 'kube-apiserver' } },
    ];
    const mid = buildMasterBoard(plan, events([...stopped, ...starting]));
    assert.deepEqual(mid?.old.units, { flanneld: 'stopped', 'kube-apiserver': 'stopped', 'kube-controller': 'stopped', 'kube-scheduler': 'stopped', 'kube-proxy': 'stopped' });
    assert.equal(mid?.new.units['kube-apiserver'], 'starting');
    const done = buildMasterBoard(plan, events([...stopped, ...starting, { type: 'action-finished', stepId: restart.id, action: 'start:kube-apiserver' }]));
    assert.equal(done?.new.units['kube-apiserver'], 'running');
    assert.equal(done?.new.units['kube-scheduler'], 'stopped', 'scheduler and controller stay held back');
  });
});
