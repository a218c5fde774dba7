/**
 * The journal's events: one JSON object per line in `runs/<runId>/journal.jsonl`. An event is appended (and
 * fsynced) BEFORE each effect on the world and AFTER it, so a run killed at any instant can be folded back into
 * "what was done, what was in flight" (fold.ts) and resumed. The terminal view and the dashboard are read-only
 * subscribers to the same events.
 *
 * Secrets never go into events: parameters that could hold one are left out by the code that emits them.
 */
import type { RunState, StepState } from './states.ts';
import type { Progress } from './progress.ts';

export const JOURNAL_FORMAT_VERSION = 1;

export interface ErrorRecord {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly retryable?: boolean;
  readonly subjects?: Record<string, string>;
  /** A failed rollback whose step can still be finished forward: `ferry resume` runs the step again (FerryError). */
  readonly forwardOnly?: boolean;
}

interface Base {
  /** 1-based sequence number, gapless within a journal. */
  readonly seq: number;
  /** ISO 8601 time of writing. */
  readonly ts: string;
}

export type JournalEvent =
  | (Base & {
      readonly type: 'run-started';
      readonly runId: string;
      readonly formatVersion: number;
      /** sha256 of the plan file the run executes (plan.json in the run folder). */
      readonly planSha256: string;
      readonly inventoryPath: string;
      readonly inventorySha256: string;
      readonly ferryVersion: string;
      /** 'apply' for a forward run, 'rollback' for a walk-back. */
      readonly mode: 'apply' | 'rollback';
    })
  | (Base & { readonly type: 'process-attached'; readonly pid: number; readonly command: string })
  | (Base & {
      readonly type: 'step-state';
      readonly stepId: string;
      readonly state: StepState;
      readonly error?: ErrorRecord;
      /** Why the state changed, in words, for the event log. */
      readonly reason?: string;
    })
  | (Base & {
      /** Written before an effect on the world. */
      readonly type: 'action-started';
      readonly stepId: string;
      readonly action: string;
      readonly detail?: Record<string, unknown>;
    })
  | (Base & {
      /** Written after the effect succeeded. */
      readonly type: 'action-finished';
      readonly stepId: string;
      readonly action: string;
      readonly result?: Record<string, unknown>;
    })
  | (Base & {
      /** The effect was found already in place (idempotent adoption on resume) or not needed. */
      readonly type: 'action-skipped';
      readonly stepId: string;
      readonly action: string;
      readonly reason: string;
    })
  | (Base & { readonly type: 'action-failed'; readonly stepId: string; readonly action: string; readonly error: ErrorRecord })
  /** Progress of a long wait (progress.ts): not needed for resume, kept for the views. */
  | (Base & { readonly type: 'progress'; readonly stepId: string } & Progress)
  | (Base & {
      readonly type: 'gate';
      readonly stepId: string;
      readonly ok: boolean;
      readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
    })
  | (Base & { readonly type: 'run-state'; readonly state: RunState; readonly error?: ErrorRecord })
  | (Base & { readonly type: 'note'; readonly message: string; readonly stepId?: string });

/** An event before the journal assigned seq and ts. */
export type NewJournalEvent = JournalEvent extends infer E ? (E extends JournalEvent ? Omit<E, 'seq' | 'ts'> : never) : never;
