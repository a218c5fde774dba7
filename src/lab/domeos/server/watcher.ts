/**
 * The watcher deployment's life cycle, pure: create (state STOP, args overwritten), start (→ RUNNING), stop
 * (→ STOPPING, then STOP once `stopDoneAt` has passed: the real server stops pods asynchronously), delete (refused
 * unless STOP: CANNOT_DELETE_DEPLOYMENT 1202). Functions return the changed record; the caller persists it.
 */
import { DomeosApiError } from './envelope.ts';
import { DeploymentState, buildWatcherArgs } from './model.ts';
import type { ClusterRecord, ContainerDraft, DeploymentRecord, LabelSelector } from './model.ts';
import { validateWatcherConf } from './validate.ts';

/** The state as of `now`: a STOPPING deployment whose delay has passed is STOP. */
export function computeDeploymentState(dep: DeploymentRecord, now: number): DeploymentRecord {
  if (dep.state === DeploymentState.STOPPING && dep.stopDoneAt !== undefined && now >= dep.stopDoneAt) {
    const { stopDoneAt: _done, ...rest } = dep;
    return { ...rest, state: DeploymentState.STOP };
  }
  return dep;
}

export interface CreateWatcherInput {
  readonly id: number;
  readonly cluster: ClusterRecord;
  readonly serverUrl: string;
  readonly conf: Record<string, unknown>;
  readonly now: number;
}

export function buildWatcherDeployment(input: CreateWatcherInput): DeploymentRecord {
  const problem = validateWatcherConf(input.conf);
  if (problem !== undefined) throw new DomeosApiError('PARAM_ERROR', problem);
  if (input.serverUrl.trim() === '') throw new DomeosApiError('PARAM_ERROR', 'DomeOS server address in global configuration must be set');
  const conf = input.conf;
  const args = buildWatcherArgs(input.cluster, input.serverUrl);
  const drafts = (conf['containerDrafts'] as ContainerDraft[]).map((d) => ({
    registry: String(d.registry),
    image: String(d.image),
    tag: String(d.tag ?? 'latest'),
    cpu: Number(d.cpu ?? 0),
    mem: Number(d.mem ?? 0),
    args: [...args],
  }));
  const selectors = Array.isArray(conf['labelSelectors']) ? (conf['labelSelectors'] as LabelSelector[]) : [];
  return {
    id: input.id,
    name: String(conf['name']),
    description: typeof conf['description'] === 'string' ? conf['description'] : '',
    clusterId: input.cluster.id,
    namespace: typeof conf['namespace'] === 'string' && conf['namespace'] !== '' ? conf['namespace'] : 'default',
    hostEnv: typeof conf['hostEnv'] === 'string' && conf['hostEnv'] !== '' ? conf['hostEnv'] : 'PROD',
    versionType: 'WATCHER',
    state: DeploymentState.STOP,
    createTime: input.now,
    version: { version: 1, labelSelectors: selectors.map((s) => ({ name: String(s.name), content: String(s.content) })), containerDrafts: drafts },
  };
}

export function applyStart(dep: DeploymentRecord, version: number): DeploymentRecord {
  if (version !== dep.version.version) throw new DomeosApiError('PARAM_ERROR', `no version ${version} for deployment ${dep.id}`);
  if (dep.state !== DeploymentState.STOP) throw new DomeosApiError('PARAM_ERROR', `deployment status is ${dep.state} now`);
  return { ...dep, state: DeploymentState.RUNNING };
}

export function applyStop(dep: DeploymentRecord, now: number, stopDelayMs: number): DeploymentRecord {
  if (dep.state === DeploymentState.STOP) throw new DomeosApiError('DEPLOYMENT_STOP_FAILED', 'deployment is already stopped');
  if (dep.state === DeploymentState.STOPPING) return dep;
  if (stopDelayMs <= 0) return { ...dep, state: DeploymentState.STOP };
  return { ...dep, state: DeploymentState.STOPPING, stopDoneAt: now + stopDelayMs };
}

/** Throws CANNOT_DELETE_DEPLOYMENT unless the deployment is STOP. */
export function checkDeletable(dep: DeploymentRecord): void {
  if (dep.state !== DeploymentState.STOP) throw new DomeosApiError('CANNOT_DELETE_DEPLOYMENT', `deployment status is ${dep.state} now`);
}

/** `ClusterWatcherInfo` as GET /api/cluster/{id}/watcher/status returns it. */
export function renderWatcherInfo(dep: DeploymentRecord): Record<string, unknown> {
  return {
    name: dep.name,
    description: dep.description,
    deployId: dep.id,
    clusterId: dep.clusterId,
    namespace: dep.namespace,
    state: dep.state,
    hostEnv: dep.hostEnv,
    createTime: dep.createTime,
    versionSelectorInfos: [{ version: dep.version.version, labelSelectors: dep.version.labelSelectors, containerDrafts: dep.version.containerDrafts }],
  };
}

/** The `Deployment` as create and GET /api/deploy/id/{id} return it. */
export function renderDeployment(dep: DeploymentRecord): Record<string, unknown> {
  return {
    id: dep.id,
    name: dep.name,
    description: dep.description,
    clusterId: dep.clusterId,
    namespace: dep.namespace,
    hostEnv: dep.hostEnv,
    versionType: dep.versionType,
    state: dep.state,
    createTime: dep.createTime,
    currentVersions: [{ version: dep.version.version, labelSelectors: dep.version.labelSelectors, containerDrafts: dep.version.containerDrafts }],
  };
}
