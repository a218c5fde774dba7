/**
 * `ferry lab status`: what lab.json says was built, and what the supervisor says runs now — for a lab with a
 * master, also each master's units and health, the nodes' unit states, and how many nodes each apiserver that
 * answers reports Ready.
 */
import { resolve } from 'node:path';
import { isFerryError, messageOf } from '../../errors.ts';
import { queryLabDns } from './dns-up.ts';
import { readReadyNodeNames } from './nodes-up.ts';
import { readLabState, type LabHostState, type LabMasterState, type LabState } from './state.ts';
import { SupervisorClient, type UnitStatus } from '../supervisor/supervisor-client.ts';

export interface LabMemberStatus {
  readonly name: string;
  readonly service: string;
  readonly clientURL: string;
  readonly peerURL: string;
  /** The unit's state; `unknown` when the supervisor is not running. */
  readonly state: UnitStatus['state'] | 'unknown';
  readonly pid: number | null;
  readonly lastExit: UnitStatus['lastExit'];
}

export interface LabHostStatus extends Omit<LabHostState, 'members'> {
  readonly members: readonly LabMemberStatus[];
}

export type LabUnitState = UnitStatus['state'] | 'unknown';

export interface LabMasterStatus extends LabMasterState {
  readonly unitStates: readonly { readonly unit: string; readonly state: LabUnitState; readonly pid: number | null }[];
  /** `ok`, or why /healthz did not say so. */
  readonly healthz: string;
}

export interface LabNodesReady {
  readonly apiserver: string;
  /** Lab nodes this apiserver reports Ready (undefined when it did not answer). */
  readonly ready?: number;
  readonly error?: string;
}

export interface LabNodesStatus {
  readonly total: number;
  readonly generated: number;
  /** unit → state → number of nodes. */
  readonly unitStates: Readonly<Record<string, Readonly<Partial<Record<LabUnitState, number>>>>>;
  readonly ready: readonly LabNodesReady[];
}

export interface LabK8sStatus {
  readonly masters: readonly LabMasterStatus[];
  readonly nodes: LabNodesStatus;
  readonly flannelConfig: string;
  /** The cluster DNS lab up created, asked again now. */
  readonly dns?: LabDnsStatus;
}

export interface LabDnsStatus {
  readonly service: string;
  readonly clusterDns: string;
  readonly query: string;
  /** The A records it answers now (undefined when it does not answer). */
  readonly answer?: readonly string[];
  readonly error?: string;
}

export interface LabStatus {
  readonly labDir: string;
  /** lab.json exists. */
  readonly exists: boolean;
  /** The supervisor answers on its socket. */
  readonly supervisorRunning: boolean;
  readonly state?: LabState;
  readonly hosts: readonly LabHostStatus[];
  /** Every unit the supervisor knows (including ones started outside the inventory's members). */
  readonly units: readonly UnitStatus[];
  /** Masters and nodes, for a lab with a master. */
  readonly k8s?: LabK8sStatus;
}

const PROBE_TIMEOUT_MS = 5_000;

async function readHealthz(apiserver: string): Promise<string> {
  try {
    const res = await fetch(`${apiserver.replace(/\/+$/, '')}/healthz`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await res.text()).trim();
    return res.status === 200 && body === 'ok' ? 'ok' : `HTTP ${res.status} ${body.slice(0, 100)}`;
  } catch (err) {
    return messageOf(err);
  }
}

async function readK8sStatus(state: NonNullable<LabState['k8s']>, units: readonly UnitStatus[], supervisorRunning: boolean): Promise<LabK8sStatus> {
  const byKey = new Map(units.map((u) => [`${u.host}/${u.unit}`, u]));
  const stateOf = (host: string, unit: string): UnitStatus | undefined => byKey.get(`${host}/${unit}`);
  const masters: LabMasterStatus[] = [];
  for (const m of state.masters) {
    const names = m.units.length > 0 ? m.units : units.filter((u) => u.host === m.address).map((u) => u.unit);
    masters.push({
      ...m,
      unitStates: names.map((unit) => {
        const u = stateOf(m.address, unit);
        return { unit, state: supervisorRunning ? (u?.state ?? 'inactive') : 'unknown', pid: u?.pid ?? null };
      }),
      healthz: await readHealthz(m.apiserver),
    });
  }
  const unitStates: Record<string, Partial<Record<LabUnitState, number>>> = {};
  for (const unit of state.nodeUnits) {
    const counts: Partial<Record<LabUnitState, number>> = {};
    for (const n of state.nodes) {
      const s: LabUnitState = supervisorRunning ? (stateOf(n.address, unit)?.state ?? 'inactive') : 'unknown';
      counts[s] = (counts[s] ?? 0) + 1;
    }
    unitStates[unit] = counts;
  }
  const names = state.nodes.map((n) => n.name);
  const ready: LabNodesReady[] = [];
  for (const m of state.masters) {
    try {
      const readyNames = await readReadyNodeNames(m.apiserver.replace(/\/+$/, ''), PROBE_TIMEOUT_MS);
      ready.push({ apiserver: m.apiserver, ready: names.filter((n) => readyNames.has(n)).length });
    } catch (err) {
      ready.push({ apiserver: m.apiserver, error: messageOf(err) });
    }
  }
  let dns: LabDnsStatus | undefined;
  if (state.dns !== undefined) {
    const clusterDns = state.network?.clusterDns ?? '';
    const got = await queryLabDns(clusterDns, state.dns.query);
    dns = { service: `${state.dns.namespace}/${state.dns.service}`, clusterDns, query: state.dns.query, ...(got.addresses !== undefined ? { answer: got.addresses } : {}), ...(got.error !== undefined ? { error: got.error } : {}) };
  }
  return {
    masters,
    nodes: { total: state.nodes.length, generated: state.nodes.filter((n) => n.generated).length, unitStates, ready },
    flannelConfig: state.flannelConfig,
    ...(dns !== undefined ? { dns } : {}),
  };
}

export async function readLabStatus(labDirIn: string): Promise<LabStatus> {
  const labDir = resolve(labDirIn);
  const state = await readLabState(labDir);
  const client = new SupervisorClient(labDir);
  let units: UnitStatus[] = [];
  let supervisorRunning = true;
  try {
    units = await client.list();
  } catch (err) {
    if (!isFerryError(err) || err.code !== 'LAB_NOT_RUNNING') throw err;
    supervisorRunning = false;
  }
  const hosts: LabHostStatus[] = [];
  for (const host of state?.hosts ?? []) {
    const members: LabMemberStatus[] = [];
    for (const m of host.members) {
      const unit = supervisorRunning ? await client.state(host.address, m.service) : undefined;
      members.push({ ...m, state: unit?.state ?? 'unknown', pid: unit?.pid ?? null, lastExit: unit?.lastExit ?? null });
    }
    hosts.push({ ...host, members });
  }
  const k8s = state?.k8s !== undefined ? await readK8sStatus(state.k8s, units, supervisorRunning) : undefined;
  return { labDir, exists: state !== undefined, supervisorRunning, state, hosts, units, ...(k8s !== undefined ? { k8s } : {}) };
}
