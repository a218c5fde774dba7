/**
 * Which of etcd's stores hold data, for the plan (docs/design/etcd-versions.md): the v3 store's key count (a
 * count-only range) and the v2 store's keys and dirs (one quorum read of the tree), or why either could not be read.
 * DomeOS keeps flannel's network and skydns' records in the v2 store, and with Kubernetes before 1.6 every object.
 */
import { messageOf } from '../errors.ts';
import { countV2 } from '../etcd/v2-store.ts';
import type { EtcdStores } from '../etcd/stores.ts';
import type { EtcdAdmin } from '../ports/etcd.ts';

export async function readEtcdStores(admin: EtcdAdmin, endpoints: readonly string[]): Promise<EtcdStores> {
  const v3 = await admin.countKeys().then(
    (r) => ({ keys: r.count, revision: r.revision }),
    (err: unknown) => ({ error: messageOf(err) }),
  );
  let v2: EtcdStores['v2'] = { error: 'no member answered' };
  for (const endpoint of endpoints) {
    try {
      const store = await admin.readV2Store(endpoint);
      v2 = store === undefined ? { served: false } : { served: true, ...countV2(store.root), index: store.index };
      break;
    } catch (err) {
      v2 = { error: messageOf(err) };
    }
  }
  return { v3, v2 };
}
