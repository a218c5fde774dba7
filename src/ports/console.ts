/**
 * The DomeOS console as ferry's steps see it (docs/design/domeos.md §3): the anonymous `/health`, and a logged-in session that
 * reads and updates a cluster's endpoints and replaces its watcher. `DomeosConsole` (src/adapters/console/domeos.ts) is the real one;
 * unit tests use an in-memory fake. Secrets (the password, a cluster's k8s password or token) never leave the
 * session: what a step journals is built from these records by src/steps/console/read-record.ts, without them.
 */
import type { WatcherConf } from '../console/domeos-fields.ts';
import type { ClusterEndpoints, ClusterInfo, DeploymentInfo, WatcherInfo } from '../console/types.ts';

/** `ClusterInfo`: the fields ferry uses, plus every other field, kept so that PUT sends the object back whole. */
export interface ConsoleSession {
  /** The whole ClusterInfo of the cluster named `name`. Unknown name: CONSOLE_CLUSTER_NOT_EXIST. */
  readCluster(name: string): Promise<ClusterInfo>;
  readClusterById(id: number): Promise<ClusterInfo>;
  /** Re-reads the cluster whole, sets the given fields and PUTs it back whole; returns what the console echoed. */
  updateClusterEndpoints(cluster: Pick<ClusterInfo, 'id'>, endpoints: ClusterEndpoints): Promise<ClusterInfo>;
  /** The cluster's watcher, or undefined when it has none (or the console has no watcher feature). */
  readWatcher(clusterId: number): Promise<WatcherInfo | undefined>;
  /** Tells the watcher to stop unless it is stopping already, then waits (bounded) until it is STOP. */
  stopWatcher(deployId: number, opts: { timeoutMs: number }): Promise<DeploymentInfo>;
  /** Refused by the console unless the watcher is STOP. */
  deleteWatcher(deployId: number): Promise<void>;
  /** The console bakes the cluster's current `api` into the new watcher's args. */
  createWatcher(clusterId: number, conf: WatcherConf): Promise<DeploymentInfo>;
  /** Starts a STOP watcher and waits (bounded) until it is RUNNING. */
  startWatcher(deployId: number, opts: { timeoutMs: number; version?: number }): Promise<DeploymentInfo>;
  /** Waits (bounded) until the deployment is in `state`, without asking for anything. */
  waitForDeploymentState(deployId: number, state: string, timeoutMs: number): Promise<DeploymentInfo>;
}

export interface ConsoleLoginOptions {
  /** The target's `credentialsFile`; without it the environment (and, in the lab, the lab's file) is used. */
  readonly credentialsFile?: string;
  /** Cancels every call of the session. */
  readonly signal?: AbortSignal;
}

/** The console at one URL, as `deps.console(url)` gives it. */
export interface ConsoleApi {
  readonly url: string;
  /** GET /health (anonymous): true when the server answers 200 within `timeoutMs` (default 2 000). Never throws. */
  health(timeoutMs?: number): Promise<boolean>;
  /** Reads the credentials now (never journalled, never logged) and logs in. */
  login(options?: ConsoleLoginOptions): Promise<ConsoleSession>;
}
