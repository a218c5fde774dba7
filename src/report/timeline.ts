/** The run's timeline by runbook phase, from the plan and the folded journal (pure). */
import type { RunView } from '../run/fold.ts';
import type { Plan } from '../plan/types.ts';

export interface PhaseTimes {
  readonly id: number;
  readonly title: string;
  /** ISO times of the phase's first step start and last step finish, when known. */
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  /** The phase's steps' states, e.g. ['done', 'done']. */
  readonly states: readonly string[];
}

export function buildPhaseTimeline(plan: Plan, view: RunView): PhaseTimes[] {
  return plan.phases.map((p) => {
    const steps = p.steps.map((s) => view.steps.get(s.id));
    const starts = steps.map((v) => v?.startedAt).filter((x): x is string => x !== undefined).sort();
    const ends = steps.map((v) => v?.finishedAt).filter((x): x is string => x !== undefined).sort();
    const startedAt = starts[0];
    const allFinished = ends.length === steps.length;
    const finishedAt = allFinished ? ends[ends.length - 1] : undefined;
    return {
      id: p.id,
      title: p.title,
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(finishedAt !== undefined ? { finishedAt } : {}),
      ...(startedAt !== undefined && finishedAt !== undefined ? { durationMs: Date.parse(finishedAt) - Date.parse(startedAt) } : {}),
      states: steps.map((v) => v?.state ?? 'pending'),
    };
  });
}

/** The title of the step that was running at time `t` (ms since the epoch), if any. */
export function findStepAt(plan: Plan, view: RunView, t: number): string | undefined {
  for (const p of plan.phases) {
    for (const s of p.steps) {
      const v = view.steps.get(s.id);
      if (v?.startedAt === undefined) continue;
      const from = Date.parse(v.startedAt);
      const to = v.finishedAt !== undefined ? Date.parse(v.finishedAt) : Number.POSITIVE_INFINITY;
      if (t >= from && t <= to) return `phase ${p.id}: ${s.title}`;
    }
  }
  return undefined;
}
