import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BugError } from '../../../src/errors.ts';
import type { JournalEvent, NewJournalEvent } from '../../../src/run/events.ts';
import { foldJournal, stepStateOf, summarizeRun } from '../../../src/run/fold.ts';

/** Numbers events 1.. and stamps them one second apart from 14:00:00. */
function journal(...events: NewJournalEvent[]): JournalEvent[] {
  return events.map((e, i) => ({ seq: i + 1, ts: new Date(Date.UTC(2024, 0, 31, 14, 0, i)).toISOString(), ...e }) as JournalEvent);
}
const started: NewJournalEvent = {
  type: 'run-started', runId: 'r1', formatVersion: 1, planSha256: 'p', inventoryPath: '/i.yaml', inventorySha256: 'i', ferryVersion: '0.1.0', mode: 'apply',
};
const state = (stepId: string, s: Extract<NewJournalEvent, { type: 'step-state' }>['state'], extra: object = {}): NewJournalEvent =>
  ({ type: 'step-state', stepId, state: s, ...extra }) as NewJournalEvent;
const err = { code: 'ETCD_MEMBER_ADD_FAILED', message: 'unhealthy cluster' };

describe('foldJournal', () => {
  test('an empty journal is a planned run with no steps', () => {
    const view = foldJournal([]);
    assert.equal(view.runState, 'planned');
    assert.equal(view.lastSeq, 0);
    assert.equal(view.steps.size, 0);
    assert.equal(stepStateOf(view, 'any'), 'pending');
  });

  test('a complete run: run metadata, step states, actions, gates, durations, order', () => {
    const view = foldJournal(journal(
      started,
      { type: 'process-attached', pid: 4242, command: 'ferry apply' },
      { type: 'run-state', state: 'running' },
      state('add-learner', 'running'),
      { type: 'action-started', stepId: 'add-learner', action: 'member-add', detail: { name: 'new21' } },
      { type: 'action-finished', stepId: 'add-learner', action: 'member-add', result: { memberId: '123' } },
      { type: 'action-skipped', stepId: 'add-learner', action: 'write-config', reason: 'already in place' },
      state('add-learner', 'verifying'),
      { type: 'progress', stepId: 'add-learner', kind: 'catch-up', data: { behind: 3 } as never },
      { type: 'gate', stepId: 'add-learner', ok: true, checks: [{ name: 'healthy', ok: true, detail: '3/3' }] },
      state('add-learner', 'done'),
      state('check-dns', 'skipped', { reason: 'no dns in inventory' }),
      { type: 'note', message: 'hello', stepId: 'add-learner' },
      { type: 'run-state', state: 'done' },
    ));
    assert.equal(view.runId, 'r1');
    assert.equal(view.mode, 'apply');
    assert.equal(view.planSha256, 'p');
    assert.equal(view.inventoryPath, '/i.yaml');
    assert.equal(view.runState, 'done');
    assert.deepEqual(view.pids, [4242]);
    assert.equal(view.startedAt, '2024-01-31T14:00:00.000Z');
    assert.equal(view.updatedAt, '2024-01-31T14:00:13.000Z');
    assert.equal(view.lastSeq, 14);
    assert.deepEqual(view.stepOrder, ['add-learner', 'check-dns']);
    assert.equal(view.currentStepId, undefined);
    const step = view.steps.get('add-learner');
    assert.ok(step);
    assert.equal(step.state, 'done');
    assert.equal(step.attempts, 1);
    assert.equal(step.startedAt, '2024-01-31T14:00:03.000Z');
    assert.equal(step.finishedAt, '2024-01-31T14:00:10.000Z');
    assert.equal(step.durationMs, 7000);
    assert.equal(step.inFlightAction, undefined);
    assert.deepEqual(step.actions, [
      { action: 'member-add', status: 'finished', detail: { name: 'new21' }, result: { memberId: '123' }, at: '2024-01-31T14:00:05.000Z' },
      { action: 'write-config', status: 'skipped', reason: 'already in place', at: '2024-01-31T14:00:06.000Z' },
    ]);
    assert.deepEqual(step.lastProgress, { kind: 'catch-up', data: { behind: 3 }, at: '2024-01-31T14:00:08.000Z' });
    assert.equal(step.lastGate?.ok, true);
    assert.equal(view.steps.get('check-dns')?.state, 'skipped');
    const summary = summarizeRun(view, ['add-learner', 'check-dns', 'remove-old']);
    assert.equal(summary.total, 3);
    assert.equal(summary.done, 1);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.pending, 1);
    assert.equal(summary.inFlight, 0);
  });

  test('a kill between action-started and action-finished: the action is in flight, the run interrupted', () => {
    const view = foldJournal(journal(
      started,
      { type: 'run-state', state: 'running' },
      state('a', 'running'),
      { type: 'action-started', stepId: 'a', action: 'member-add' },
      { type: 'action-finished', stepId: 'a', action: 'member-add' },
      { type: 'action-started', stepId: 'a', action: 'start-etcd' },
    ));
    assert.equal(view.runState, 'interrupted');
    assert.equal(view.currentStepId, 'a');
    const step = view.steps.get('a');
    assert.equal(step?.state, 'running');
    assert.equal(step?.inFlightAction, 'start-etcd');
    assert.equal(summarizeRun(view).inFlight, 1);
  });

  test('resume re-enters running: attempts counted, the dead attempt\'s open action is marked interrupted', () => {
    const view = foldJournal(journal(
      started,
      { type: 'run-state', state: 'running' },
      state('a', 'running'),
      { type: 'action-started', stepId: 'a', action: 'member-add' },
      // killed here; `ferry resume` attaches and re-enters the step
      { type: 'process-attached', pid: 2, command: 'ferry resume' },
      { type: 'run-state', state: 'running' },
      state('a', 'running', { reason: 'resumed' }),
    ));
    const step = view.steps.get('a');
    assert.ok(step);
    assert.equal(step.attempts, 2);
    assert.equal(step.inFlightAction, undefined);
    assert.deepEqual(step.actions.map((x) => [x.status, x.interrupted]), [['started', true]]);

    const events = journal(
      started,
      state('a', 'running'),
      { type: 'action-started', stepId: 'a', action: 'member-add' },
      state('a', 'running'),
      { type: 'action-started', stepId: 'a', action: 'member-add' },
    );
    const redo = foldJournal(events);
    assert.equal(redo.steps.get('a')?.inFlightAction, 'member-add');
    const done = foldJournal([...events, { seq: 6, ts: '2024-01-31T14:00:05.000Z', type: 'action-finished', stepId: 'a', action: 'member-add' }]);
    const actions = done.steps.get('a')?.actions ?? [];
    assert.deepEqual(actions.map((x) => x.status), ['started', 'finished'], 'the outcome settles the new attempt\'s entry');
    assert.equal(actions[0]?.interrupted, true);
    assert.equal(done.steps.get('a')?.inFlightAction, undefined);
  });

  test('failure, rollback and retry: errors, lastError and the current step', () => {
    const view = foldJournal(journal(
      started,
      { type: 'run-state', state: 'running' },
      state('a', 'running'),
      state('a', 'verifying'),
      state('a', 'done'),
      state('b', 'running'),
      { type: 'action-started', stepId: 'b', action: 'member-add' },
      { type: 'action-failed', stepId: 'b', action: 'member-add', error: err },
      state('b', 'failed', { error: err }),
      state('b', 'rolling-back'),
      state('b', 'rolled-back'),
      state('a', 'rolling-back'),
      state('a', 'rolled-back'),
      { type: 'run-state', state: 'rolled-back', error: err },
    ));
    assert.equal(view.runState, 'rolled-back');
    assert.deepEqual(view.lastError, err);
    const b = view.steps.get('b');
    assert.equal(b?.state, 'rolled-back');
    assert.deepEqual(b?.error, err);
    assert.equal(b?.actions[0]?.status, 'failed');
    assert.deepEqual(b?.actions[0]?.error, err);
    assert.equal(view.currentStepId, 'a', 'the unsettled step with the latest event');

    const retried = foldJournal(journal(started, state('b', 'running'), state('b', 'failed', { error: err }), state('b', 'running'), state('b', 'verifying'), state('b', 'done'), { type: 'run-state', state: 'done' }));
    const rb = retried.steps.get('b');
    assert.equal(rb?.error, undefined, 'running again clears the step error');
    assert.equal(rb?.attempts, 2);
    assert.equal(retried.lastError, undefined, 'a run that ends done has no last error');
  });

  test('an illegal transition is a BugError naming the seq', () => {
    assert.throws(() => foldJournal(journal(started, state('a', 'done'))), (e) => e instanceof BugError && /seq 2/.test(e.message) && /pending → done/.test(e.message));
    assert.throws(() => foldJournal(journal(started, state('a', 'skipped'), state('a', 'running'))), BugError);
  });

  test('interrupted only when the journal ends while running', () => {
    assert.equal(foldJournal(journal(started)).runState, 'planned');
    assert.equal(foldJournal(journal(started, { type: 'run-state', state: 'running' })).runState, 'interrupted');
    assert.equal(foldJournal(journal(started, { type: 'run-state', state: 'running' }, { type: 'run-state', state: 'interrupted' })).runState, 'interrupted');
    assert.equal(foldJournal(journal(started, { type: 'run-state', state: 'running' }, { type: 'run-state', state: 'rollback-failed' })).runState, 'rollback-failed');
  });

  test('a second run-started for a different run is a bug', () => {
    assert.throws(() => foldJournal(journal(started, { ...started, runId: 'other' } as NewJournalEvent)), BugError);
  });
});
