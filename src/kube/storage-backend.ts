/**
 * Where the apiserver keeps the cluster (pure): `--storage-backend=etcd2` (etcd's v2 store) or `etcd3` (the v3
 * store). Absent, Kubernetes before 1.6 defaults to etcd2 — DomeOS's 1.4.7 and up to 1.5.5 — and 1.6 on to etcd3.
 * With etcd2 every object lives in the v2 store, which only ferry's v2 dump backs up.
 */
import { readFlagInValue } from '../sysconfig/flags.ts';

export type StorageBackend = 'etcd2' | 'etcd3';

export interface StorageBackendReading {
  readonly backend: StorageBackend;
  /** `--storage-backend=etcd2 in /etc/sysconfig/kube-apiserver`, or `the default of Kubernetes v1.4.7`. */
  readonly source: string;
}

/** `v1.4.7` → [1, 4]. */
function minorVersion(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

/** From the apiserver sysconfig's values (any of them may carry the flag) and the apiserver's version. */
export function resolveStorageBackend(values: Iterable<string>, file: string, k8sVersion: string): StorageBackendReading | undefined {
  for (const value of values) {
    const flag = readFlagInValue(value, 'storage-backend');
    if (flag === 'etcd2' || flag === 'etcd3') return { backend: flag, source: `--storage-backend=${flag} in ${file}` };
  }
  const v = minorVersion(k8sVersion);
  if (v === undefined) return undefined;
  return { backend: v[0] === 1 && v[1] < 6 ? 'etcd2' : 'etcd3', source: `the default of Kubernetes ${k8sVersion} (no --storage-backend in ${file})` };
}

/** The plan's note. */
export function renderStorageBackendNote(r: StorageBackendReading): string {
  return r.backend === 'etcd2'
    ? `the apiserver keeps the cluster in etcd's v2 store (${r.source}): every Kubernetes object is in the v2 dump the snapshot step takes, not in the v3 snapshot`
    : `the apiserver keeps the cluster in etcd's v3 store (${r.source}): its objects are in the v3 snapshot`;
}
