/**
 * Looking at processes through /proc. `kill -0` is not enough here: it succeeds on a zombie, and PID 1 on this
 * machine reaps orphans up to ~1.2 s late (docs/design/lab-environment.md, cross-cutting gotchas), so "gone" means
 * "/proc/PID is absent or the process is a zombie".
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export type ProcessState = 'running' | 'zombie' | 'gone';

export function readProcessState(pid: number): ProcessState {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  // The state is the first field after the command name, which is in parentheses and may hold spaces.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X' ? 'zombie' : 'running';
}

/** The command line of a live process, words joined by spaces; undefined when it is gone. */
export function readProcessCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** Pids of live (non-zombie) processes whose command line contains `needle`. */
export function findProcessesWithCmdline(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = readProcessCmdline(pid);
    if (cmdline !== undefined && cmdline.includes(needle) && readProcessState(pid) === 'running') pids.push(pid);
  }
  return pids;
}

/**
 * True once the process has really ended: gone, or a zombie whose other threads have exited too. A multi-threaded
 * program (etcd is Go) killed with SIGKILL shows its main thread as a zombie while the other threads are still
 * exiting and holding its files — its listening sockets among them — so "zombie" alone is not "ports free".
 */
function hasEnded(pid: number): boolean {
  const state = readProcessState(pid);
  if (state === 'gone') return true;
  if (state === 'running') return false;
  try {
    return readdirSync(`/proc/${pid}/task`).length <= 1;
  } catch {
    return true;
  }
}

/** Wait until the process has ended (see hasEnded). Returns false when it is still running after `timeoutMs`. */
export async function waitForProcessGone(pid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasEnded(pid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}
