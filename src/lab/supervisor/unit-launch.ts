/**
 * How the supervisor starts a unit's main "process": normally a real child process (stdout and stderr to the
 * unit's log file), but a unit whose executable resolves to one of the repo's node-program shims runs as an agent
 * inside a shared node runtime (node-runtime/pool.ts) — same argv, environment, working directory and log, with
 * its exit (code or signal) reported the same way. LabUnit sees only a UnitProcess.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { resolveAgentProgram } from '../node-runtime/lab-bin.ts';
import type { AgentLauncher, UnitProcess } from './unit-handle.ts';


export interface LaunchSpec {
  readonly exe: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The host's root. */
  readonly cwd: string;
  readonly logPath: string;
}

export type UnitLauncher = (spec: LaunchSpec) => Promise<UnitProcess>;

function wrapChild(child: ChildProcess): UnitProcess {
  return {
    pid: child.pid,
    kill: (signal) => {
      child.kill(signal);
    },
    onExit: (listener) => {
      child.once('exit', listener);
    },
  };
}

/** A real process, stdout and stderr appended to the log. Rejects when it cannot be spawned. */
export async function spawnUnitProcess(spec: LaunchSpec): Promise<UnitProcess> {
  const fd = openSync(spec.logPath, 'a');
  try {
    const child = spawn(spec.exe, [...spec.args], { cwd: spec.cwd, env: { ...spec.env }, stdio: ['ignore', fd, fd] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return wrapChild(child);
  } finally {
    closeSync(fd);
  }
}

/** Node programs go to `pool`, everything else is spawned. */
export function createUnitLauncher(pool: AgentLauncher): UnitLauncher {
  return async (spec) => {
    const program = await resolveAgentProgram(spec.exe);
    if (program === undefined) return spawnUnitProcess(spec);
    return pool.launch(program, { argv: [spec.exe, ...spec.args], env: spec.env, cwd: spec.cwd, logPath: spec.logPath });
  };
}
