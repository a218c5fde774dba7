/**
 * `ferry lab status`: what lab.json says was built, and what the supervisor says runs now.
 */
import { resolve } from 'node:path';
import { isFerryError } from '../errors.ts';
import { readLabState, type LabHostState, type LabState } from './state.ts';
import { SupervisorClient, type UnitStatus } from './supervisor-client.ts';

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
  return { labDir, exists: state !== undefined, supervisorRunning, state, hosts, units };
}
