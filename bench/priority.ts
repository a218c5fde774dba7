/**
 * Scheduling priority for the benchmark's own processes. This machine is shared (other test suites run on the same
 * two CPUs), and a benchmark of 10–100 ms stalls cannot tell a migration's effect from CPU starvation. Raising the
 * priority (a lower nice value) of the benchmark process, its lab supervisor and the lab's etcd members lets them
 * run first. Linux applies a nice value per thread, so every thread is set; threads and processes created later
 * (new etcd members, forked by the supervisor) inherit it.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { findProcessesWithCmdline } from '../src/lab/processes.ts';

/** Set `priority` (a nice value, -20..19) on every thread of `pid`; returns how many threads took it. */
export function setProcessPriority(pid: number | 'self', priority: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let n = 0;
  for (const tid of tids) {
    try {
      setPriority(Number(tid), priority);
      n++;
    } catch {
      // the thread ended, or we may not raise priority (not root): leave it
    }
  }
  return n;
}

/** Every process whose command line names the lab folder (the supervisor and its etcd members). */
export function setLabPriority(labDir: string, priority: number): number[] {
  const pids = findProcessesWithCmdline(labDir);
  for (const pid of pids) setProcessPriority(pid, priority);
  return pids;
}
