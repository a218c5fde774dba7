/**
 * What `console.update` records in the journal before it changes anything (pure): the cluster's id, name, `api` and
 * `etcd` as they were (what rollback puts back), and the watcher's configuration (what re-creates it after a kill
 * between its delete and its create). Never the cluster's k8s username, password or token, nor the console login.
 */
import { BugError } from '../../errors.ts';
import type { WatcherConf } from '../../console/domeos-fields.ts';
import type { ClusterInfo, WatcherInfo } from '../../console/types.ts';
import { buildSavedWatcher, type SavedWatcher } from '../../console/watcher-replace.ts';

export interface ConsoleReadRecord {
  readonly clusterId: number;
  readonly cluster: string;
  readonly api: string;
  readonly etcd: string;
  /** Absent when the cluster had no watcher (or the console has no watcher feature). */
  readonly watcher?: SavedWatcher;
}

export function buildReadRecord(cluster: ClusterInfo, watcher: WatcherInfo | undefined): ConsoleReadRecord {
  return {
    clusterId: cluster.id,
    cluster: cluster.name,
    api: cluster.api,
    etcd: cluster.etcd,
    ...(watcher !== undefined ? { watcher: buildSavedWatcher(watcher) } : {}),
  };
}

function isConf(value: unknown): value is WatcherConf {
  if (value === null || typeof value !== 'object') return false;
  const c = value as Record<string, unknown>;
  return typeof c['name'] === 'string' && Array.isArray(c['containerDrafts']) && Array.isArray(c['labelSelectors']);
}

/** The record as the journal holds it; undefined when the step never finished reading. */
export function parseReadRecord(value: Record<string, unknown> | undefined): ConsoleReadRecord | undefined {
  if (value === undefined) return undefined;
  const { clusterId, cluster, api, etcd, watcher } = value;
  if (typeof clusterId !== 'number' || typeof cluster !== 'string' || typeof api !== 'string' || typeof etcd !== 'string') {
    throw new BugError('the journal’s console read record lacks clusterId, cluster, api or etcd');
  }
  if (watcher === undefined) return { clusterId, cluster, api, etcd };
  const w = watcher as Record<string, unknown> | null;
  if (w === null || typeof w !== 'object' || typeof w['deployId'] !== 'number' || typeof w['state'] !== 'string' || !isConf(w['conf'])) {
    throw new BugError('the journal’s console read record has a malformed watcher');
  }
  return { clusterId, cluster, api, etcd, watcher: { deployId: w['deployId'], state: w['state'], conf: w['conf'] } };
}
