/**
 * The etcd version of every member the inventory names, read before anything else is asked of the cluster
 * (`GET /version`; src/etcd/versions.ts says which versions ferry moves and why). A cluster older than ferry moves is
 * refused here with the reason, so that the operator is never told to mend a cluster that is fine.
 */
import { inputError, messageOf } from '../errors.ts';
import { explainUnsupportedVersion, findUnsupportedVersions, MIN_ETCD_VERSION, renderVersionReading, type EtcdVersionReading } from '../etcd/versions.ts';
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

/** Refuses (exit 2, nothing changed) a cluster with a member older than ferry moves; returns the readings otherwise. */
export async function requireSupportedEtcd(admin: EtcdAdmin, inventory: Pick<Inventory, 'etcd'>): Promise<EtcdVersionReading[]> {
  const readings = await readEtcdVersions(admin, inventory);
  const old = findUnsupportedVersions(readings);
  const oldest = old[0]?.version;
  if (oldest === undefined) return readings;
  throw inputError('ETCD_VERSION_UNSUPPORTED', `etcd ${old.map(renderVersionReading).join(', ')}: ferry moves etcd ${MIN_ETCD_VERSION} and later, so nothing was planned or changed`, {
    hint: `${explainUnsupportedVersion(oldest.server)}. Until ferry can move it, follow the runbook by hand, or first upgrade the cluster to etcd 3.4 (etcd upgrades one minor version at a time)`,
    subjects: { member: old[0]?.member ?? '' },
  });
}
