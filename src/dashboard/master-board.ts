/**
 * The old and the new master and which of their services run, folded from the master steps' unit actions
 * (steps/master/services.ts journals `<label>:<unit>` with detail {host, unit}: `stop:` and `start:` on the host the
 * step works on, `restart-old:` on the old master, `stop-new:` on the new one; a walk-back's master.restart journals
 * `stop-other:` on the master the forward run moved to and `start:` on the original one). The walk-back's inventory
 * has the sides swapped, so its "old" tile is the master being left and its "new" tile the original one coming back.
 * Before any event: the old master's services run when the plan saw its apiserver answer, the new master's are
 * stopped. Pure.
 */
import { MASTER_UNITS } from '../master/files.ts';
import type { Plan, Step } from '../plan/types.ts';
import type { JournalEvent } from '../run/events.ts';
import type { MasterBoard, MasterTile, UnitState } from './view-types.ts';

type MasterStep = Extract<Step, { kind: 'master.stop-old' | 'master.start-new' | 'master.start-held-back' | 'master.restart' }>;

/** The master a step's `<label>:` action concerns, and the state the action leads to. */
function targetOf(stepKind: MasterStep['kind'], label: string): { role: 'old' | 'new'; to: 'running' | 'stopped' } | undefined {
  if (label === 'restart-old') return { role: 'old', to: 'running' };
  if (label === 'stop-new') return { role: 'new', to: 'stopped' };
  if (label === 'stop-other') return { role: 'old', to: 'stopped' };
  if (label === 'stop') return { role: stepKind === 'master.stop-old' ? 'old' : 'new', to: 'stopped' };
  if (label === 'start') return { role: stepKind === 'master.stop-old' ? 'old' : 'new', to: 'running' };
  return undefined;
}

export function buildMasterBoard(plan: Plan, events: readonly JournalEvent[]): MasterBoard | undefined {
  const steps = new Map<string, MasterStep>();
  let pair: { old: { host: string; apiserver: string }; new: { host: string; apiserver: string } } | undefined;
  for (const phase of plan.phases) {
    for (const s of phase.steps) {
      if (s.kind === 'master.stop-old' || s.kind === 'master.start-new' || s.kind === 'master.start-held-back' || s.kind === 'master.restart') steps.set(s.id, s);
      if (s.kind === 'master.stop-old' || s.kind === 'master.start-new') pair ??= { old: s.params.old, new: s.params.new };
      if (s.kind === 'master.restart') pair ??= { old: s.params.other, new: s.params.master };
    }
  }
  if (pair === undefined) return undefined;
  const oldUp = plan.observed.kube?.oldApiserverUp === true;
  const tile = (role: 'old' | 'new', host: { host: string; apiserver: string }, initial: UnitState): MasterTile => ({
    role,
    host: host.host,
    apiserver: host.apiserver,
    units: Object.fromEntries(MASTER_UNITS.map((u) => [u, initial])),
  });
  const board: MasterBoard = { old: tile('old', pair.old, oldUp ? 'running' : 'unknown'), new: tile('new', pair.new, 'stopped') };

  for (const e of events) {
    if (e.type !== 'action-started' && e.type !== 'action-finished' && e.type !== 'action-skipped' && e.type !== 'action-failed') continue;
    const step = steps.get(e.stepId);
    if (step === undefined) continue;
    const [label, unit, extra] = e.action.split(':');
    if (label === undefined || unit === undefined || extra !== undefined) continue; // `start:kube-apiserver:reset-failed`
    const target = targetOf(step.kind, label);
    if (target === undefined) continue;
    const units = board[target.role].units;
    if (e.type === 'action-started') units[unit] = target.to === 'running' ? 'starting' : 'stopping';
    else if (e.type === 'action-failed') units[unit] = 'unknown';
    else units[unit] = target.to;
  }
  return board;
}
