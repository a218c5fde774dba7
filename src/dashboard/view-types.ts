/**
 * What the dashboard page draws: the run folded from its journal (the same events the terminal view reads) into
 * phases and steps, the etcd members, the masters, the nodes and — when something failed — what failed, why and
 * what was rolled back. JSON-safe data; built by build-view.ts, shipped to the page over server-sent events.
 */
import type { ErrorRecord } from '../run/events.ts';
import type { RunState, StepState } from '../run/states.ts';
import type { RolloutProgress } from '../fleet/rollout.ts';

export interface DashboardStep {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
  readonly phase: number;
  readonly state: StepState;
  readonly attempts: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  /** The action started and not yet finished (the step is inside it). */
  readonly inFlightAction?: string;
  /** The latest action of the step and how it ended so far. */
  readonly lastAction?: { readonly action: string; readonly status: string };
  /** The step's latest progress, with its text (src/run/progress.ts), which the page shows as it is. */
  readonly progress?: { readonly kind: string; readonly data: object; readonly at: string; readonly text: string };
  readonly gate?: { readonly ok: boolean; readonly failed: readonly string[]; readonly at: string };
  readonly error?: ErrorRecord;
}

/** A phase's state, from its steps': `empty` when the plan has no step in it. */
export type PhaseState = 'empty' | 'pending' | 'running' | 'done' | 'failed' | 'rolled-back';

export interface DashboardPhase {
  readonly id: number;
  readonly title: string;
  readonly reason: string;
  readonly state: PhaseState;
  readonly steps: readonly DashboardStep[];
  readonly durationMs?: number;
}

/** An etcd member as the run moved it: `planned` (a new member not added yet) or `removed` (an old one taken out). */
export type MemberStatus = 'planned' | 'learner' | 'voter' | 'removed';

export interface EtcdMemberTile {
  readonly name: string;
  readonly host: string;
  readonly side: 'old' | 'new' | 'other';
  status: MemberStatus;
  /** Whether its service runs, as far as the run's actions say (undefined: not known). */
  running?: boolean;
  leader: boolean;
  catchUp?: { percent: number; applied: string; leaderIndex: string; at: string };
  /** The action in flight on this member (`add-learner`, `promote`, …). */
  busy?: string;
  note?: string;
}

export interface EtcdBoard {
  readonly members: EtcdMemberTile[];
  leader?: string;
}

export type UnitState = 'running' | 'stopped' | 'starting' | 'stopping' | 'unknown';

export interface MasterTile {
  readonly role: 'old' | 'new';
  readonly host: string;
  readonly apiserver: string;
  readonly units: Record<string, UnitState>;
}

export interface MasterBoard {
  readonly old: MasterTile;
  readonly new: MasterTile;
}

export type NodeState = 'pending' | 'running' | 'done' | 'failed' | 'rolled-back';

export interface NodeTile {
  readonly name: string;
  readonly host: string;
  state: NodeState;
  /** Why it failed, or how it ended (`Ready after 2.1 s`). */
  detail?: string;
}

export interface NodeBoard {
  readonly nodes: NodeTile[];
  readonly counts: Record<NodeState, number>;
  /** The rollout's latest progress (canary or batch N). */
  readonly rollout?: RolloutProgress;
}

export interface RollbackAction {
  readonly action: string;
  readonly status: 'started' | 'finished' | 'skipped' | 'failed';
  readonly detail?: string;
}

export interface FailurePanel {
  readonly stepId: string;
  readonly title: string;
  /** The step's state now: failed, rolling-back, rolled-back, rollback-failed; `refused` when its precheck said no. */
  readonly state: string;
  /** The action that failed (or was in flight when the step failed). */
  readonly action?: string;
  /** When no action failed (a wait or a health check did): the last action the step finished before failing. */
  readonly afterAction?: string;
  readonly error: ErrorRecord;
  /** Other actions of the step that failed (nodes that failed, each rolled back on its own). */
  readonly failedActions: readonly { readonly action: string; readonly code: string; readonly message: string }[];
  /** What the rollback did, in order. */
  readonly rollback: readonly RollbackAction[];
  readonly rollbackNotes: readonly string[];
  readonly rollbackError?: ErrorRecord;
}

export interface DashboardView {
  readonly runId?: string;
  readonly mode?: 'apply' | 'rollback';
  readonly runState: RunState;
  readonly startedAt?: string;
  readonly updatedAt?: string;
  readonly lastSeq: number;
  readonly currentStepId?: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly phases: readonly DashboardPhase[];
  readonly etcd: EtcdBoard;
  readonly master?: MasterBoard;
  readonly nodes?: NodeBoard;
  readonly failure?: FailurePanel;
  readonly lastError?: ErrorRecord;
  /** Set when the journal could not be folded (a bug): the page says so instead of guessing. */
  readonly foldError?: string;
}
