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

export function buildWalkBackInventory(inventory: Inventory): Inventory {
  return { ...inventory, etcd: { ...inventory.etcd, old: inventory.etcd.new, new: inventory.etcd.old } };
}
