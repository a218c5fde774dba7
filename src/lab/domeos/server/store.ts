/**
 * The console's operations on its state (clusters, the watcher deployment), each persisted to the state file
 * before it answers. STOPPING → STOP is computed lazily from the clock whenever a deployment is read.
 */
import { DomeosApiError } from './envelope.ts';
import type { ClusterRecord, DeploymentRecord, ServerState } from './model.ts';
import { writeStateFile } from './state-file.ts';
import { validateCluster } from './validate.ts';
import { applyStart, applyStop, buildWatcherDeployment, checkDeletable, computeDeploymentState } from './watcher.ts';

export class DomeosStore {
  constructor(
    private state: ServerState,
    private readonly path: string,
    private readonly watcherStopMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private save(): void {
    writeStateFile(this.path, this.state);
  }

  checkLogin(username: string, password: string): void {
    const user = this.state.users.find((u) => u.username === username);
    if (user === undefined) throw new DomeosApiError('USER_NOT_AUTHORIZED', 'username wrong');
    if (user.password !== password) throw new DomeosApiError('USER_NOT_AUTHORIZED', 'password wrong');
  }

  listClusters(): Array<Record<string, unknown>> {
    return this.state.clusters.map((c) => {
      const deployId = this.state.watchers[String(c.id)];
      return {
        id: c.id, name: c.name, api: c.api, tag: c.tag, domain: c.domain, logConfig: c.logConfig, ownerName: c.ownerName,
        role: 'MASTER', createTime: c.createTime, nodeNum: 0, podNum: 0, buildConfig: c.buildConfig ?? 0,
        watcherStatus: deployId === undefined ? 'NOTEXIST' : 'RUNNING',
      };
    });
  }

  getCluster(id: number): ClusterRecord {
    const cluster = this.state.clusters.find((c) => c.id === id);
    if (cluster === undefined) throw new DomeosApiError('CLUSTER_NOT_EXIST');
    return cluster;
  }

  /** PUT /api/cluster: overwrite the whole record (`Cluster.update`), after `checkLegality`. */
  updateCluster(body: unknown): ClusterRecord {
    if (body === null || typeof body !== 'object') throw new DomeosApiError('PARAM_ERROR', 'cluster info is null');
    const info = body as Partial<ClusterRecord>;
    if (typeof info.id !== 'number') throw new DomeosApiError('PARAM_ERROR', 'cluster id is null');
    const old = this.getCluster(info.id);
    const problem = validateCluster(info);
    if (problem !== undefined) throw new DomeosApiError('PARAM_ERROR', problem);
    const updated: ClusterRecord = { ...(info as ClusterRecord), id: old.id, createTime: old.createTime };
    this.state.clusters = this.state.clusters.map((c) => (c.id === old.id ? updated : c));
    this.save();
    return updated;
  }

  private deployment(id: number): DeploymentRecord {
    const found = this.state.deployments.find((d) => d.id === id);
    if (found === undefined) throw new DomeosApiError('DEPLOYMENT_NOT_EXIST');
    const current = computeDeploymentState(found, this.now());
    if (current !== found) this.replace(current);
    return current;
  }

  private replace(dep: DeploymentRecord): void {
    this.state.deployments = this.state.deployments.map((d) => (d.id === dep.id ? dep : d));
    this.save();
  }

  getDeployment(id: number): DeploymentRecord {
    return this.deployment(id);
  }

  watcherOf(clusterId: number): DeploymentRecord {
    this.getCluster(clusterId);
    const deployId = this.state.watchers[String(clusterId)];
    if (deployId === undefined) throw new DomeosApiError('PARAM_ERROR', 'no watcher in this cluster');
    return this.deployment(deployId);
  }

  createWatcher(clusterId: number, conf: unknown): DeploymentRecord {
    const cluster = this.getCluster(clusterId);
    if (this.state.watchers[String(clusterId)] !== undefined) throw new DomeosApiError('PARAM_ERROR', 'watcher existed!');
    if (conf === null || typeof conf !== 'object') throw new DomeosApiError('PARAM_ERROR', 'watcher conf is null');
    const dep = buildWatcherDeployment({ id: this.state.nextId, cluster, serverUrl: this.state.serverUrl, conf: conf as Record<string, unknown>, now: this.now() });
    this.state.nextId++;
    this.state.deployments.push(dep);
    this.state.watchers[String(clusterId)] = dep.id;
    this.save();
    return dep;
  }

  startDeployment(id: number, version: number): DeploymentRecord {
    const dep = applyStart(this.deployment(id), version);
    this.replace(dep);
    return dep;
  }

  stopDeployment(id: number): DeploymentRecord {
    const dep = applyStop(this.deployment(id), this.now(), this.watcherStopMs);
    this.replace(dep);
    return dep;
  }

  deleteDeployment(id: number): void {
    const dep = this.deployment(id);
    checkDeletable(dep);
    this.state.deployments = this.state.deployments.filter((d) => d.id !== id);
    for (const [clusterId, deployId] of Object.entries(this.state.watchers)) {
      if (deployId === id) delete this.state.watchers[clusterId];
    }
    this.save();
  }
}
