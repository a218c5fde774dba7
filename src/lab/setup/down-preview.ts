/**
 * What `ferry lab down` would stop and remove, read without changing anything (`ferry lab down --dry-run`): the
 * supervisor and the unit processes it last recorded (those still alive), the node runtimes, and the entries of
 * the lab folder that down deletes. Down also kills any other process still running a program from a host root;
 * those are only found when it stops the lab, so the preview names the rule instead.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LAB_DIR_ENTRIES } from '../paths.ts';
import { readProcessState } from '../supervisor/processes.ts';
import { readLabState, readSupervisorPids } from './state.ts';

export interface LabDownPreview {
  readonly labDir: string;
  /** False when there is no lab folder: down would do nothing. */
  readonly found: boolean;
  readonly supervisor?: { readonly pid: number; readonly running: boolean };
  /** `host/unit` and pid of each unit process that runs now. */
  readonly units: readonly { readonly unit: string; readonly pid: number }[];
  /** Node runtime processes (each runs the agents of many lab nodes) that run now. */
  readonly runtimes: readonly number[];
  /** The paths down removes (the folder itself too, when nothing else is left in it). */
  readonly remove: readonly string[];
}

const alive = (pid: number) => readProcessState(pid) === 'running';

export async function readLabDownPreview(labDirIn: string): Promise<LabDownPreview> {
  const labDir = resolve(labDirIn);
  if ((await stat(labDir).catch(() => undefined)) === undefined) return { labDir, found: false, units: [], runtimes: [], remove: [] };
  const pids = await readSupervisorPids(labDir).catch(() => undefined);
  const supervisorPid = pids?.supervisorPid ?? (await readLabState(labDir).catch(() => undefined))?.supervisorPid;
  const remove: string[] = [];
  for (const entry of LAB_DIR_ENTRIES) if ((await stat(join(labDir, entry)).catch(() => undefined)) !== undefined) remove.push(join(labDir, entry));
  return {
    labDir,
    found: true,
    ...(supervisorPid !== undefined ? { supervisor: { pid: supervisorPid, running: alive(supervisorPid) } } : {}),
    units: Object.entries(pids?.units ?? {})
      .filter(([, pid]) => alive(pid))
      .map(([unit, pid]) => ({ unit, pid }))
      .sort((a, b) => a.unit.localeCompare(b.unit)),
    runtimes: (pids?.runtimes ?? []).filter(alive),
    remove,
  };
}
