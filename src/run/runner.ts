/**
 * The runner: a small state machine over the plan's steps (docs/design/style.md §3). For each step not yet settled:
 *   precheck → running → apply → verifying → verify → done
 * and on failure: failed → rolling-back → rollback → rolled-back | rollback-failed, then the run stops.
 * Every transition is journaled before anything further happens. A step found `running`/`verifying` in the journal
 * (the previous process died inside it) is re-entered without its precheck: its apply is idempotent and adopts
 * whatever the dead process left. An interrupt (Ctrl-C) stops the run where it is, for `ferry resume`.
 */
import { BugError, ExitCode, FerryError, messageOf } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import { planSteps } from '../plan/plan-steps.ts';
import type { Plan, Step } from '../plan/types.ts';
import type { ErrorRecord } from './events.ts';
import { foldJournal, type StepView } from './fold.ts';
import type { Journal } from './journal.ts';
import { assertTransition, type RunState, type StepState } from './states.ts';
import type { StepContext, StepHandler } from './step-context.ts';
import type { Deps } from '../ports/deps.ts';
import { NO_FAULTS, type FaultHook } from './faults.ts';

export interface RunOutcome {
  readonly runState: RunState;
  readonly exitCode: ExitCode;
  readonly failedStep?: string;
  readonly error?: ErrorRecord;
}

export interface RunnerOptions {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly journal: Journal;
  readonly deps: Deps;
  readonly signal: AbortSignal;
  /** Which handler runs a step: the application hands in the step registry (the engine knows no step kind). */
  readonly handlerFor: (step: Step) => StepHandler;
  /** Crash-test kill points (FERRY_FAULT, built by the application); none by default. */
  readonly faults?: FaultHook;
}

export function toErrorRecord(err: unknown): ErrorRecord {
  if (err instanceof FerryError) {
    return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), retryable: err.retryable, subjects: err.subjects, ...(err.forwardOnly ? { forwardOnly: true } : {}) };
  }
  if (err instanceof BugError) return { code: 'BUG', message: err.message };
  return { code: 'UNEXPECTED', message: messageOf(err), hint: 'an unexpected error; the journal has the details. `ferry resume` retries' };
}

export async function runSteps(o: RunnerOptions): Promise<RunOutcome> {
  const journal = o.journal;
  const resolve = o.handlerFor;
  const faults = o.faults ?? NO_FAULTS;
  let view = foldJournal(journal.events());
  const stateOf = (id: string): StepState => view.steps.get(id)?.state ?? 'pending';
  const setState = (stepId: string, to: StepState, extra: { error?: ErrorRecord; reason?: string } = {}) => {
    assertTransition(stepId, stateOf(stepId), to);
    journal.append({ type: 'step-state', stepId, state: to, ...extra });
    view = foldJournal(journal.events());
  };
  const finish = (runState: RunState, exitCode: ExitCode, failedStep?: string, error?: ErrorRecord): RunOutcome => {
    journal.append({ type: 'run-state', state: runState, ...(error ? { error } : {}) });
    return { runState, exitCode, ...(failedStep ? { failedStep } : {}), ...(error ? { error } : {}) };
  };

  journal.append({ type: 'run-state', state: 'running' });
  for (const step of planSteps(o.plan)) {
    const state = stateOf(step.id);
    if (state === 'done' || state === 'skipped') continue;
    // A rollback that could not undo its step but said finishing it forward is safe: run the step again, from its
    // precheck (which refuses, changing nothing, while the cause — a member down — is still there).
    const forwardOnly = state === 'rollback-failed' && view.steps.get(step.id)?.error?.forwardOnly === true;
    if (state === 'rollback-failed' && !forwardOnly) {
      return finish('rollback-failed', ExitCode.rollbackFailed, step.id, view.steps.get(step.id)?.error ?? { code: 'ROLLBACK_FAILED', message: `${step.id} failed to roll back earlier` });
    }
    const handler = resolve(step);
    const ctx = makeContext(o, step, () => view.steps.get(step.id), state === 'running' || state === 'verifying' || state === 'rolling-back' || state === 'failed');

    // A step that had failed, or was rolling back, when the last process stopped: finish its rollback first.
    if (state === 'failed' || state === 'rolling-back') {
      return rollBack(step, handler, ctx, view.steps.get(step.id)?.error ?? { code: 'INTERRUPTED', message: 'interrupted while failing' });
    }

    if (state === 'pending' || state === 'rolled-back' || forwardOnly) {
      try {
        o.signal.throwIfAborted();
        await handler.precheck(step, ctx);
      } catch (err) {
        if (o.signal.aborted) return finish('interrupted', ExitCode.interrupted, step.id);
        const error = toErrorRecord(err);
        // Nothing has changed: the step never started. It stays retryable by `ferry resume`.
        journal.append({ type: 'note', stepId: step.id, message: `precheck refused: ${error.message}` });
        return finish('refused', ExitCode.badInput, step.id, error);
      }
    }

    try {
      setState(step.id, 'running', state === 'running' || state === 'verifying' ? { reason: 'resumed' } : forwardOnly ? { reason: 'finished forward: its rollback could not undo it' } : {});
      faults.atStep('step-started', step.id);
      await handler.apply(step, ctx);
      setState(step.id, 'verifying');
      await handler.verify(step, ctx);
      faults.atStep('step-verified', step.id);
      setState(step.id, 'done');
    } catch (err) {
      if (err instanceof BugError) throw err;
      if (o.signal.aborted) return finish('interrupted', ExitCode.interrupted, step.id);
      const error = toErrorRecord(err);
      setState(step.id, 'failed', { error });
      return rollBack(step, handler, ctx, error);
    }
  }
  return finish('done', ExitCode.ok);

  async function rollBack(step: Step, handler: StepHandler, ctx: StepContext, cause: ErrorRecord): Promise<RunOutcome> {
    try {
      setState(step.id, 'rolling-back', { reason: cause.message });
      await handler.rollback(step, ctx);
      setState(step.id, 'rolled-back');
      return finish('rolled-back', ExitCode.failedRolledBack, step.id, cause);
    } catch (err) {
      if (err instanceof BugError) throw err;
      if (o.signal.aborted) return finish('interrupted', ExitCode.interrupted, step.id);
      const error = toErrorRecord(err);
      setState(step.id, 'rollback-failed', { error });
      return finish('rollback-failed', ExitCode.rollbackFailed, step.id, error);
    }
  }
}

function makeContext(o: RunnerOptions, step: Step, prior: () => StepView | undefined, resumed: boolean): StepContext {
  const faults = o.faults ?? NO_FAULTS;
  const journal = o.journal;
  const stepId = step.id;
  return {
    runId: o.runId,
    runDir: o.runDir,
    plan: o.plan,
    inventory: o.inventory,
    deps: o.deps,
    signal: o.signal,
    resumed,
    async action(name, detail, fn, result) {
      faults.atAction('before', stepId, name);
      journal.append({ type: 'action-started', stepId, action: name, detail });
      let value;
      try {
        value = await fn();
      } catch (err) {
        journal.append({ type: 'action-failed', stepId, action: name, error: toErrorRecord(err) });
        throw err;
      }
      journal.append({ type: 'action-finished', stepId, action: name, ...(result ? { result: result(value) } : {}) });
      faults.atAction('after', stepId, name);
      return value;
    },
    skip(name, reason) {
      journal.append({ type: 'action-skipped', stepId, action: name, reason });
    },
    progress(p) {
      journal.append({ type: 'progress', stepId, ...p });
    },
    gate(ok, checks) {
      journal.append({ type: 'gate', stepId, ok, checks: checks.map((c) => ({ name: c.name, ok: c.ok, detail: c.detail })) });
    },
    note(message) {
      journal.append({ type: 'note', stepId, message });
    },
    finishedActions() {
      return new Set((prior()?.actions ?? []).filter((a) => a.status === 'finished').map((a) => a.action));
    },
    actionResult(name) {
      const all = (prior()?.actions ?? []).filter((a) => a.action === name && a.status === 'finished');
      return all[all.length - 1]?.result;
    },
    resultOf(otherStepId, name) {
      const view = foldJournal(journal.events());
      const all = (view.steps.get(otherStepId)?.actions ?? []).filter((a) => a.action === name && a.status === 'finished');
      return all[all.length - 1]?.result;
    },
  };
}
