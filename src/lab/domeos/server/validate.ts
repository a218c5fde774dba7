/**
 * `ClusterInfo.checkLegality` and the watcher conf's checks: the first problem found, or undefined when legal.
 */
import type { ClusterRecord } from './model.ts';

const isBlank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === '';

export function validateCluster(cluster: Partial<ClusterRecord>): string | undefined {
  if (isBlank(cluster.name)) return 'cluster name is blank';
  if (isBlank(cluster.api)) return 'api is blank';
  if (isBlank(cluster.ownerName)) return 'owner name is blank';
  if (isBlank(cluster.etcd)) return 'etcd is blank';
  const logConfig = cluster.logConfig ?? 0;
  if (typeof logConfig !== 'number') return 'logConfig must be a number';
  if (logConfig === 0 && cluster.clusterLog != null) return 'cluster log cannot be set';
  if (logConfig > 0) {
    const log = cluster.clusterLog;
    if (log == null || isBlank(log.kafka) || isBlank(log.zookeeper) || isBlank(log.imageName) || isBlank(log.imageTag)) {
      return 'cluster log is not legal';
    }
  }
  return undefined;
}

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateWatcherConf(conf: Record<string, unknown>): string | undefined {
  const name = conf['name'];
  if (typeof name !== 'string' || !DNS_1123.test(name) || name.length > 63) return 'watcher name must be a DNS-1123 label';
  const drafts = conf['containerDrafts'];
  if (!Array.isArray(drafts) || drafts.length === 0) return 'containerDrafts is empty';
  for (const d of drafts as unknown[]) {
    if (d === null || typeof d !== 'object') return 'container draft is not an object';
    const draft = d as Record<string, unknown>;
    if (isBlank(draft['image']) || isBlank(draft['registry'])) return 'container draft needs registry and image';
  }
  return undefined;
}
