/** What the DomeOS console says of a cluster, its watcher and deployments: the data the ConsoleApi port (src/ports/console.ts) returns. */
export interface ClusterInfo {
  readonly id: number;
  readonly name: string;
  readonly api: string;
  readonly etcd: string;
  readonly [field: string]: unknown;
}

/** `ClusterWatcherInfo` (GET /api/cluster/{id}/watcher/status). `state` is a DeploymentStatus: RUNNING, STOP, ... */
export interface WatcherInfo {
  readonly deployId: number;
  readonly clusterId: number;
  readonly name: string;
  readonly state: string;
  readonly [field: string]: unknown;
}

/** The `Deployment` the console returns from create, start, stop and GET /api/deploy/id/{id}. */
export interface DeploymentInfo {
  readonly id: number;
  readonly state: string;
  readonly [field: string]: unknown;
}

/** The cluster fields ferry changes, in the console's formats (buildApiField, buildEtcdField). */
export interface ClusterEndpoints {
  readonly api?: string;
  readonly etcd?: string;
}

/** A logged-in console; an expired session is logged in again transparently. */
