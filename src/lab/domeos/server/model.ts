/**
 * The stand-in's persisted state: users, clusters, deployments (the watcher is a deployment with versionType
 * WATCHER, linked to its cluster as `ClusterWatcherDeployMap` does), and the global server address. Field names
 * follow the Java models named in docs/design/domeos.md §3.3 and §3.4.
 */

export interface ClusterLog {
  kafka?: string;
  zookeeper?: string;
  imageName?: string;
  imageTag?: string;
}

/** `ClusterInfo` as GET /api/cluster/{id} returns it and PUT /api/cluster takes it. */
export interface ClusterRecord {
  id: number;
  name: string;
  description?: string;
  api: string;
  username?: string | null;
  password?: string | null;
  oauthToken?: string | null;
  tag?: string;
  domain?: string;
  dns?: string;
  etcd: string;
  ownerName: string;
  logConfig: number;
  clusterLog?: ClusterLog | null;
  createTime: number;
  buildConfig?: number;
}

export interface ContainerDraft {
  registry: string;
  image: string;
  tag: string;
  cpu: number;
  mem: number;
  args?: string[];
}

export interface LabelSelector {
  name: string;
  content: string;
}

/** Deployment states (`DeploymentStatus`). */
export const DeploymentState = {
  RUNNING: 'RUNNING',
  STOP: 'STOP',
  STOPPING: 'STOPPING',
  DEPLOYING: 'DEPLOYING',
} as const;
export type DeploymentState = (typeof DeploymentState)[keyof typeof DeploymentState];

export interface DeploymentRecord {
  id: number;
  name: string;
  description: string;
  clusterId: number;
  namespace: string;
  hostEnv: string;
  versionType: 'WATCHER';
  state: DeploymentState;
  createTime: number;
  /** Epoch ms at which a STOPPING deployment becomes STOP (stand-in bookkeeping). */
  stopDoneAt?: number;
  version: { version: number; labelSelectors: LabelSelector[]; containerDrafts: ContainerDraft[] };
}

export interface ServerState {
  users: Array<{ username: string; password: string }>;
  /** The global "server" address (`http://ip:port`), used in the watcher's `--domeosServer`. */
  serverUrl: string;
  clusters: ClusterRecord[];
  deployments: DeploymentRecord[];
  /** clusterId → deployId. */
  watchers: Record<string, number>;
  nextId: number;
}

export interface SeedOptions {
  readonly serverUrl: string;
  readonly clusterName: string;
  /** Old apiserver as the console stores it: `ip:port`, no scheme. */
  readonly clusterApi: string;
  /** Old etcd list as the UI sends it: `http://a:4012,http://b:4012,`. */
  readonly clusterEtcd: string;
  readonly withWatcher: boolean;
  readonly now: number;
}

/** The UI's watcher defaults (`createWatcherCtr.js`). */
export function buildDefaultContainerDrafts(): ContainerDraft[] {
  return [{ registry: 'https://pub.domeos.org', image: 'kube_event_watcher', tag: 'v0.1.0', cpu: 0, mem: 0 }];
}

/** A fresh state: admin/admin, one cluster, and (unless told otherwise) its running watcher. */
export function buildSeedState(seed: SeedOptions): ServerState {
  const cluster: ClusterRecord = {
    id: 1,
    name: seed.clusterName,
    description: '',
    api: seed.clusterApi,
    username: null,
    password: null,
    oauthToken: null,
    tag: '',
    domain: 'domeos.local',
    dns: '172.16.40.1',
    etcd: seed.clusterEtcd,
    ownerName: 'admin',
    logConfig: 0,
    clusterLog: null,
    createTime: seed.now,
    buildConfig: 0,
  };
  const state: ServerState = { users: [{ username: 'admin', password: 'admin' }], serverUrl: seed.serverUrl, clusters: [cluster], deployments: [], watchers: {}, nextId: 2 };
  if (seed.withWatcher) {
    const drafts = buildDefaultContainerDrafts().map((d) => ({ ...d, args: buildWatcherArgs(cluster, seed.serverUrl) }));
    state.deployments.push({
      id: 2,
      name: 'watcher',
      description: '',
      clusterId: 1,
      namespace: 'default',
      hostEnv: 'PROD',
      versionType: 'WATCHER',
      state: DeploymentState.RUNNING,
      createTime: seed.now,
      version: { version: 1, labelSelectors: [], containerDrafts: drafts },
    });
    state.watchers['1'] = 2;
    state.nextId = 3;
  }
  return state;
}

/** The args `ClusterServiceImpl.addContainerEnv` writes over each watcher container's own. */
export function buildWatcherArgs(cluster: Pick<ClusterRecord, 'id' | 'api'>, serverUrl: string): string[] {
  return [`--apiserver=${cluster.api}`, '--in-cluster=false', '--port=8080', `--clusterId=${cluster.id}`, `--domeosServer=${serverUrl}/api/k8sevent/report`];
}
