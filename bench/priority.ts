/**
 * Scheduling priority for the benchmark's own processes. This machine is shared (other test suites run on the same
 * two CPUs), and a benchmark of 10–100 ms stalls cannot tell a migration's effect from CPU starvation. Raising the
 * priority (a lower nice value) of the benchmark process, its lab supervisor and the lab's etcd members lets them
 * run first. Linux applies a nice value per thread, so every thread is set; threads and processes created later
 * (new etcd members, forked by the supervisor) inherit it.
 *
 * With sched_autogroup (enabled here: /proc/sys/kernel/sched_autogroup_enabled = 1) the scheduler first shares the
 * CPUs between sessions, and a thread's nice value only counts inside its own session. So the session's autogroup
 * gets the same nice value (/proc/PID/autogroup; see sched(7), "The autogroup feature").
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { findProcessesWithCmdline } from '../src/lab/supervisor/processes.ts';

function readAutogroupNice(pid: number | 'self'): number | undefined {
  try {
    const m = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * Set `priority` (a nice value, -20..19) on every thread of `pid` and on its session's autogroup. Returns the
 * function that puts the autogroup's value back: the session outlives the benchmark when it is the caller's shell.
 */
export function setProcessPriority(pid: number | 'self', priority: number): () => void {
  const before = readAutogroupNice(pid);
  const restore = (): void => {
    if (before === undefined) return;
    try {
      writeFileSync(`/proc/${pid}/autogroup`, String(before));
    } catch {
      // the process (and with it the autogroup, if it was its own) is gone
    }
  };
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return restore;
  }
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(priority));
  } catch {
    // no autogroup support, or not allowed: the per-thread values still apply within the session
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), priority);
    } catch {
      // the thread ended, or we may not raise priority (not root): leave it
    }
  }
  return restore;
}

/** Every process whose command line names the lab folder (the supervisor, its own session, and its etcd members). */
export function setLabPriority(labDir: string, priority: number): number[] {
  const pids = findProcessesWithCmdline(labDir);
  for (const pid of pids) setProcessPriority(pid, priority);
  return pids;
}
