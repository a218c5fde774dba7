/**
 * What a running lab remembers: `lab.json` (written by `ferry lab up`) and `supervisor-state.json` (rewritten by
 * the supervisor whenever a unit's pid changes, so `ferry lab down` can clean up even after the supervisor died).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { FerryError, messageOf } from '../../errors.ts';
import { buildLabPaths } from '../paths.ts';

export interface LabMemberState {
  readonly name: string;
  readonly service: string;
  readonly clientURL: string;
  readonly peerURL: string;
}

export interface LabHostState {
  readonly address: string;
  /** The host's root folder on this machine. */
  readonly root: string;
  /** `old`: runs a member of the lab's cluster from the start; `new`: prepared, nothing running. */
  readonly role: 'old' | 'new';
  readonly members: readonly LabMemberState[];
}

export interface LabMasterState {
  /** `old`: configured and running from the start; `new`: binaries only, for ferry's master switch. */
  readonly role: 'old' | 'new';
  readonly address: string;
  readonly root: string;
  /** The inventory's apiserver URL for this master. */
  readonly apiserver: string;
  readonly k8sVersion: string;
  /** Units the lab started on it (none on the new master). */
  readonly units: readonly string[];
}

export interface LabNodeState {
  readonly name: string;
  readonly address: string;
  /** Made up for `--nodes N` (not in the inventory). */
  readonly generated: boolean;
  readonly k8sVersion: string;
}

/** The Kubernetes side of a lab whose inventory has a master (and nodes). */
export interface LabK8sState {
  readonly masters: readonly LabMasterState[];
  readonly nodes: readonly LabNodeState[];
  /** Units every node runs. */
  readonly nodeUnits: readonly string[];
  /** The value of /flannel/network/config (v2) the lab wrote. */
  readonly flannelConfig: string;
  /** The lab's network ranges (absent in a lab.json from before they were options: the defaults then). */
  readonly network?: LabNetworkState;
  /** The cluster DNS `ferry lab up` created; absent when it was left out (`dns: false`). */
  readonly dns?: LabDnsState;
}

export interface LabNetworkState {
  /** The apiserver's --service-cluster-ip-range. */
  readonly serviceClusterIpRange: string;
  /** The kubelets' --cluster-dns (the DNS service's cluster IP). */
  readonly clusterDns: string;
  /** The flannel network in /flannel/network/config. */
  readonly flannelNetwork: string;
}

export interface LabDnsState {
  readonly namespace: string;
  readonly service: string;
  readonly controllers: readonly string[];
  readonly domain: string;
  /** The name lab up asked and the address it got. */
  readonly query: string;
  readonly answer: string;
}

export interface LabState {
  readonly version: 1;
  /** The inventory the lab was made from (as given to `ferry lab up`). */
  readonly inventoryPath: string;
  /** The inventory's name. */
  readonly name: string;
  /** `--initial-cluster-token` of the old cluster. */
  readonly token: string;
  /** ISO time. */
  readonly createdAt: string;
  /** The etcd hosts. */
  readonly hosts: readonly LabHostState[];
  readonly supervisorPid: number;
  /** The etcd the lab runs (`--etcd`): its version as the binary says, and where the binary is; absent in older lab.json. */
  readonly etcd?: { readonly version: string; readonly binary: string };
  /** Masters and nodes; absent for an etcd-only lab. */
  readonly k8s?: LabK8sState;
}

/** `supervisor-state.json`. */
export interface SupervisorPids {
  readonly supervisorPid: number;
  /** `host/unit` → pid of the running process (the node runtime's pid for node agents). */
  readonly units: Readonly<Record<string, number>>;
  /** Pids of the node runtime processes. */
  readonly runtimes?: readonly number[];
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError('LAB_STATE_UNREADABLE', `cannot read ${path}: ${messageOf(err)}`, { subjects: { file: path }, cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FerryError('LAB_STATE_UNREADABLE', `${path} is not valid JSON: ${messageOf(err)}`, {
      hint: 'Run `ferry lab down` to clean the lab up and start again.',
      subjects: { file: path },
    });
  }
}

/** Written to a temp file and renamed, so a reader never sees half a file. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

export async function readLabState(labDir: string): Promise<LabState | undefined> {
  const value = await readJson(buildLabPaths(labDir).stateFile);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || (value as { version?: unknown }).version !== 1) {
    throw new FerryError('LAB_STATE_UNREADABLE', `${buildLabPaths(labDir).stateFile} is not a lab state of version 1`, {
      hint: 'Run `ferry lab down` to clean the lab up and start again.',
    });
  }
  return value as LabState;
}

export async function writeLabState(labDir: string, state: LabState): Promise<void> {
  await writeJsonAtomically(buildLabPaths(labDir).stateFile, state);
}

export async function readSupervisorPids(labDir: string): Promise<SupervisorPids | undefined> {
  const value = await readJson(buildLabPaths(labDir).supervisorStateFile);
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<SupervisorPids>;
  if (typeof v.supervisorPid !== 'number' || typeof v.units !== 'object' || v.units === null) return undefined;
  const runtimes = Array.isArray(v.runtimes) ? v.runtimes.filter((p): p is number => typeof p === 'number') : [];
  return { supervisorPid: v.supervisorPid, units: v.units, runtimes };
}
