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
 */
import type { Inventory } from '../inventory/types.ts';
import type { Scope } from '../plan/build.ts';
import type { RunView } from './fold.ts';

/**
 * The inventory with its sides swapped. The masters are swapped only when the run had moved the master (its new
 * master was started): then the walk-back stops the new master, starts the old one again (its files cloned back
 * from the new one, with backups), repoints the nodes back and starts scheduler and controller there.
 */
export function buildWalkBackInventory(inventory: Inventory, masterMoved: boolean): Inventory {
  const etcd = { ...inventory.etcd, old: inventory.etcd.new, new: inventory.etcd.old };
  const master = inventory.master;
  if (!masterMoved || master === undefined) return { ...inventory, etcd };
  return { ...inventory, etcd, master: { old: master.new, new: master.old } };
}

/** Whether the run got as far as starting its new master (done, or in flight when it stopped). Pure. */
export function computeMasterMoved(view: RunView): boolean {
  const state = view.steps.get('master.start-new')?.state;
  return state !== undefined && state !== 'pending' && state !== 'rolled-back' && state !== 'skipped';
}

/** A walk-back moves the master only if the run did; etcd always. */
export function computeWalkBackScope(masterMoved: boolean): Scope {
  return masterMoved ? 'all' : 'etcd';
}
