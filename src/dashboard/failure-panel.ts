/**
 * On failure: what failed (the step and the action), why (the error's code, message and hint) and what was rolled
 * back (the actions the step's rollback journaled, in order, and how the rollback ended). A precheck that refused
 * (nothing changed) is shown the same way, with nothing rolled back. Cleared when the step runs again (a resume).
 * Pure.
 */
import type { Plan } from '../plan/types.ts';
import type { ErrorRecord, JournalEvent } from '../run/events.ts';
import type { FailurePanel, RollbackAction } from './view-types.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Panel = Mutable<Omit<FailurePanel, 'failedActions' | 'rollback' | 'rollbackNotes'>> & {
  failedActions: { action: string; code: string; message: string }[];
  rollback: Mutable<RollbackAction>[];
  rollbackNotes: string[];
};

const MAX_LISTED = 50;

function describeDetail(detail: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (detail === undefined) return undefined;
  const text = Object.entries(detail)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return text === '' ? undefined : text;
}

export function buildFailurePanel(plan: Plan, events: readonly JournalEvent[]): FailurePanel | undefined {
  const titles = new Map(plan.phases.flatMap((p) => p.steps).map((s) => [s.id, s.title]));
  const attemptFailures = new Map<string, { action: string; code: string; message: string }[]>();
  const open = new Map<string, string[]>(); // stepId → actions started without an outcome, in order
  const lastDone = new Map<string, string>(); // stepId → the last action finished or skipped in this attempt
  let panel: Panel | undefined;
  let inRollback = false;
  let refusedStep: string | undefined;

  const newPanel = (stepId: string, state: string, error: ErrorRecord): Panel => {
    const failed = attemptFailures.get(stepId) ?? [];
    const inFlight = open.get(stepId)?.at(-1);
    const action = failed.at(-1)?.action ?? inFlight;
    const after = action === undefined ? lastDone.get(stepId) : undefined;
    return {
      stepId,
      title: titles.get(stepId) ?? stepId,
      state,
      ...(action !== undefined ? { action } : {}),
      ...(after !== undefined ? { afterAction: after } : {}),
      error,
      failedActions: failed.slice(-MAX_LISTED),
      rollback: [],
      rollbackNotes: [],
    };
  };

  for (const e of events) {
    switch (e.type) {
      case 'run-state':
        if (e.state === 'refused' && e.error !== undefined && refusedStep !== undefined) panel = newPanel(refusedStep, 'refused', e.error);
        else if (e.state === 'running' && panel?.state === 'refused') panel = undefined;
        break;
      case 'note':
        if (e.stepId !== undefined && e.message.startsWith('precheck refused')) refusedStep = e.stepId;
        else if (panel !== undefined && inRollback && e.stepId === panel.stepId && panel.rollbackNotes.length < MAX_LISTED) panel.rollbackNotes.push(e.message);
        break;
      case 'step-state':
        if (e.state === 'running') {
          attemptFailures.set(e.stepId, []);
          open.set(e.stepId, []);
          lastDone.delete(e.stepId);
          if (panel?.stepId === e.stepId) panel = undefined;
          inRollback = false;
        } else if (e.state === 'failed' && e.error !== undefined) {
          panel = newPanel(e.stepId, 'failed', e.error);
          inRollback = false;
        } else if (panel?.stepId === e.stepId) {
          panel.state = e.state;
          if (e.state === 'rolling-back') inRollback = true;
          else if (e.state === 'rollback-failed' && e.error !== undefined) panel.rollbackError = e.error;
          if (e.state === 'rolled-back' || e.state === 'rollback-failed') inRollback = false;
        }
        break;
      case 'action-started':
      case 'action-finished':
      case 'action-skipped':
      case 'action-failed': {
        const list = open.get(e.stepId) ?? [];
        open.set(e.stepId, list);
        if (e.type === 'action-started') list.push(e.action);
        else {
          const i = list.lastIndexOf(e.action);
          if (i >= 0) list.splice(i, 1);
          if (e.type !== 'action-failed' && !(panel !== undefined && inRollback && e.stepId === panel.stepId)) lastDone.set(e.stepId, e.action);
        }
        if (e.type === 'action-failed') {
          const failures = attemptFailures.get(e.stepId) ?? [];
          attemptFailures.set(e.stepId, failures);
          failures.push({ action: e.action, code: e.error.code, message: e.error.message });
        }
        if (panel === undefined || !inRollback || e.stepId !== panel.stepId) break;
        if (e.type === 'action-started') {
          if (panel.rollback.length >= MAX_LISTED) break;
          const detail = describeDetail(e.detail);
          panel.rollback.push({ action: e.action, status: 'started', ...(detail !== undefined ? { detail } : {}) });
        } else {
          const entry = [...panel.rollback].reverse().find((r) => r.action === e.action && r.status === 'started');
          const status = e.type === 'action-finished' ? 'finished' : e.type === 'action-skipped' ? 'skipped' : 'failed';
          const detail = e.type === 'action-skipped' ? e.reason : e.type === 'action-failed' ? `${e.error.code}: ${e.error.message}` : undefined;
          if (entry !== undefined) {
            entry.status = status;
            if (detail !== undefined) entry.detail = detail;
          } else if (panel.rollback.length < MAX_LISTED) panel.rollback.push({ action: e.action, status, ...(detail !== undefined ? { detail } : {}) });
        }
        break;
      }
      default:
        break;
    }
  }
  return panel;
}
