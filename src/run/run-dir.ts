/**
 * Run folders: `$FERRY_HOME/runs/<runId>/` holds plan.json, journal.jsonl, the lock and snapshots (home.ts).
 * Run ids sort by creation time: `YYYYMMDD-HHMMSS-xxxx` in UTC, `xxxx` random so two runs started in the same
 * second do not collide.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FerryError, inputError, messageOf } from '../errors.ts';

export const PLAN_FILE = 'plan.json';
export const JOURNAL_FILE = 'journal.jsonl';

/** Letters, digits, `.`, `_`, `-`; not starting with `.`: a single safe path segment. */
const RUN_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export interface RunEntry {
  readonly runId: string;
  readonly dir: string;
  /** Latest modification of the folder or its journal, in ms since the epoch. */
  readonly mtimeMs: number;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** A new run id from `now` (UTC) and 4 random hex characters (`rand` for tests). */
export function newRunId(now: Date, rand: () => string = () => randomBytes(2).toString('hex')): string {
  const date = `${pad(now.getUTCFullYear(), 4)}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${date}-${time}-${rand()}`;
}

/** The folder of run `runId`. Throws RUN_ID_INVALID (exit 2) for an id that is not one safe path segment. */
export function runDirPath(runsDir: string, runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw inputError('RUN_ID_INVALID', `"${runId}" is not a run id`, {
      hint: 'run ids look like 20240131-142501-a3f9; `ferry status` lists them',
      subjects: { run: runId },
    });
  }
  return join(runsDir, runId);
}

function mtimeOf(path: string): number {
  try {
    return fs.statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The run folders under `runsDir`, most recently active first (ties: newest id first). None when it is missing. */
export function listRuns(runsDir: string): RunEntry[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(runsDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FerryError('RUN_LIST_FAILED', `cannot list runs in ${runsDir}: ${messageOf(err)}`, {
      hint: 'check that FERRY_HOME points at a readable folder',
      subjects: { file: runsDir },
      cause: err,
    });
  }
  const runs = names
    .filter((d) => d.isDirectory() && RUN_ID.test(d.name))
    .map((d) => {
      const dir = join(runsDir, d.name);
      // Appending to the journal does not touch the folder's mtime, so the journal's counts too.
      return { runId: d.name, dir, mtimeMs: Math.max(mtimeOf(dir), mtimeOf(join(dir, JOURNAL_FILE))) };
    });
  return runs.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

/** The most recently active run, or undefined when there is none. */
export function findLatestRun(runsDir: string): RunEntry | undefined {
  return listRuns(runsDir)[0];
}

/**
 * Reads `<runDir>/plan.json` as JSON (validating it is the caller's job). Throws RUN_NOT_FOUND (exit 2) when it
 * is missing, RUN_PLAN_UNREADABLE when it cannot be read or is not JSON.
 */
export function readRunPlan(runDir: string): unknown {
  const file = join(runDir, PLAN_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw inputError('RUN_NOT_FOUND', `no run at ${runDir} (${PLAN_FILE} is missing)`, {
        hint: '`ferry status` lists the runs; check the run id and FERRY_HOME',
        subjects: { file },
      });
    }
    throw new FerryError('RUN_PLAN_UNREADABLE', `cannot read ${file}: ${messageOf(err)}`, { subjects: { file }, cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FerryError('RUN_PLAN_UNREADABLE', `${file} is not valid JSON: ${messageOf(err)}`, {
      hint: 'the plan of a run is written once by ferry; do not edit it. Make a new plan with `ferry plan`.',
      subjects: { file },
    });
  }
}
