/**
 * Reading the Kubernetes side for the planner: both masters' `kube-apiserver --version`, whether the old apiserver
 * answers, and the nodes to repoint — from the inventory, or, when it lists none, from the old apiserver (each
 * node's InternalIP is its host).
 */
import { FerryError } from '../errors.ts';
import type { Inventory, NodeHost } from '../inventory/types.ts';
import type { ObservedKube } from './types.ts';
import { K8S_BIN_DIR } from '../master/files.ts';
import type { Deps } from '../ports/deps.ts';
import { readKubeVersion } from './kube-version.ts';
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';
import { resolveStorageBackend, type StorageBackendReading } from '../kube/storage-backend.ts';

const APISERVER_SYSCONFIG = '/etc/sysconfig/kube-apiserver';

export async function readObservedKube(inventory: Inventory, deps: Deps): Promise<ObservedKube | undefined> {
  const master = inventory.master;
  if (master === undefined) return undefined;
  const [oldVersion, newVersion] = await Promise.all([
    deps.host(master.old.host).then((h) => readKubeVersion(h, K8S_BIN_DIR)),
    deps.host(master.new.host).then((h) => readKubeVersion(h, K8S_BIN_DIR)),
  ]);
  const oldApi = deps.kube(master.old.apiserver);
  const oldApiserverUp = await oldApi.healthz();
  let nodes: readonly NodeHost[];
  let nodesSource: ObservedKube['nodesSource'] = 'inventory';
  if (inventory.nodes !== undefined && inventory.nodes.length > 0) nodes = inventory.nodes;
  else if (oldApiserverUp) {
    nodesSource = 'apiserver';
    const live = await oldApi.listNodes();
    const missing = live.filter((n) => n.internalIP === undefined);
    if (missing.length > 0) {
      throw new FerryError('NODES_NO_ADDRESS', `node(s) without an InternalIP on ${master.old.apiserver}: ${missing.map((n) => n.name).join(', ')}`, {
        hint: 'list the nodes with their hosts in the inventory (nodes: [{ name, host }])',
        exitCode: 2,
      });
    }
    nodes = live.map((n) => ({ name: n.name, host: n.internalIP as string })).sort((a, b) => a.name.localeCompare(b.name));
  } else nodes = [];
  const storageBackend = await readStorageBackend(deps, master.old.host, oldVersion);
  return { oldVersion, newVersion, oldApiserverUp, nodes, nodesSource, ...(storageBackend !== undefined ? { storageBackend } : {}) };
}

/** The old apiserver's `--storage-backend` from its sysconfig, else its version's default; undefined if unreadable. */
async function readStorageBackend(deps: Deps, host: string, version: string): Promise<StorageBackendReading | undefined> {
  try {
    const text = await (await deps.host(host)).readFile(APISERVER_SYSCONFIG);
    const values = text === undefined ? [] : parseEnvironmentFile(text.toString('utf8')).values();
    return resolveStorageBackend(values, APISERVER_SYSCONFIG, version);
  } catch {
    return undefined;
  }
}
