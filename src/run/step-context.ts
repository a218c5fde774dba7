/**
 * What a step handler gets: the world through `deps` (adapters, clock), and the journal through `action`, which
 * appends `action-started` BEFORE the effect and `action-finished` (or `action-failed`) after it (docs/design/style.md §4).
 */
import type { Inventory } from '../inventory/types.ts';
import type { Plan, Step } from '../plan/types.ts';
import type { Deps } from '../ports/deps.ts';
import type { GateCheck } from '../gate-check.ts';
import type { Progress } from './progress.ts';


export interface StepContext {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly deps: Deps;
  readonly signal: AbortSignal;
  /** True when this step was already entered by an earlier process (resume): handlers adopt what they find. */
  readonly resumed: boolean;
  /** Journal an effect around `fn`. */
  action<T>(name: string, detail: Record<string, unknown>, fn: () => Promise<T>, result?: (value: T) => Record<string, unknown>): Promise<T>;
  /** Journal that an effect was found already in place, or was not needed. */
  skip(name: string, reason: string): void;
  /** Journal how a long wait stands (for the views). */
  progress(p: Progress): void;
  gate(ok: boolean, checks: readonly GateCheck[]): void;
  note(message: string): void;
  /** Actions already finished for this step, per the journal (resume). */
  finishedActions(): ReadonlySet<string>;
  /** Result of an earlier finished action, per the journal. */
  actionResult(name: string): Record<string, unknown> | undefined;
  /** Result of a finished action of another step of this run (e.g. the census taken before the old master stopped). */
  resultOf(stepId: string, action: string): Record<string, unknown> | undefined;
}

export interface StepHandler<S extends Step = Step> {
  /** Read-only checks; throw a FerryError to refuse. Nothing has changed when it throws. */
  precheck(step: S, ctx: StepContext): Promise<void>;
  /** The change itself; idempotent (resume may repeat it). */
  apply(step: S, ctx: StepContext): Promise<void>;
  /** The health gate; throws when it fails. */
  verify(step: S, ctx: StepContext): Promise<void>;
  /** Undo what apply did, leaving the world as it was before the step; idempotent. Throws when it cannot. */
  rollback(step: S, ctx: StepContext): Promise<void>;
}
