/**
 * Where ferry keeps its state on the operator's machine: `$FERRY_HOME` (default `~/.ferry`).
 *   runs/<runId>/   one folder per run: journal.jsonl, plan.json, snapshots, lock
 *   lab/            the lab's state (when an inventory's access.mode is `lab` and names no labDir)
 * Tests point FERRY_HOME at a temp folder so they never share state.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export function resolveFerryHome(env: Env = process.env): string {
  const fromEnv = env['FERRY_HOME'];
  return resolve(fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.ferry'));
}

export function resolveRunsDir(env: Env = process.env): string {
  return join(resolveFerryHome(env), 'runs');
}

/** The lab folder: the inventory's `access.labDir` when given, else `$FERRY_HOME/lab`. */
export function resolveLabDir(labDir: string | undefined, env: Env = process.env): string {
  return labDir !== undefined ? resolve(labDir) : join(resolveFerryHome(env), 'lab');
}

/**
 * Where ferry keeps what it downloads for the lab (etcd releases Debian no longer ships): `$FERRY_CACHE`, else
 * `$XDG_CACHE_HOME/ferry`, else `~/.cache/ferry`. Apart from FERRY_HOME, so that a test's fresh home reuses it.
 */
export function resolveCacheDir(env: Env = process.env): string {
  const fromEnv = env['FERRY_CACHE'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? resolve(xdg) : join(homedir(), '.cache'), 'ferry');
}
