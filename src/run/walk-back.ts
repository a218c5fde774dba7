/**
 * Walking a run back (`ferry rollback`): moving etcd from the new members back to the old ones is itself a
 * migration — planned from the live cluster by the same pure planner, with the same learner-first steps, quorum
 * guard, gates and journal. Only the inventory's sides are swapped. Whatever state the run stopped in (done,
 * half-way, interrupted inside a step) the planner sees the live membership and plans what is left: a new member
 * that is only a learner is removed, a new voter is replaced by its old counterpart, an old member still present
 * needs nothing.
 *
 * The old members come back with fresh data dirs (their original ones were archived by the forward run and stay
 * archived: nothing is deleted) and new member IDs, which is how etcd adds any member.
 *
 * Besides etcd, what the forward run did (its folded journal) and what serves now decide the rest
 * (computeWalkBackOptions): the original master starts again in place when the run had stopped it, the nodes the
 * run repointed come back, the DNS add-on and the console's record go back when the run had touched them, and the
 * console, stopped in phase 1, is started again in every case.
 *
 * The two runs name each other in their journals (notes, written before the walk-back's first step), so that an
 * interrupted walk-back is found and finished (`ferry resume --run WALKBACK`) rather than started over.
 */
import type { Inventory } from '../inventory/types.ts';
import type { WalkBackPlanOptions } from '../plan/build-input.ts';
import type { Plan } from '../plan/types.ts';
import type { JournalEvent } from './events.ts';
import type { RunView } from './fold.ts';
import type { StepState } from './states.ts';

/** The inventory with its sides swapped: `etcd.new` and `master.new` are the ORIGINAL members and master. */
export function buildWalkBackInventory(inventory: Inventory): Inventory {
  const etcd = { ...inventory.etcd, old: inventory.etcd.new, new: inventory.etcd.old };
  const master = inventory.master;
  if (master === undefined) return { ...inventory, etcd };
  return { ...inventory, etcd, master: { old: master.new, new: master.old } };
}

/** States in which a step may have changed something (it ran, or is running, and was not undone). */
const untouched: ReadonlySet<StepState> = new Set<StepState>(['pending', 'skipped', 'rolled-back']);

/** Whether the forward run's step `stepId` may have changed the cluster. Pure. */
export function computeTouched(view: RunView, stepId: string): boolean {
  const state = view.steps.get(stepId)?.state;
  return state !== undefined && !untouched.has(state);
}

/** Whether the run got as far as starting its new master (done, or in flight when it stopped). Pure. */
export function computeMasterMoved(view: RunView): boolean {
  return computeTouched(view, 'master.start-new');
}

export interface WalkBackLive {
  /** Whether the apiserver the forward run moved to answers /healthz now. */
  readonly movedToServing: boolean;
}

/** What the walk-back undoes besides etcd, from the forward run's journal and plan and the live state. Pure. */
export function computeWalkBackOptions(view: RunView, forward: Plan, forwardRunDir: string, live: WalkBackLive): WalkBackPlanOptions {
  const steps = forward.phases.flatMap((p) => p.steps);
  const dns = steps.find((s) => s.kind === 'dns.update');
  const stopped = ['master.stop-old', 'master.start-new', 'nodes.repoint', 'master.start-held-back'].some((id) => computeTouched(view, id));
  const repoint = steps.find((s) => s.kind === 'nodes.repoint');
  return {
    master: stopped ? 'restart' : 'keep',
    movedToServing: stopped && live.movedToServing,
    nodes: repoint?.kind === 'nodes.repoint' && computeTouched(view, repoint.id) ? repoint.params.nodes : [],
    kubeVersion: forward.observed.kube?.oldVersion ?? 'unknown',
    dns: dns?.kind === 'dns.update' && computeTouched(view, dns.id) ? { runDir: forwardRunDir, etcd: dns.params.etcd, master: dns.params.master } : undefined,
    consoleRecord: computeTouched(view, 'console.update'),
  };
}

/** One line per part the walk-back moves back, for the operator. Pure. */
export function describeWalkBack(o: WalkBackPlanOptions): string {
  const parts = ['etcd back to the old members'];
  if (o.master === 'restart') parts.push(`the original master started again${o.nodes.length > 0 ? `, ${o.nodes.length} node(s) back to it` : ''}`);
  if (o.dns !== undefined) parts.push('the DNS add-on back onto the old etcd members and master');
  if (o.consoleRecord) parts.push("the console's cluster record and watcher back to the old apiserver and etcd");
  parts.push('the console started');
  return parts.join(', ');
}

const WALKS_BACK = /^walks back run (\S+)$/;
const WALKED_BY = /^walk-back run (\S+) started$/;

/** The note a walk-back writes into its own journal, naming the run it walks back. */
export function buildWalksBackNote(originalRunId: string): string {
  return `walks back run ${originalRunId}`;
}

/** The note written into the original run's journal before its walk-back's first step. */
export function buildWalkBackStartedNote(walkBackRunId: string): string {
  return `walk-back run ${walkBackRunId} started`;
}

function lastNoteMatch(events: readonly JournalEvent[], re: RegExp): string | undefined {
  let found: string | undefined;
  for (const e of events) {
    if (e.type !== 'note' || e.stepId !== undefined) continue;
    const m = re.exec(e.message);
    if (m?.[1] !== undefined) found = m[1];
  }
  return found;
}

/** The run a walk-back's journal says it walks back. Pure. */
export function findWalkedBackRun(events: readonly JournalEvent[]): string | undefined {
  return lastNoteMatch(events, WALKS_BACK);
}

/** The latest walk-back started on a run, from that run's journal. Pure. */
export function findWalkBackRun(events: readonly JournalEvent[]): string | undefined {
  return lastNoteMatch(events, WALKED_BY);
}
