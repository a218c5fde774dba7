/**
 * Helpers for the master-switch integration tests (test/integration/master-*.test.ts): a lab with a master and
 * nodes on the test's own addresses (startLab's Kubernetes options passed through, which startLabFixture has no
 * way to pass), and checks on the apiservers, the units and the node files a finished switch must show.
 *
 * Address plan of a prefix P: old etcd P.31–, new etcd P.21–, old master P.30, new master P.20, nodes P.39–.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LabHost } from '../../src/lab/host.ts';
import { readInventory } from '../../src/inventory/load.ts';
import { openKube } from '../../src/adapters/kube/client.ts';
import { type NodeView } from '../../src/kube/objects.ts';
import { stopLab } from '../../src/lab/setup/down.ts';
import { KubeClient } from '../../src/lab/k8s/client.ts';
import { buildHostRoot, mapPathIntoRoot } from '../../src/lab/paths.ts';
import { startLab, type StartLabOptions } from '../../src/lab/setup/up.ts';
import type { LabFixture } from './lab-fixture.ts';

export const NODE_SYSCONFIG = ['/etc/sysconfig/kubelet', '/etc/sysconfig/kube-proxy', '/etc/sysconfig/flanneld'] as const;
export const OLD_MASTER_STOPPED = ['kube-controller', 'kube-scheduler', 'kube-proxy', 'kube-apiserver'] as const;

export interface MasterLabOptions {
  readonly etcdOld?: number;
  readonly etcdNew?: number;
  /** Nodes listed in the inventory, at P.39, P.40, …; default 3. */
  readonly nodes?: number;
  /** Merged into the inventory (e.g. `rollout`). */
  readonly extra?: Record<string, unknown>;
  /** Passed to startLab (k8sVersions, controllerOpts, …). */
  readonly lab?: Omit<StartLabOptions, 'inventory' | 'inventoryPath' | 'labDir' | 'log'>;
}

export interface MasterLab extends LabFixture {
  readonly oldMaster: string;
  readonly newMaster: string;
  readonly oldMasterHost: string;
  readonly newMasterHost: string;
  readonly nodes: readonly { readonly name: string; readonly host: string }[];
}

export async function startMasterLab(prefix: string, o: MasterLabOptions = {}): Promise<MasterLab> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-mit-'));
  const home = join(dir, 'home');
  const labDir = join(dir, 'lab');
  const nodes = Array.from({ length: o.nodes ?? 3 }, (_, i) => ({ name: `n-${prefix.replaceAll('.', '-')}-${39 + i}`, host: `${prefix}.${39 + i}` }));
  const oldMasterHost = `${prefix}.30`;
  const newMasterHost = `${prefix}.20`;
  const raw = {
    apiVersion: 'ferry/v1',
    name: 'mit',
    access: { mode: 'lab', labDir },
    etcd: {
      old: Array.from({ length: o.etcdOld ?? 3 }, (_, i) => ({ name: `old${i}`, host: `${prefix}.${31 + i}` })),
      new: Array.from({ length: o.etcdNew ?? 3 }, (_, i) => ({ name: `new${i}`, host: `${prefix}.${21 + i}` })),
    },
    master: { old: { host: oldMasterHost, apiserver: `http://${oldMasterHost}:8080` }, new: { host: newMasterHost, apiserver: `http://${newMasterHost}:8080` } },
    nodes,
    ...o.extra,
  };
  const inventoryPath = join(dir, 'inventory.yaml');
  writeFileSync(inventoryPath, stringify(raw));
  const { inventory, sha256 } = await readInventory(inventoryPath);
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await stopLab(labDir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // No cluster DNS unless a test asks for it with its own ranges: parallel labs share the default ones.
    await startLab({ dns: false, ...o.lab, inventory, inventoryPath, labDir, log: () => undefined });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    dir,
    home,
    labDir,
    inventoryPath,
    inventory,
    sha256,
    env: { ...process.env, FERRY_HOME: home },
    cleanup,
    oldMaster: `http://${oldMasterHost}:8080`,
    newMaster: `http://${newMasterHost}:8080`,
    oldMasterHost,
    newMasterHost,
    nodes,
  };
}

/** The path of `path` on lab host `address`, in this machine's file system. */
export function hostPath(lab: MasterLab, address: string, path: string): string {
  return mapPathIntoRoot(buildHostRoot(lab.labDir, address), path);
}

/** The bytes of a node's three sysconfig files, by path. */
export function readNodeFiles(lab: MasterLab, address: string): Map<string, Buffer> {
  return new Map(NODE_SYSCONFIG.map((p) => [p, readFileSync(hostPath(lab, address, p))]));
}

export function mtimeOf(lab: MasterLab, address: string, path: string): number {
  return statSync(hostPath(lab, address, path)).mtimeMs;
}

export function kubeClient(url: string): KubeClient {
  return new KubeClient({ master: url, requestTimeoutMs: 5000 });
}

export async function listNodes(url: string): Promise<NodeView[]> {
  return openKube(url).listNodes();
}

export async function healthz(url: string): Promise<boolean> {
  return openKube(url).healthz(1000);
}

/** Every one of `names` Ready on `url`. */
export async function assertNodesReady(url: string, names: readonly string[]): Promise<void> {
  const live = await listNodes(url);
  const notReady = names.filter((n) => live.find((l) => l.name === n)?.ready !== 'True');
  assert.deepEqual(notReady, [], `every node Ready on ${url}: ${JSON.stringify(live)}`);
}

export async function unitState(lab: MasterLab, address: string, unit: string): Promise<string> {
  const host = new LabHost(lab.labDir, address);
  try {
    return await host.serviceState(unit);
  } finally {
    await host.close();
  }
}

/** The value of KEY=… in a sysconfig file's text (first occurrence, quotes kept). */
export function sysconfigLine(text: string, key: string): string | undefined {
  return text.split(/\r?\n/).find((l) => l.startsWith(`${key}=`));
}
