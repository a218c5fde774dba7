/**
 * The pure fold from a journal's events to the run's state: what `ferry resume`, `ferry status` and the views see.
 * No I/O, no clock. Every step-state event must be a legal transition (states.ts) from the state folded so far:
 * an illegal one means ferry wrote a wrong journal, which is a bug (BugError naming the seq).
 */
import { BugError } from '../errors.ts';
import type { ErrorRecord, JournalEvent } from './events.ts';
import { isLegalTransition, isSettled, StepState } from './states.ts';
import type { RunState } from './states.ts';
import type { Progress } from './progress.ts';

export interface ActionView {
  readonly action: string;
  status: 'started' | 'finished' | 'skipped' | 'failed';
  readonly detail?: Record<string, unknown>;
  result?: Record<string, unknown>;
  /** Why it was skipped (action-skipped). */
  reason?: string;
  error?: ErrorRecord;
  /** Time of the latest event about this action (its start, then its outcome). */
  at: string;
  /**
   * Set on a `started` action whose step was re-entered (resume) before any outcome was written: the process
   * that started it died, so its effect may or may not have happened. It is no longer the step's in-flight action.
   */
  interrupted?: true;
}

export interface GateView {
  readonly ok: boolean;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
  readonly at: string;
}

export interface StepView {
  readonly stepId: string;
  state: StepState;
  /** Times the step entered `running` (re-entry by a resume counts). */
  attempts: number;
  /** The error of the latest failure; cleared when the step runs again or is done. */
  error?: ErrorRecord;
  /** When the step first entered `running`. */
  startedAt?: string;
  /** When it last reached done, failed, skipped, rolled-back or rollback-failed; cleared when it moves on again. */
  finishedAt?: string;
  durationMs?: number;
  actions: ActionView[];
  /** An action-started with no outcome after it, in the current attempt: its effect may or may not have happened. */
  inFlightAction?: string;
  lastProgress?: Progress & { at: string };
  lastGate?: GateView;
}

export interface RunView {
  runId?: string;
  mode?: 'apply' | 'rollback';
  planSha256?: string;
  inventoryPath?: string;
  inventorySha256?: string;
  ferryVersion?: string;
  /** `interrupted` when the journal ends while the run was `running`: the process died. */
  runState: RunState;
  startedAt?: string;
  /** ts of the last event. */
  updatedAt?: string;
  /** seq of the last event, 0 for none. */
  lastSeq: number;
  /** Steps with at least one event. A step of the plan that is absent here is `pending`. */
  steps: Map<string, StepView>;
  /** Step ids in the order of their first event. */
  stepOrder: string[];
  /** The unsettled (not done/skipped) step with the most recent event: the one being worked on, or that stopped the run. */
  currentStepId?: string;
  /** The most recent error recorded (run, step or action); cleared when the run ends done or walked back. */
  lastError?: ErrorRecord;
  /** Pids of the processes that attached to the run, in order. */
  pids: number[];
}

/** States in which a step is not being worked on: they end its current attempt's clock. */
const finishing: ReadonlySet<StepState> = new Set<StepState>(['done', 'failed', 'skipped', 'rolled-back', 'rollback-failed']);

function stepOf(view: RunView, stepId: string): StepView {
  let step = view.steps.get(stepId);
  if (step === undefined) {
    step = { stepId, state: StepState.pending, attempts: 0, actions: [] };
    view.steps.set(stepId, step);
    view.stepOrder.push(stepId);
  }
  return step;
}

/** The latest `started` entry of `action` in the current attempt, which an outcome event settles. */
function openEntry(step: StepView, action: string): ActionView | undefined {
  for (let i = step.actions.length - 1; i >= 0; i -= 1) {
    const entry = step.actions[i];
    if (entry !== undefined && entry.action === action && entry.status === 'started' && entry.interrupted !== true) return entry;
  }
  return undefined;
}

function settleAction(step: StepView, action: string, at: string, outcome: Partial<ActionView> & Pick<ActionView, 'status'>): void {
  const entry = openEntry(step, action);
  if (entry === undefined) step.actions.push({ action, at, ...outcome });
  else Object.assign(entry, outcome, { at });
}

function computeInFlight(step: StepView): string | undefined {
  for (let i = step.actions.length - 1; i >= 0; i -= 1) {
    const entry = step.actions[i];
    if (entry !== undefined && entry.status === 'started' && entry.interrupted !== true) return entry.action;
  }
  return undefined;
}

function applyStepState(step: StepView, to: StepState, event: Extract<JournalEvent, { type: 'step-state' }>): void {
  const from = step.state;
  if (!isLegalTransition(from, to)) {
    throw new BugError(`journal event seq ${event.seq}: illegal step transition ${step.stepId}: ${from} → ${to}`);
  }
  if (to === 'running' || to === 'rolling-back') {
    // A new attempt (or a resume re-entering): actions the dead process left open are no longer in flight.
    for (const entry of step.actions) if (entry.status === 'started') entry.interrupted = true;
  }
  if (to === 'running') {
    step.attempts += 1;
    step.startedAt ??= event.ts;
  }
  step.state = to;
  if (event.error !== undefined) step.error = event.error;
  else if (to === 'running' || to === 'done') delete step.error;
  if (finishing.has(to)) {
    step.finishedAt = event.ts;
    if (step.startedAt !== undefined) step.durationMs = Date.parse(event.ts) - Date.parse(step.startedAt);
  } else {
    delete step.finishedAt;
    delete step.durationMs;
  }
}

/** Folds a journal's events (in seq order) into the run's view. Pure. Throws BugError on an illegal transition. */
export function foldJournal(events: readonly JournalEvent[]): RunView {
  const view: RunView = { runState: 'planned', lastSeq: 0, steps: new Map(), stepOrder: [], pids: [] };
  const touched = new Map<string, number>(); // stepId → seq of its latest event
  for (const event of events) {
    view.lastSeq = event.seq;
    view.updatedAt = event.ts;
    switch (event.type) {
      case 'run-started':
        if (view.runId !== undefined && view.runId !== event.runId) {
          throw new BugError(`journal event seq ${event.seq}: run-started for run ${event.runId} in the journal of run ${view.runId}`);
        }
        view.runId = event.runId;
        view.mode = event.mode;
        view.planSha256 = event.planSha256;
        view.inventoryPath = event.inventoryPath;
        view.inventorySha256 = event.inventorySha256;
        view.ferryVersion = event.ferryVersion;
        view.startedAt ??= event.ts;
        break;
      case 'process-attached':
        view.pids.push(event.pid);
        break;
      case 'run-state':
        view.runState = event.state;
        if (event.error !== undefined) view.lastError = event.error;
        else if (event.state === 'done' || event.state === 'walked-back') delete view.lastError;
        break;
      case 'note':
        break;
      default: {
        const step = stepOf(view, event.stepId);
        touched.set(event.stepId, event.seq);
        switch (event.type) {
          case 'step-state':
            applyStepState(step, event.state, event);
            if (event.error !== undefined) view.lastError = event.error;
            break;
          case 'action-started':
            step.actions.push({ action: event.action, status: 'started', at: event.ts, ...(event.detail ? { detail: event.detail } : {}) });
            break;
          case 'action-finished':
            settleAction(step, event.action, event.ts, { status: 'finished', ...(event.result ? { result: event.result } : {}) });
            break;
          case 'action-skipped':
            settleAction(step, event.action, event.ts, { status: 'skipped', reason: event.reason });
            break;
          case 'action-failed':
            settleAction(step, event.action, event.ts, { status: 'failed', error: event.error });
            view.lastError = event.error;
            break;
          case 'progress':
            step.lastProgress = { kind: event.kind, data: event.data, at: event.ts } as Progress & { at: string };
            break;
          case 'gate':
            step.lastGate = { ok: event.ok, checks: event.checks, at: event.ts };
            break;
        }
        const inFlight = computeInFlight(step);
        if (inFlight === undefined) delete step.inFlightAction;
        else step.inFlightAction = inFlight;
      }
    }
  }
  if (view.runState === 'running') view.runState = 'interrupted';
  let latest = -1;
  for (const [stepId, seq] of touched) {
    const step = view.steps.get(stepId);
    if (step !== undefined && !isSettled(step.state) && seq > latest) {
      latest = seq;
      view.currentStepId = stepId;
    }
  }
  return view;
}

/** The state of a step in the view; `pending` when it has no events. */
export function stepStateOf(view: RunView, stepId: string): StepState {
  return view.steps.get(stepId)?.state ?? StepState.pending;
}

export type RunSummary = Record<StepState, number> & { total: number; inFlight: number };

/**
 * Counts steps by state. Pass the plan's step ids to count the steps without events as pending (and to ignore
 * none: steps in the view but not in the list are counted too).
 */
export function summarizeRun(view: RunView, planStepIds: readonly string[] = []): RunSummary {
  const summary: RunSummary = {
    pending: 0, running: 0, verifying: 0, done: 0, failed: 0,
    'rolling-back': 0, 'rolled-back': 0, 'rollback-failed': 0, skipped: 0,
    total: 0, inFlight: 0,
  };
  const ids = new Set<string>([...planStepIds, ...view.stepOrder]);
  for (const id of ids) {
    const step = view.steps.get(id);
    summary[step?.state ?? 'pending'] += 1;
    summary.total += 1;
    if (step?.inFlightAction !== undefined) summary.inFlight += 1;
  }
  return summary;
}
