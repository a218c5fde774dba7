/**
 * `ferry lab down`: stop every unit and the supervisor, make sure no process of the lab survives (even when the
 * supervisor died without stopping its units), and remove the lab folder. Safe to run when nothing is up.
 */
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FerryError, messageOf } from '../../errors.ts';
import { LAB_DIR_ENTRIES, buildLabPaths } from '../paths.ts';
import { findProcessesWithCmdline, readProcessCmdline, readProcessState, waitForProcessGone } from '../supervisor/processes.ts';
import { readLabState, readSupervisorPids } from './state.ts';
import { SupervisorClient } from '../supervisor/supervisor-client.ts';

export interface StopLabOptions {
  readonly log?: (line: string) => void;
  /** Bound on the supervisor's orderly shutdown (units get SIGTERM, SIGKILL after 10 s); default 30 000 ms. */
  readonly shutdownTimeoutMs?: number;
}

export interface StopLabResult {
  /** False when there was no lab folder at all. */
  readonly found: boolean;
  /** Pids that had to be killed with SIGKILL (the orderly shutdown missed them). */
  readonly killed: readonly number[];
}

const KILL_WAIT_MS = 10_000;

/** Kill a pid with SIGKILL, but only when its command line still names the lab (a pid may have been reused). */
async function killIfOurs(pid: number, labDir: string): Promise<boolean> {
  if (pid === process.pid || readProcessState(pid) !== 'running' || !(readProcessCmdline(pid) ?? '').includes(labDir)) return false;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return false;
  }
  if (!(await waitForProcessGone(pid, KILL_WAIT_MS))) {
    throw new FerryError('LAB_STOP_FAILED', `process ${pid} of the lab is still running after SIGKILL`, { hint: `Check it with: ps -o pid,stat,cmd -p ${pid}` });
  }
  return true;
}

export async function stopLab(labDirIn: string, options: StopLabOptions = {}): Promise<StopLabResult> {
  const labDir = resolve(labDirIn);
  const log = options.log ?? (() => undefined);
  const paths = buildLabPaths(labDir);
  if ((await stat(labDir).catch(() => undefined)) === undefined) return { found: false, killed: [] };

  const labState = await readLabState(labDir).catch(() => undefined);
  const pidsBefore = await readSupervisorPids(labDir).catch(() => undefined);
  const client = new SupervisorClient(labDir);
  let supervisorPid = pidsBefore?.supervisorPid ?? labState?.supervisorPid;
  try {
    supervisorPid = (await client.health()).pid;
    log(`stopping the lab supervisor (pid ${supervisorPid}) and its units`);
    await client.shutdown(options.shutdownTimeoutMs ?? 30_000);
  } catch (err) {
    log(`the supervisor did not shut down cleanly (${messageOf(err)}); cleaning up by pid`);
  }
  if (supervisorPid !== undefined && !(await waitForProcessGone(supervisorPid, 5_000))) log(`supervisor pid ${supervisorPid} still running`);

  // The pid file as the supervisor last wrote it, plus anything run from a host root's binaries (a unit whose
  // pid the supervisor had no time to record).
  const pidsAfter = await readSupervisorPids(labDir).catch(() => undefined);
  const candidates = new Set<number>([
    ...(supervisorPid !== undefined ? [supervisorPid] : []),
    ...Object.values(pidsBefore?.units ?? {}),
    ...Object.values(pidsAfter?.units ?? {}),
    ...(pidsBefore?.runtimes ?? []),
    ...(pidsAfter?.runtimes ?? []),
    // A host's program, run directly or through its interpreter (`node <root>/usr/sbin/.../kubelet`).
    ...findProcessesWithCmdline(`${paths.hostsDir}/`).filter((pid) => (readProcessCmdline(pid) ?? '').split(' ').slice(0, 2).some((w) => w.startsWith(`${paths.hostsDir}/`))),
    // The node runtimes (their command line ends with the lab folder).
    ...findProcessesWithCmdline(labDir).filter((pid) => /node-runtime\/main\.[jt]s /.test(`${readProcessCmdline(pid) ?? ''} `)),
  ]);
  const killed: number[] = [];
  for (const pid of candidates) {
    if (await killIfOurs(pid, labDir)) killed.push(pid);
  }
  if (killed.length > 0) log(`killed leftover process(es): ${killed.join(', ')}`);

  // Remove only what a lab puts there, then the folder if that left it empty: a labDir pointed at a folder
  // holding other things must not lose them.
  for (const entry of LAB_DIR_ENTRIES) await rm(join(labDir, entry), { recursive: true, force: true });
  for (const entry of await readdir(labDir)) {
    if (/\.tmp(-\d+)?$/.test(entry)) await rm(join(labDir, entry), { force: true });
  }
  await rmdir(labDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOTEMPTY') log(`${labDir} holds files the lab did not create; left in place`);
    else if (err.code !== 'ENOENT') throw err;
  });
  log(`lab in ${labDir} is down`);
  return { found: true, killed };
}
