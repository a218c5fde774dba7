import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSteps } from '../../../src/run/runner.ts';
import { Journal } from '../../../src/run/journal.ts';
import { foldJournal } from '../../../src/run/fold.ts';
import { FerryError } from '../../../src/errors.ts';
import type { Plan, Step } from '../../../src/plan/types.ts';
import type { StepContext, StepHandler } from '../../../src/run/step-context.ts';
import type { Deps } from '../../../src/ports/deps.ts';
import type { Inventory } from '../../../src/inventory/types.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function snapshotStep(id: string): Step {
  return { id, kind: 'etcd.snapshot', phase: 2, title: id, does: ['x'], checks: ['x'], undoes: ['x'], params: { dir: 'run' } };
}

function makePlan(ids: string[]): Plan {
  return {
    kind: 'ferry-plan',
    formatVersion: 1,
    inventory: { name: 't', path: 't.yaml', sha256: 'x' },
    observedFingerprint: 'f',
    observed: { etcd: { members: [], leaderId: '0', version: '3.4.23' } },
    targetVoters: 3,
    notes: [],
    phases: [{ id: 2, key: 'etcd-first', title: 'p', reason: 'r', steps: ids.map(snapshotStep) }],
  };
}

type Script = Partial<Record<'precheck' | 'apply' | 'verify' | 'rollback', (ctx: StepContext) => Promise<void>>>;

function handlers(scripts: Record<string, Script>, calls: string[]): (s: Step) => StepHandler {
  return (s) => {
    const sc = scripts[s.id] ?? {};
    const phase = (name: keyof Script) => async (_step: Step, ctx: StepContext) => {
      calls.push(`${s.id}:${name}`);
      await sc[name]?.(ctx);
    };
    return { precheck: phase('precheck'), apply: phase('apply'), verify: phase('verify'), rollback: phase('rollback') };
  };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-runner-'));
  dirs.push(dir);
  const path = join(dir, 'journal.jsonl');
  return { dir, path, journal: Journal.open(path) };
}

const deps = {} as Deps;
const inventory = {} as Inventory;

function run(plan: Plan, journal: Journal, dir: string, scripts: Record<string, Script>, calls: string[], signal = new AbortController().signal) {
  return runSteps({ runId: 'r', runDir: dir, plan, inventory, journal, deps, signal, handlerFor: handlers(scripts, calls) });
}

describe('runner', () => {
  test('runs every step through precheck, apply, verify, in order, and journals each transition', async () => {
    const { dir, journal } = setup();
    const calls: string[] = [];
    const out = await run(makePlan(['a', 'b']), journal, dir, {}, calls);
    assert.equal(out.runState, 'done');
    assert.equal(out.exitCode, 0);
    assert.deepEqual(calls, ['a:precheck', 'a:apply', 'a:verify', 'b:precheck', 'b:apply', 'b:verify']);
    const view = foldJournal(journal.events());
    assert.equal(view.steps.get('a')?.state, 'done');
    assert.equal(view.steps.get('b')?.state, 'done');
    assert.equal(view.runState, 'done');
  });

  test('a failed gate rolls the step back and stops the run (exit 1); later steps do not run', async () => {
    const { dir, journal } = setup();
    const calls: string[] = [];
    const out = await run(makePlan(['a', 'b', 'c']), journal, dir, { b: { verify: async () => { throw new FerryError('ETCD_GATE_FAILED', 'gate'); } } }, calls);
    assert.equal(out.runState, 'rolled-back');
    assert.equal(out.exitCode, 1);
    assert.equal(out.failedStep, 'b');
    assert.equal(out.error?.code, 'ETCD_GATE_FAILED');
    assert.deepEqual(calls, ['a:precheck', 'a:apply', 'a:verify', 'b:precheck', 'b:apply', 'b:verify', 'b:rollback']);
    const states = journal.events().filter((e) => e.type === 'step-state' && e.stepId === 'b').map((e) => (e.type === 'step-state' ? e.state : ''));
    assert.deepEqual(states, ['running', 'verifying', 'failed', 'rolling-back', 'rolled-back']);
  });

  test('a rollback that fails ends the run with exit 3', async () => {
    const { dir, journal } = setup();
    const out = await run(
      makePlan(['a']),
      journal,
      dir,
      { a: { apply: async () => { throw new FerryError('X', 'apply broke'); }, rollback: async () => { throw new FerryError('Y', 'rollback broke'); } } },
      [],
    );
    assert.equal(out.runState, 'rollback-failed');
    assert.equal(out.exitCode, 3);
    assert.equal(foldJournal(journal.events()).steps.get('a')?.state, 'rollback-failed');
  });

  test('a resumed run stops again at a step whose rollback failed, without touching it', async () => {
    const { dir, path, journal } = setup();
    const scripts: Record<string, Script> = { a: { apply: async () => { throw new FerryError('X', 'apply broke'); }, rollback: async () => { throw new FerryError('Y', 'rollback broke'); } } };
    await run(makePlan(['a', 'b']), journal, dir, scripts, []);
    journal.close();
    const calls: string[] = [];
    const out = await run(makePlan(['a', 'b']), Journal.open(path), dir, scripts, calls);
    assert.equal(out.exitCode, 3);
    assert.deepEqual(calls, [], 'nothing ran');
  });

  test('a rollback past the point of no return (forwardOnly): exit 3; resume runs the step forward from its precheck once the cause is mended', async () => {
    const { dir, path, journal } = setup();
    let memberDown = true;
    let applied = 0;
    const scripts: Record<string, Script> = {
      a: {
        precheck: async () => { if (memberDown) throw new FerryError('ETCD_UNHEALTHY', 'a voter is down', { exitCode: 2 }); },
        apply: async () => { applied += 1; },
        verify: async () => { if (memberDown) throw new FerryError('ETCD_GATE_FAILED', 'a voter does not answer'); },
        rollback: async () => { throw new FerryError('ROLLBACK_PAST_POINT_OF_NO_RETURN', 'old0 was already removed', { exitCode: 3, forwardOnly: true }); },
      },
    };
    // The first run passes the precheck (the voter dies during the step), fails the gate and cannot undo the step.
    memberDown = false;
    scripts['a'] = { ...scripts['a'], verify: async () => { throw new FerryError('ETCD_GATE_FAILED', 'a voter does not answer'); } };
    const first = await run(makePlan(['a', 'b']), journal, dir, scripts, []);
    assert.equal(first.runState, 'rollback-failed');
    assert.equal(first.exitCode, 3);
    assert.equal(first.error?.forwardOnly, true, 'the run says the step can be finished forward');
    assert.equal(foldJournal(journal.events()).steps.get('a')?.error?.forwardOnly, true, 'the journal keeps it');
    journal.close();

    // Resumed while the voter is still down: the precheck refuses, nothing runs, the step stays as it was.
    memberDown = true;
    scripts['a'] = { ...scripts['a'], verify: async () => { if (memberDown) throw new FerryError('ETCD_GATE_FAILED', 'a voter does not answer'); } };
    const calls: string[] = [];
    const j2 = Journal.open(path);
    const refused = await run(makePlan(['a', 'b']), j2, dir, scripts, calls);
    assert.equal(refused.runState, 'refused');
    assert.equal(refused.exitCode, 2);
    assert.deepEqual(calls, ['a:precheck']);
    assert.equal(foldJournal(j2.events()).steps.get('a')?.state, 'rollback-failed');
    j2.close();

    // Mended: resume finishes the step forward (apply again — idempotent — and its gate), then the rest.
    memberDown = false;
    calls.length = 0;
    const before = applied;
    const j3 = Journal.open(path);
    const done = await run(makePlan(['a', 'b']), j3, dir, scripts, calls);
    assert.equal(done.runState, 'done');
    assert.equal(done.exitCode, 0);
    assert.deepEqual(calls, ['a:precheck', 'a:apply', 'a:verify', 'b:precheck', 'b:apply', 'b:verify']);
    assert.equal(applied, before + 1);
    const states = j3.events().filter((e) => e.type === 'step-state' && e.stepId === 'a').map((e) => (e.type === 'step-state' ? e.state : ''));
    assert.deepEqual(states, ['running', 'verifying', 'failed', 'rolling-back', 'rollback-failed', 'running', 'verifying', 'done']);
  });

  test('a refused precheck changes nothing: no step-state, exit 2, and resume retries it', async () => {
    const { dir, path, journal } = setup();
    const calls: string[] = [];
    let healthy = false;
    const scripts: Record<string, Script> = { a: { precheck: async () => { if (!healthy) throw new FerryError('ETCD_UNHEALTHY', 'sick', { exitCode: 2 }); } } };
    const out = await run(makePlan(['a']), journal, dir, scripts, calls);
    assert.equal(out.runState, 'refused');
    assert.equal(out.exitCode, 2);
    assert.equal(journal.events().filter((e) => e.type === 'step-state').length, 0);
    journal.close();
    healthy = true;
    const again = Journal.open(path);
    const out2 = await run(makePlan(['a']), again, dir, scripts, calls);
    assert.equal(out2.runState, 'done');
  });

  test('resume re-enters a step left running, without its precheck, and skips done steps', async () => {
    const { dir, path, journal } = setup();
    journal.append({ type: 'run-state', state: 'running' });
    journal.append({ type: 'step-state', stepId: 'a', state: 'running' });
    journal.append({ type: 'step-state', stepId: 'a', state: 'verifying' });
    journal.append({ type: 'step-state', stepId: 'a', state: 'done' });
    journal.append({ type: 'step-state', stepId: 'b', state: 'running' });
    journal.append({ type: 'action-started', stepId: 'b', action: 'add-learner' });
    journal.close(); // the process "died" here
    const resumed = Journal.open(path);
    assert.equal(foldJournal(resumed.events()).runState, 'interrupted');
    const calls: string[] = [];
    let sawResumed = false;
    const out = await run(makePlan(['a', 'b', 'c']), resumed, dir, { b: { apply: async (ctx) => { sawResumed = ctx.resumed; } } }, calls);
    assert.equal(out.runState, 'done');
    assert.deepEqual(calls, ['b:apply', 'b:verify', 'c:precheck', 'c:apply', 'c:verify']);
    assert.equal(sawResumed, true);
    assert.equal(foldJournal(resumed.events()).steps.get('b')?.attempts, 2);
  });

  test('a step left failed or rolling-back is rolled back on resume, not re-applied', async () => {
    const { dir, path, journal } = setup();
    journal.append({ type: 'run-state', state: 'running' });
    journal.append({ type: 'step-state', stepId: 'a', state: 'running' });
    journal.append({ type: 'step-state', stepId: 'a', state: 'failed', error: { code: 'ETCD_CATCH_UP_TIMEOUT', message: 'slow' } });
    journal.append({ type: 'step-state', stepId: 'a', state: 'rolling-back' });
    journal.close();
    const resumed = Journal.open(path);
    const calls: string[] = [];
    const out = await run(makePlan(['a', 'b']), resumed, dir, {}, calls);
    assert.deepEqual(calls, ['a:rollback']);
    assert.equal(out.runState, 'rolled-back');
    assert.equal(out.error?.code, 'ETCD_CATCH_UP_TIMEOUT');
  });

  test('an interrupt stops the run where it is (exit 130) without rolling back', async () => {
    const { dir, journal } = setup();
    const controller = new AbortController();
    const calls: string[] = [];
    const out = await run(
      makePlan(['a', 'b']),
      journal,
      dir,
      { a: { apply: async () => { controller.abort(new Error('SIGINT')); throw new Error('aborted wait'); } } },
      calls,
      controller.signal,
    );
    assert.equal(out.runState, 'interrupted');
    assert.equal(out.exitCode, 130);
    assert.deepEqual(calls, ['a:precheck', 'a:apply']);
    assert.equal(foldJournal(journal.events()).steps.get('a')?.state, 'running');
  });

  test('actions are journaled before and after the effect', async () => {
    const { dir, journal } = setup();
    const seen: string[] = [];
    await run(makePlan(['a']), journal, dir, {
      a: {
        apply: async (ctx) => {
          await ctx.action('add-learner', { member: 'n' }, async () => {
            seen.push(journal.events().at(-1)?.type ?? '');
            return 'id1';
          }, (id) => ({ id }));
          ctx.skip('promote', 'already a voter');
        },
      },
    }, []);
    assert.deepEqual(seen, ['action-started']);
    const view = foldJournal(journal.events());
    const actions = view.steps.get('a')?.actions.map((x) => `${x.action}:${x.status}`);
    assert.deepEqual(actions, ['add-learner:finished', 'promote:skipped']);
    assert.deepEqual(view.steps.get('a')?.actions[0]?.result, { id: 'id1' });
  });
});
