/**
 * Starting and resuming runs: the I/O wrapper around the pure planner and the runner (docs/design/style.md §1: a thin layer
 * that feeds pure code). Used by the CLI, the demo, the benchmark and the tests alike.
 *
 * A run folder holds: plan.json (the plan it executes), inventory.json (the normalized inventory: no secrets, only
 * paths), journal.jsonl, lock, snapshots/, and what the run records for its report (recordings.ts: pictures before
 * and after, latency.jsonl, commands.jsonl), then report.html.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../adapters/durable-file.ts';
import { FerryError, inputError } from '../errors.ts';
import { readEtcdState } from '../observe/etcd.ts';
import { requireSupportedEtcd } from '../observe/etcd-versions.ts';
import { readEtcdStores } from '../observe/etcd-stores.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Scope, WalkBackPlanOptions } from '../plan/build-input.ts';
import { buildPlan } from '../plan/build.ts';
import { readObservedKube } from '../observe/kube.ts';
import { readObservedDnsFromAnyMaster } from '../observe/dns-source.ts';
import { computeObservedFingerprint, describeObservedDifference } from '../plan/fingerprint.ts';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types.ts';
import { resolveRunsDir, type Env } from '../home.ts';
import { foldJournal, type RunView } from '../run/fold.ts';
import { Journal, readJournal } from '../run/journal.ts';
import { acquireRunLock } from '../run/lock.ts';
import { findLatestRun, JOURNAL_FILE, newRunId, PLAN_FILE, runDirPath } from '../run/run-dir.ts';
import { runSteps, type RunOutcome } from '../run/runner.ts';
import { withRunRecordings } from './recordings.ts';
import { writeRunReportQuietly, type RunReportResult } from '../report/run-report-file.ts';
import type { Deps } from '../ports/deps.ts';
import type { JournalEvent } from '../run/events.ts';
import { FERRY_VERSION } from '../version.ts';
import type { RunState } from '../run/states.ts';
import { buildWalkBackStartedNote, computeWalkBackOptions, findWalkBackRun, findWalkedBackRun } from '../run/walk-back.ts';
import { handlerFor } from '../steps/registry.ts';
import { buildFaultHook } from '../run/faults.ts';

/** What the engine is handed: the step registry, and the crash tests' kill points (FERRY_FAULT, read at each run; inert unless set). */
const engine = () => ({ handlerFor, faults: buildFaultHook(process.env['FERRY_FAULT']) });

export const INVENTORY_FILE = 'inventory.json';

export async function observeAndPlan(inventory: Inventory, inventoryPath: string, inventorySha256: string, deps: Deps, scope: Scope = 'all'): Promise<Plan> {
  const versions = await requireSupportedEtcd(deps.etcd, inventory);
  const state = await readEtcdState(deps.etcd);
  const stores = await readEtcdStores(deps.etcd, [...inventory.etcd.old, ...inventory.etcd.new].map((m) => m.clientURL));
  const kube = scope === 'etcd' ? undefined : await readObservedKube(inventory, deps);
  const dns = await readObservedDnsFromAnyMaster(inventory, deps);
  return buildPlan({ inventory, inventoryPath, inventorySha256, observed: { etcd: { ...state.observed, versions, stores }, ...(kube ? { kube } : {}), ...(dns ? { dns } : {}) }, scope });
}

/**
 * The walk-back plan of a run (`ferry rollback`): `inventory` is the swapped one (buildWalkBackInventory) and `deps`
 * are built from it. What the run did (`view`, its plan) and whether the master it moved to serves decide what
 * goes back besides etcd (src/run/walk-back.ts).
 */
export async function observeAndPlanWalkBack(run: LoadedRun, view: RunView, inventory: Inventory, deps: Deps): Promise<{ plan: Plan; options: WalkBackPlanOptions }> {
  const movedTo = inventory.master?.old.apiserver;
  const movedToServing = movedTo !== undefined && (await deps.kube(movedTo).healthz());
  const options = computeWalkBackOptions(view, run.plan, run.runDir, { movedToServing });
  const versions = await requireSupportedEtcd(deps.etcd, inventory);
  const state = await readEtcdState(deps.etcd);
  const dns = options.dns !== undefined ? await readObservedDnsFromAnyMaster(inventory, deps) : undefined;
  const observed = { etcd: { ...state.observed, versions }, ...(run.plan.observed.kube ? { kube: run.plan.observed.kube } : {}), ...(dns ? { dns } : {}) };
  const plan = buildPlan({ inventory, inventoryPath: run.plan.inventory.path, inventorySha256: run.plan.inventory.sha256, observed, walkBack: options });
  return { plan, options };
}

function readRunView(runsDir: string, runId: string): RunView | undefined {
  const path = join(runDirPath(runsDir, runId), JOURNAL_FILE);
  return existsSync(path) ? foldJournal(readJournal(path).events) : undefined;
}

/**
 * Refuses to act on a run that a walk-back has started on and not finished — resuming it forward, or walking it
 * back a second time — naming the walk-back to finish instead. Also refuses to walk back an unfinished walk-back.
 */
export function checkNoUnfinishedWalkBack(runId: string, events: readonly JournalEvent[], env: Env | undefined, action: 'resume' | 'rollback'): void {
  const runsDir = resolveRunsDir(env);
  const view = foldJournal(events);
  if (view.mode === 'rollback') {
    if (action === 'resume' || view.runState === 'done') return;
    const original = findWalkedBackRun(events);
    throw inputError('ROLLBACK_UNFINISHED_WALKBACK', `run ${runId} is a walk-back${original !== undefined ? ` of run ${original}` : ''} that did not finish (${view.runState}): a walk-back is finished, not walked back`, {
      hint: `finish it: \`ferry resume --run ${runId}\``,
      subjects: { run: runId },
    });
  }
  const walkBack = findWalkBackRun(events);
  if (walkBack === undefined || view.runState === 'walked-back') return;
  const wb = readRunView(runsDir, walkBack);
  if (wb === undefined || wb.runState === 'done') return;
  throw inputError('ROLLBACK_UNFINISHED_WALKBACK', `run ${runId} is being walked back by run ${walkBack}, which did not finish (${wb.runState})`, {
    hint: `finish the walk-back: \`ferry resume --run ${walkBack}\``,
    subjects: { run: runId },
  });
}

/** Tells the original run how its walk-back ended; a finished walk-back marks it walked back. */
export function recordWalkBackOutcome(original: Journal, walkBackRunId: string, state: RunState): void {
  original.append({ type: 'note', message: `walked back by run ${walkBackRunId}: ${state}` });
  if (state === 'done') original.append({ type: 'run-state', state: 'walked-back' });
}

/** Before a walk-back's first step: the original run's journal names it (so an interrupted one is found). */
export function recordWalkBackStarted(original: Journal, walkBackRunId: string): void {
  original.append({ type: 'note', message: buildWalkBackStartedNote(walkBackRunId) });
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
  writeFileDurably(join(runDir, PLAN_FILE), planText);
  writeFileDurably(join(runDir, INVENTORY_FILE), JSON.stringify(inventory, null, 2) + '\n');
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
    const outcome = await withRunRecordings({ runId, runDir, inventory, deps: o.deps }, (deps) => runSteps({ runId, runDir, plan, inventory, journal, deps, signal: o.signal, ...engine() }));
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
    checkNoUnfinishedWalkBack(run.runId, journal.events(), o.env, 'resume');
    if (journal.repairedTornTail) journal.append({ type: 'note', message: 'the last journal line was torn by the previous process dying mid-write; it was dropped' });
    journal.append({ type: 'process-attached', pid: process.pid, command: o.command });
    o.onStart?.({ runId: run.runId, runDir: run.runDir, journal });
    const recorded = { runId: run.runId, runDir: run.runDir, inventory: run.inventory, deps: o.deps };
    const outcome = await withOriginalOfWalkBack(view.mode === 'rollback' ? findWalkedBackRun(journal.events()) : undefined, o, async () =>
      await withRunRecordings(recorded, (deps) => runSteps({ runId: run.runId, runDir: run.runDir, plan: run.plan, inventory: run.inventory, journal, deps, signal: o.signal, ...engine() })),
      (original, r) => recordWalkBackOutcome(original, run.runId, r.runState),
    );
    return { runId: run.runId, runDir: run.runDir, journal, outcome, ...writeRunReportQuietly(run.runDir) };
  } finally {
    journal.close();
    lock.release();
  }
}

/**
 * Resuming a walk-back: the run it walks back is locked meanwhile (as `ferry rollback` does), and told the outcome.
 * Without an original (not a walk-back, or its folder is gone) `fn` simply runs.
 */
async function withOriginalOfWalkBack(originalId: string | undefined, o: RunSessionOptions, fn: () => Promise<RunOutcome>, record: (original: Journal, r: RunOutcome) => void): Promise<RunOutcome> {
  const dir = originalId === undefined ? undefined : runDirPath(resolveRunsDir(o.env), originalId);
  if (dir === undefined || !existsSync(join(dir, JOURNAL_FILE))) return await fn();
  const lock = acquireRunLock(dir, { command: o.command });
  try {
    const r = await fn();
    const original = Journal.open(join(dir, JOURNAL_FILE));
    try {
      record(original, r);
    } finally {
      original.close();
    }
    return r;
  } finally {
    lock.release();
  }
}
