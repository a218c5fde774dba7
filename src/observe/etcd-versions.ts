/**
 * The etcd version of every member the inventory names, read before anything else is asked of the cluster
 * (`GET /version`; src/etcd/method.ts says which versions ferry moves, how, and why). A cluster ferry cannot move,
 * or may move only with a consent the operator has not given, is refused here with the reason, so that the
 * operator is never told to mend a cluster that is fine.
 */
import { inputError, messageOf } from '../errors.ts';
import { chooseEtcdMethod } from '../etcd/method.ts';
import type { EtcdVersionReading } from '../etcd/versions.ts';
import type { Inventory } from '../inventory/types.ts';
import type { EtcdAdmin } from '../ports/etcd.ts';

export async function readEtcdVersions(admin: EtcdAdmin, inventory: Pick<Inventory, 'etcd'>): Promise<EtcdVersionReading[]> {
  const members = [...inventory.etcd.old, ...inventory.etcd.new];
  return Promise.all(
    members.map(async (m): Promise<EtcdVersionReading> => {
      try {
        return { member: m.name, clientURL: m.clientURL, version: await admin.version(m.clientURL) };
      } catch (err) {
        return { member: m.name, clientURL: m.clientURL, error: messageOf(err) };
      }
    }),
  );
}

/** Refuses (exit 2, nothing changed) a cluster ferry cannot move as the inventory allows; returns the readings otherwise. */
export async function requireSupportedEtcd(admin: EtcdAdmin, inventory: Pick<Inventory, 'etcd'>): Promise<EtcdVersionReading[]> {
  const readings = await readEtcdVersions(admin, inventory);
  const choice = chooseEtcdMethod(readings, inventory.etcd.allowVoterAdd === true);
  if (choice.ok) return readings;
  throw inputError(choice.code, choice.message, { hint: choice.hint, subjects: { member: choice.member } });
}
