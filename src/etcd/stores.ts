/**
 * What etcd's two stores hold, as the plan names it (pure): the v3 store (gRPC, what a v3 snapshot holds) and the
 * v2 store (`/v2/keys`, which a v3 snapshot does not hold: ferry dumps it beside the snapshot).
 */
export interface EtcdStores {
  readonly v3: { readonly keys: number; readonly revision: string } | { readonly error: string };
  readonly v2: { readonly served: false } | { readonly served: true; readonly keys: number; readonly dirs: number; readonly index: string } | { readonly error: string };
}

/** The plan's note on the stores and how the backup holds each. */
export function renderStoresNote(s: EtcdStores): string {
  const v3 = 'error' in s.v3 ? `v3: could not be counted (${s.v3.error})` : `v3 holds ${s.v3.keys} key${s.v3.keys === 1 ? '' : 's'} (revision ${s.v3.revision})`;
  let v2: string;
  if ('error' in s.v2) v2 = `v2: could not be read (${s.v2.error})`;
  else if (!s.v2.served) v2 = 'the v2 API is not served (no v2 store to back up)';
  else v2 = `v2 holds ${s.v2.keys} key${s.v2.keys === 1 ? '' : 's'} in ${s.v2.dirs} dir${s.v2.dirs === 1 ? '' : 's'} (index ${s.v2.index})`;
  return `etcd stores: ${v3}; ${v2}. The snapshot step backs up both (a v3 snapshot, and a dump of the v2 tree beside it) and restores them into a scratch member, compared with the live cluster, before the first change`;
}
