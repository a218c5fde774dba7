/**
 * What phase 9 changes in the console's cluster record, and whether it is already so (pure). Fields compare by
 * meaning, not bytes: `http://a:8080` and `a:8080` are the same `api`, and an etcd list is the same whatever its
 * order, trailing comma or missing `http://` (docs/design/domeos.md §3.3).
 */
import { buildApiField, buildEtcdField } from './domeos-fields.ts';
import type { ClusterEndpoints } from './types.ts';

/** The record's new `api` and `etcd` in the console's formats; a field not moving is left out. */
export function buildEndpointTargets(apiserver: string | undefined, etcd: readonly string[] | undefined): ClusterEndpoints {
  return {
    ...(apiserver !== undefined ? { api: buildApiField(apiserver) } : {}),
    ...(etcd !== undefined ? { etcd: buildEtcdField(etcd) } : {}),
  };
}

function normalizeApi(api: string): string {
  try {
    return buildApiField(api);
  } catch {
    return api.trim();
  }
}

function normalizeEtcd(etcd: string): string {
  const urls = etcd.split(',').map((u) => u.trim()).filter((u) => u !== '');
  try {
    return buildEtcdField(urls).split(',').filter((u) => u !== '').map((u) => u.toLowerCase()).sort().join(',');
  } catch {
    return urls.join(',');
  }
}

export function sameApiField(a: string, b: string): boolean {
  return normalizeApi(a) === normalizeApi(b);
}

export function sameEtcdField(a: string, b: string): boolean {
  return normalizeEtcd(a) === normalizeEtcd(b);
}

/** The fields of `want` that differ from the record's, or undefined when the record already has them. */
export function computeEndpointChange(current: { readonly api: string; readonly etcd: string }, want: ClusterEndpoints): ClusterEndpoints | undefined {
  const change = {
    ...(want.api !== undefined && !sameApiField(current.api, want.api) ? { api: want.api } : {}),
    ...(want.etcd !== undefined && !sameEtcdField(current.etcd, want.etcd) ? { etcd: want.etcd } : {}),
  };
  return Object.keys(change).length === 0 ? undefined : change;
}
