/**
 * Starting and resuming runs: the I/O wrapper around the pure planner and the runner (STYLE.md §1: a thin layer
 * that feeds pure code). Used by the CLI, the demo, the benchmark and the tests alike.
 *
 * A run folder holds: plan.json (the plan it executes), inventory.json (the normalized inventory: no secrets, only
 * paths), journal.jsonl, lock, snapshots/, and what the run records for its report (recordings.ts: pictures before
 * and after, latency.jsonl, commands.jsonl), then report.html.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, fsyncSync, openSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError, inputError } from '../errors.ts';
import { readEtcdState } from '../etcd/observe.ts';
import type { Inventory } from '../inventory/types.ts';
import { buildPlan, type Scope } from '../plan/build.ts';
import { readObservedKube } from '../master/observe.ts';
import { readObservedDnsFromAnyMaster } from '../master/observe-dns.ts';
import { computeObservedFingerprint, describeObservedDifference } from '../plan/fingerprint.ts';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types.ts';
import { resolveRunsDir, type Env } from '../home.ts';
import { foldJournal } from './fold.ts';
import { Journal } from './journal.ts';
import { acquireRunLock } from './lock.ts';
import { findLatestRun, JOURNAL_FILE, newRunId, PLAN_FILE, runDirPath } from './run-dir.ts';
import { runSteps, type RunOutcome } from './runner.ts';
import { withRunRecordings } from './recordings.ts';
import { writeRunReportQuietly, type RunReportResult } from '../report/run-report-file.ts';
import type { Deps } from './step-context.ts';
import { FERRY_VERSION } from '../version.ts';

export const INVENTORY_FILE = 'inventory.json';

export async function observeAndPlan(inventory: Inventory, inventoryPath: string, inventorySha256: string, deps: Deps, scope: Scope = 'all'): Promise<Plan> {
  const state = await readEtcdState(deps.etcd);
  const kube = scope === 'etcd' ? undefined : await readObservedKube(inventory, deps);
  const dns = await readObservedDnsFromAnyMaster(inventory, deps);
  return buildPlan({ inventory, inventoryPath, inventorySha256, observed: { etcd: state.observed, ...(kube ? { kube } : {}), ...(dns ? { dns } : {}) }, scope });
}

/** Refuse a plan file of another format, or one whose observed cluster no longer matches the live one. */
export async function checkPlanStillValid(plan: Plan, deps: Deps): Promise<void> {
  if (plan.kind !== 'ferry-plan' || plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw inputError('PLAN_FORMAT', `not a ferry plan of format v${PLAN_FORMAT_VERSION}`, { hint: 'make a new one with `ferry plan -o json`' });
  }
  const now = (await readEtcdState(deps.etcd)).observed;
  if (computeObservedFingerprint(now) !== plan.observedFingerprint) {
    throw inputError('PLAN_STALE', `the cluster changed since the plan was made: ${describeObservedDifference(plan.observed.etcd, now).join('; ')}`, {
      hint: 'make a new plan (`ferry plan`), read it, and apply that one',
    });
  }
}

function writeDurably(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface RunHandle {
  readonly runId: string;
  readonly runDir: string;
  readonly journal: Journal;
}

export interface RunSessionOptions {
  readonly deps: Deps;
  readonly signal: AbortSignal;
  readonly env?: Env;
  readonly command: string;
  /** Called with the open journal before the first step, so a view can subscribe. */
  readonly onStart?: (run: RunHandle) => void;
  /** Use this run id (tests); default a new time-sortable id. */
  readonly runId?: string;
  /** 'rollback' for a walk-back run (`ferry rollback`). Default 'apply'. */
  readonly mode?: 'apply' | 'rollback';
}

export async function startRun(plan: Plan, inventory: Inventory, o: RunSessionOptions): Promise<RunHandle & { outcome: RunOutcome } & RunReportResult> {
  const runsDir = resolveRunsDir(o.env);
  const runId = o.runId ?? newRunId(new Date());
  const runDir = runDirPath(runsDir, runId);
  if (existsSync(runDir)) throw inputError('RUN_EXISTS', `run folder ${runDir} already exists`, { hint: 'choose another run id' });
  mkdirSync(join(runDir, 'snapshots'), { recursive: true });
  const planText = JSON.stringify(plan, null, 2) + '\n';
  writeDurably(join(runDir, PLAN_FILE), planText);
  writeDurably(join(runDir, INVENTORY_FILE), JSON.stringify(inventory, null, 2) + '\n');
  const lock = acquireRunLock(runDir, { command: o.command });
  const journal = Journal.open(join(runDir, JOURNAL_FILE));
  try {
    journal.append({
      type: 'run-started',
      runId,
      formatVersion: 1,
      planSha256: createHash('sha256').update(planText).digest('hex'),
      inventoryPath: plan.inventory.path,
      inventorySha256: plan.inventory.sha256,
      ferryVersion: FERRY_VERSION,
      mode: o.mode ?? 'apply',
    });
    journal.append({ type: 'process-attached', pid: process.pid, command: o.command });
    o.onStart?.({ runId, runDir, journal });
    const outcome = await withRunRecordings({ runId, runDir, inventory, deps: o.deps }, (deps) => runSteps({ runId, runDir, plan, inventory, journal, deps, signal: o.signal }));
    return { runId, runDir, journal, outcome, ...writeRunReportQuietly(runDir) };
  } finally {
    journal.close();
    lock.release();
  }
}

export interface LoadedRun {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory: Inventory;
}

/** The run to resume or show: the one named, else the newest. */
export function loadRun(runIdOrUndefined: string | undefined, env?: Env): LoadedRun {
  const runsDir = resolveRunsDir(env);
  let runDir: string;
  if (runIdOrUndefined !== undefined) runDir = runDirPath(runsDir, runIdOrUndefined);
  else {
    const latest = findLatestRun(runsDir);
    if (latest === undefined) throw inputError('RUN_NOT_FOUND', `no runs in ${runsDir}`, { hint: 'start one with `ferry apply -f INVENTORY`' });
    runDir = latest.dir;
  }
  if (!existsSync(join(runDir, PLAN_FILE))) throw inputError('RUN_NOT_FOUND', `no run at ${runDir}`, { hint: 'list runs with `ferry status --all`' });
  const plan = JSON.parse(readFileSync(join(runDir, PLAN_FILE), 'utf8')) as Plan;
  if (plan.kind !== 'ferry-plan' || plan.formatVersion !== PLAN_FORMAT_VERSION) {
    throw inputError('PLAN_FORMAT', `${runDir}/plan.json is not a ferry plan of format v${PLAN_FORMAT_VERSION}`, { hint: 'this run was made by another ferry version' });
  }
  const inventory = JSON.parse(readFileSync(join(runDir, INVENTORY_FILE), 'utf8')) as Inventory;
  return { runId: runDir.split('/').pop() ?? '', runDir, plan, inventory };
}

export async function resumeRun(run: LoadedRun, o: RunSessionOptions): Promise<RunHandle & { outcome: RunOutcome } & RunReportResult> {
  const lock = acquireRunLock(run.runDir, { command: o.command });
  const journal = Journal.open(join(run.runDir, JOURNAL_FILE));
  try {
    const view = foldJournal(journal.events());
    if (view.runState === 'done') {
      throw new FerryError('RUN_ALREADY_DONE', `run ${run.runId} is already done`, { hint: 'nothing to resume; `ferry status` shows it', exitCode: 0 });
    }
    if (view.runState === 'walked-back') {
      throw inputError('RUN_WALKED_BACK', `run ${run.runId} was walked back by \`ferry rollback\``, { hint: 'to move forward again, start a new run: `ferry apply -f INVENTORY`' });
    }
    if (journal.repairedTornTail) journal.append({ type: 'note', message: 'the last journal line was torn by the previous process dying mid-write; it was dropped' });
    journal.append({ type: 'process-attached', pid: process.pid, command: o.command });
    o.onStart?.({ runId: run.runId, runDir: run.runDir, journal });
    const recorded = { runId: run.runId, runDir: run.runDir, inventory: run.inventory, deps: o.deps };
    const outcome = await withRunRecordings(recorded, (deps) => runSteps({ runId: run.runId, runDir: run.runDir, plan: run.plan, inventory: run.inventory, journal, deps, signal: o.signal }));
    return { runId: run.runId, runDir: run.runDir, journal, outcome, ...writeRunReportQuietly(run.runDir) };
  } finally {
    journal.close();
    lock.release();
  }
}
