/**
 * `--allow-voter-add`: the operator's consent, given on the command line, to new members joining as voters where
 * etcd has no learners (src/etcd/method.ts). It is the inventory's `etcd.allowVoterAdd` given for this command: the
 * run keeps it in its inventory.json, so that `ferry rollback` of that run may add members back the same way.
 */
import type { Inventory } from '../inventory/types.ts';

export function withVoterAddConsent(inventory: Inventory, flag: boolean | undefined): Inventory {
  if (flag !== true || inventory.etcd.allowVoterAdd === true) return inventory;
  return { ...inventory, etcd: { ...inventory.etcd, allowVoterAdd: true } };
}
