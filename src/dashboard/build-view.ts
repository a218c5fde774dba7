/**
 * The dashboard's view of a run: its journal folded by the same fold as `ferry status` and `ferry resume`
 * (run/fold.ts), laid out in the plan's nine phases, plus the etcd, master, node and failure boards. Pure.
 */
import { messageOf } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import { PHASES } from '../plan/phases.ts';
import type { Plan } from '../plan/types.ts';
import type { JournalEvent } from '../run/events.ts';
import { foldJournal, summarizeRun, type RunView, type StepView } from '../run/fold.ts';
import { buildEtcdBoard } from './etcd-board.ts';
import { buildFailurePanel } from './failure-panel.ts';
import { buildMasterBoard } from './master-board.ts';
import { buildNodeBoard } from './node-board.ts';
import type { DashboardPhase, DashboardStep, DashboardView, PhaseState } from './view-types.ts';
import { renderProgress } from '../run/progress.ts';

function buildStep(s: Plan['phases'][number]['steps'][number], v: StepView | undefined): DashboardStep {
  const last = v?.actions.at(-1);
  const failedChecks = v?.lastGate?.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`) ?? [];
  return {
    id: s.id,
    title: s.title,
    kind: s.kind,
    phase: s.phase,
    state: v?.state ?? 'pending',
    attempts: v?.attempts ?? 0,
    ...(v?.startedAt !== undefined ? { startedAt: v.startedAt } : {}),
    ...(v?.finishedAt !== undefined ? { finishedAt: v.finishedAt } : {}),
    ...(v?.durationMs !== undefined ? { durationMs: v.durationMs } : {}),
    ...(v?.inFlightAction !== undefined ? { inFlightAction: v.inFlightAction } : {}),
    ...(last !== undefined ? { lastAction: { action: last.action, status: last.status } } : {}),
    ...(v?.lastProgress !== undefined ? { progress: { ...v.lastProgress, text: renderProgress(v.lastProgress) } } : {}),
    ...(v?.lastGate !== undefined ? { gate: { ok: v.lastGate.ok, failed: failedChecks, at: v.lastGate.at } } : {}),
    ...(v?.error !== undefined ? { error: v.error } : {}),
  };
}

export function computePhaseState(steps: readonly DashboardStep[]): PhaseState {
  if (steps.length === 0) return 'empty';
  const states = steps.map((s) => s.state);
  if (states.some((s) => s === 'failed' || s === 'rollback-failed')) return 'failed';
  if (states.some((s) => s === 'rolling-back' || s === 'rolled-back')) return 'rolled-back';
  if (states.every((s) => s === 'done' || s === 'skipped')) return 'done';
  if (states.every((s) => s === 'pending')) return 'pending';
  return 'running';
}

function phaseDuration(steps: readonly DashboardStep[]): number | undefined {
  const starts = steps.flatMap((s) => (s.startedAt !== undefined ? [Date.parse(s.startedAt)] : []));
  const ends = steps.flatMap((s) => (s.finishedAt !== undefined ? [Date.parse(s.finishedAt)] : []));
  if (starts.length === 0 || ends.length === 0 || steps.some((s) => s.state !== 'done' && s.state !== 'skipped')) return undefined;
  return Math.max(...ends) - Math.min(...starts);
}

export interface BuildViewOptions {
  /** The run's normalized inventory (inventory.json): names the old and new etcd members. */
  readonly inventory?: Inventory;
  /**
   * Whether the process that last attached to the run is alive. The fold calls a journal that ends while running
   * `interrupted` (its writer died); while the writer lives, the run is `running`.
   */
  readonly writerAlive?: boolean;
}

export function buildDashboardView(plan: Plan, events: readonly JournalEvent[], o: BuildViewOptions = {}): DashboardView {
  let run: RunView;
  let foldError: string | undefined;
  try {
    run = foldJournal(events);
  } catch (err) {
    foldError = messageOf(err);
    run = { runState: 'interrupted', lastSeq: events.at(-1)?.seq ?? 0, steps: new Map(), stepOrder: [], pids: [] };
  }
  const lastRunState = events.findLast((e) => e.type === 'run-state');
  const runState = run.runState === 'interrupted' && lastRunState?.type === 'run-state' && lastRunState.state === 'running' && o.writerAlive === true ? 'running' : run.runState;
  // All nine phases of the runbook, in its order: a phase with no step in this plan is shown as such.
  const phases: DashboardPhase[] = PHASES.map((phase) => {
    const p = plan.phases.find((x) => x.id === phase.id);
    const steps = (p?.steps ?? []).map((s) => buildStep(s, run.steps.get(s.id)));
    const durationMs = phaseDuration(steps);
    return { id: phase.id, title: p?.title ?? phase.title, reason: p?.reason ?? phase.reason, state: computePhaseState(steps), steps, ...(durationMs !== undefined ? { durationMs } : {}) };
  });
  const summary = summarizeRun(run, plan.phases.flatMap((p) => p.steps.map((s) => s.id)));
  const master = buildMasterBoard(plan, events);
  const nodes = buildNodeBoard(plan, events);
  const failure = buildFailurePanel(plan, events);
  return {
    ...(run.runId !== undefined ? { runId: run.runId } : {}),
    ...(run.mode !== undefined ? { mode: run.mode } : {}),
    runState,
    ...(run.startedAt !== undefined ? { startedAt: run.startedAt } : {}),
    ...(run.updatedAt !== undefined ? { updatedAt: run.updatedAt } : {}),
    lastSeq: run.lastSeq,
    ...(run.currentStepId !== undefined ? { currentStepId: run.currentStepId } : {}),
    counts: summary,
    phases,
    etcd: buildEtcdBoard(plan, events, o.inventory),
    ...(master !== undefined ? { master } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
    ...(failure !== undefined ? { failure } : {}),
    ...(run.lastError !== undefined ? { lastError: run.lastError } : {}),
    ...(foldError !== undefined ? { foldError } : {}),
  };
}
