/**
 * The runs the dashboard serves, read from `$FERRY_HOME/runs/<runId>/` (plan.json, inventory.json, journal.jsonl):
 * the list for the run selector, and one run's plan with its folded view. Reads only; a journal being written is
 * read as far as its last complete line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types.ts';
import type { JournalEvent } from '../run/events.ts';
import { foldJournal } from '../run/fold.ts';
import { readJournal } from '../run/journal.ts';
import { isProcessAlive } from '../run/lock.ts';
import { JOURNAL_FILE, listRuns, readRunPlan, runDirPath } from '../run/run-dir.ts';
import { INVENTORY_FILE } from '../app/session.ts';
import { buildDashboardView } from './build-view.ts';
import type { DashboardView } from './view-types.ts';

export interface RunListEntry {
  readonly runId: string;
  /** The run's state, `unreadable` when its journal cannot be read. */
  readonly state: string;
  readonly mode?: string;
  readonly inventory?: string;
  readonly startedAt?: string;
  readonly updatedAt?: string;
  readonly steps?: { readonly done: number; readonly total: number };
}

export interface DashboardRun {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory?: Inventory;
}

/** Whether the process that last attached to the run (from its journal) is alive on this machine. */
export function readWriterAlive(events: readonly JournalEvent[]): boolean {
  const attached = events.findLast((e) => e.type === 'process-attached');
  return attached?.type === 'process-attached' && isProcessAlive(attached.pid);
}

/** The journal's events; none when the journal is not written yet. */
export function readRunEvents(runDir: string): JournalEvent[] {
  try {
    return readJournal(join(runDir, JOURNAL_FILE)).events;
  } catch (err) {
    if (err instanceof FerryError && err.code === 'JOURNAL_NOT_FOUND') return [];
    throw err;
  }
}

/**
 * The run `runId` under `runsDir`, or undefined when there is no such run (no folder, no plan.json). Throws
 * RUN_ID_INVALID for an id that is not one path segment and DASHBOARD_RUN_UNREADABLE for a plan that is not one.
 */
export function readDashboardRun(runsDir: string, runId: string): DashboardRun | undefined {
  const runDir = runDirPath(runsDir, runId);
  if (!existsSync(join(runDir, 'plan.json'))) return undefined;
  const plan = readRunPlan(runDir) as Plan;
  if (plan?.kind !== 'ferry-plan' || plan.formatVersion !== PLAN_FORMAT_VERSION || !Array.isArray(plan.phases)) {
    throw new FerryError('DASHBOARD_RUN_UNREADABLE', `${runDir}/plan.json is not a ferry plan of format v${PLAN_FORMAT_VERSION}`, {
      hint: 'this run was made by another ferry version; `ferry status --run` may still read it',
      subjects: { run: runId },
    });
  }
  let inventory: Inventory | undefined;
  try {
    inventory = JSON.parse(readFileSync(join(runDir, INVENTORY_FILE), 'utf8')) as Inventory;
  } catch {
    inventory = undefined; // only names members on the etcd board: the plan alone is enough to draw the run
  }
  return { runId, runDir, plan, ...(inventory !== undefined ? { inventory } : {}) };
}

export function readRunView(run: DashboardRun): DashboardView {
  const events = readRunEvents(run.runDir);
  return buildDashboardView(run.plan, events, { ...(run.inventory ? { inventory: run.inventory } : {}), writerAlive: readWriterAlive(events) });
}

/** Every run under `runsDir`, newest first (by when it started; ids are time-sortable). */
export function listDashboardRuns(runsDir: string): RunListEntry[] {
  const entries = listRuns(runsDir).map((r): RunListEntry => {
    let name: string | undefined;
    let total: number | undefined;
    try {
      const plan = readRunPlan(r.dir) as Plan;
      name = plan.inventory?.name;
      total = plan.phases?.reduce((n, p) => n + p.steps.length, 0);
    } catch {
      // a run folder without a readable plan is still listed, by its id
    }
    try {
      const events = readRunEvents(r.dir);
      const view = foldJournal(events);
      const state = view.runState === 'interrupted' && readWriterAlive(events) ? 'running' : view.runState;
      const done = [...view.steps.values()].filter((s) => s.state === 'done' || s.state === 'skipped').length;
      return {
        runId: r.runId,
        state,
        ...(view.mode !== undefined ? { mode: view.mode } : {}),
        ...(name !== undefined ? { inventory: name } : {}),
        ...(view.startedAt !== undefined ? { startedAt: view.startedAt } : {}),
        ...(view.updatedAt !== undefined ? { updatedAt: view.updatedAt } : {}),
        ...(total !== undefined ? { steps: { done, total } } : {}),
      };
    } catch {
      return { runId: r.runId, state: 'unreadable', ...(name !== undefined ? { inventory: name } : {}) };
    }
  });
  const key = (e: RunListEntry) => e.startedAt ?? '';
  return entries.sort((a, b) => (key(a) === key(b) ? (a.runId < b.runId ? 1 : -1) : key(a) < key(b) ? 1 : -1));
}
