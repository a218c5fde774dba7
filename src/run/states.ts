/**
 * The closed set of states a step moves through, and the only legal transitions between them (docs/design/style.md §3).
 * An illegal transition is a bug in ferry (BugError), never an operator error.
 *
 *   pending ──► running ──► verifying ──► done
 *                  │            │           │ (walked back by `ferry rollback`)
 *                  ▼            ▼           ▼
 *                failed ◄───────┘      rolling-back ──► rolled-back
 *                  │                        │
 *                  └──────► rolling-back ───┴──► rollback-failed
 *
 * `rollback-failed` → `running`: `ferry resume` finishes forward a step whose rollback said it cannot be undone but
 * can be finished (ErrorRecord.forwardOnly — an old etcd member already removed).
 * `running` and `verifying` may be re-entered (running → running) when `ferry resume` picks up a step that was
 * in flight when the previous process died: apply is idempotent, so repeating it is safe. `rolling-back` may be
 * re-entered likewise.
 */
import { BugError } from '../errors.ts';

export const StepState = {
  pending: 'pending',
  running: 'running',
  verifying: 'verifying',
  done: 'done',
  failed: 'failed',
  rollingBack: 'rolling-back',
  rolledBack: 'rolled-back',
  rollbackFailed: 'rollback-failed',
  skipped: 'skipped',
} as const;
export type StepState = (typeof StepState)[keyof typeof StepState];

const legal: Readonly<Record<StepState, readonly StepState[]>> = {
  pending: ['running', 'skipped', 'failed'],
  running: ['running', 'verifying', 'failed', 'rolling-back'],
  verifying: ['running', 'verifying', 'done', 'failed'],
  done: ['rolling-back'],
  failed: ['rolling-back', 'running', 'failed'],
  'rolling-back': ['rolling-back', 'rolled-back', 'rollback-failed'],
  'rolled-back': ['running'],
  'rollback-failed': ['rolling-back', 'running'],
  skipped: [],
};

export function isLegalTransition(from: StepState, to: StepState): boolean {
  return legal[from].includes(to);
}

export function assertTransition(stepId: string, from: StepState, to: StepState): void {
  if (!isLegalTransition(from, to)) throw new BugError(`illegal step transition ${stepId}: ${from} → ${to}`);
}

/** States after which the step needs no more work in a forward run. */
export function isSettled(state: StepState): boolean {
  return state === 'done' || state === 'skipped';
}

/** The state of a whole run. */
export const RunState = {
  planned: 'planned',
  running: 'running',
  done: 'done',
  /** A precheck refused the next step before it changed anything. */
  refused: 'refused',
  /** A step failed and every started step was rolled back: the cluster is as it was before that step. */
  rolledBack: 'rolled-back',
  /** A rollback failed: a person is needed. */
  rollbackFailed: 'rollback-failed',
  /** The process was interrupted (signal) or killed; `ferry resume` continues it. */
  interrupted: 'interrupted',
  /** `ferry rollback` walked every done step back. */
  walkedBack: 'walked-back',
} as const;
export type RunState = (typeof RunState)[keyof typeof RunState];
