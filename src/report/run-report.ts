/**
 * The data of a run's report (report.html, `ferry report -o json`): built from what the run folder holds — the
 * plan, the normalized inventory (paths only, never secrets), the journal, the before/after pictures, the latency
 * probe's samples and the commands run on hosts. Pure: everything comes in as arguments.
 */
import type { Access, Inventory } from '../inventory/types.ts';
import { computePercentile } from '../write-load/write-stats.ts';
import type { Plan } from '../plan/types.ts';
import type { ErrorRecord, JournalEvent } from '../run/events.ts';
import { foldJournal } from '../run/fold.ts';
import { parseCommandRecords, parseLatencySamples, type LatencySample } from '../run/recording-files.ts';
import { type CommandRecord } from '../adapters/hosts/recording.ts';
import type { ClusterPicture } from '../observe/types.ts';
import { collectFileChanges, type FileChange } from './file-changes.ts';
import { buildPhaseTimeline, type PhaseTimes } from './timeline.ts';
import { renderProgress } from '../run/progress.ts';

export const RUN_REPORT_FORMAT_VERSION = 1;

export interface ReportStep {
  readonly id: string;
  readonly phase: number;
  readonly title: string;
  readonly state: string;
  readonly attempts: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly does: readonly string[];
  readonly checks: readonly string[];
  readonly undoes: readonly string[];
  readonly error?: ErrorRecord;
  /** The step's last progress, as text (src/run/progress.ts): how far a catch-up, a rollout or a DNS wait got. */
  readonly lastProgress?: string;
}

export interface ReportProblem {
  readonly at: string;
  readonly stepId?: string;
  readonly action?: string;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface LatencySummary {
  readonly samples: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** How ferry reached the hosts: paths only (a key file's path, never the key). */
export type ReportAccess = { readonly mode: 'lab'; readonly labDir?: string } | { readonly mode: 'ssh'; readonly user: string; readonly port: number; readonly keyFile: string; readonly knownHosts: string; readonly sudo: boolean };

export interface RunReport {
  readonly kind: 'ferry-run-report';
  readonly formatVersion: typeof RUN_REPORT_FORMAT_VERSION;
  readonly generatedAt: string;
  readonly runId: string;
  readonly runDir: string;
  readonly inventory: {
    readonly name: string;
    readonly path: string;
    readonly sha256: string;
    readonly access: ReportAccess;
    /** The DomeOS credentials file's path, when the inventory names one (its contents are never read here). */
    readonly credentialsFile?: string;
  };
  readonly mode: 'apply' | 'rollback';
  readonly state: string;
  readonly ferryVersion?: string;
  readonly startedAt?: string;
  /** Time of the journal's last event. */
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly phases: readonly PhaseTimes[];
  readonly steps: readonly ReportStep[];
  /** Undefined when the run has no latency.jsonl. */
  readonly latency?: { readonly samples: readonly LatencySample[]; readonly summary: LatencySummary };
  readonly before?: ClusterPicture;
  readonly after?: ClusterPicture;
  readonly files: readonly FileChange[];
  /** In time order; grouped by host when rendered. Undefined when the run has no commands.jsonl. */
  readonly commands?: readonly CommandRecord[];
  /** Every error the journal recorded (failed actions, failed steps, the run's). */
  readonly problems: readonly ReportProblem[];
  /** Steps that were rolled back (or whose rollback failed). */
  readonly rollbacks: readonly { readonly stepId: string; readonly state: string; readonly at: string }[];
  /** The plan's notes and the journal's notes. */
  readonly notes: readonly string[];
  /** Recordings the folder does not have (an older run, or one killed before writing them). */
  readonly missing: readonly string[];
}

export interface RunReportInput {
  readonly runId: string;
  readonly runDir: string;
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly events: readonly JournalEvent[];
  readonly before?: ClusterPicture;
  readonly after?: ClusterPicture;
  /** latency.jsonl's text; undefined when missing. */
  readonly latencyText?: string;
  /** commands.jsonl's text; undefined when missing. */
  readonly commandsText?: string;
  /** Files the reader could not find (before the report's own). */
  readonly missing?: readonly string[];
  /** ISO time of generation. */
  readonly generatedAt: string;
}

function buildAccess(a: Access): ReportAccess {
  return a.mode === 'lab'
    ? { mode: 'lab', ...(a.labDir !== undefined ? { labDir: a.labDir } : {}) }
    : { mode: 'ssh', user: a.user, port: a.port, keyFile: a.keyFile, knownHosts: a.knownHosts, sudo: a.sudo };
}

export function computeLatencySummary(samples: readonly LatencySample[]): LatencySummary {
  const ok = samples.map((s) => s.ms).filter((ms): ms is number => ms !== null).sort((a, b) => a - b);
  return {
    samples: samples.length,
    failed: samples.length - ok.length,
    p50Ms: computePercentile(ok, 50),
    p99Ms: computePercentile(ok, 99),
    maxMs: ok[ok.length - 1] ?? Number.NaN,
  };
}

function buildProblems(events: readonly JournalEvent[]): ReportProblem[] {
  const out: ReportProblem[] = [];
  const add = (at: string, e: ErrorRecord, stepId?: string, action?: string) =>
    out.push({ at, code: e.code, message: e.message, ...(e.hint !== undefined ? { hint: e.hint } : {}), ...(stepId !== undefined ? { stepId } : {}), ...(action !== undefined ? { action } : {}) });
  const seen = new Set<string>();
  for (const ev of events) {
    const err = ev.type === 'action-failed' ? ev.error : (ev.type === 'step-state' || ev.type === 'run-state') && ev.error !== undefined ? ev.error : undefined;
    if (err === undefined) continue;
    // A failed action's error is usually repeated by its step's `failed` state and the run's: show it once.
    const key = `${err.code}\0${err.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    add(ev.ts, err, 'stepId' in ev ? ev.stepId : undefined, ev.type === 'action-failed' ? ev.action : undefined);
  }
  return out;
}

export function buildRunReport(i: RunReportInput): RunReport {
  const view = foldJournal(i.events);
  const latency = i.latencyText !== undefined ? parseLatencySamples(i.latencyText).records : undefined;
  const commands = i.commandsText !== undefined ? parseCommandRecords(i.commandsText).records : undefined;
  const steps: ReportStep[] = i.plan.phases.flatMap((p) =>
    p.steps.map((s) => {
      const v = view.steps.get(s.id);
      return {
        id: s.id,
        phase: p.id,
        title: s.title,
        state: v?.state ?? 'pending',
        attempts: v?.attempts ?? 0,
        ...(v?.startedAt !== undefined ? { startedAt: v.startedAt } : {}),
        ...(v?.finishedAt !== undefined ? { finishedAt: v.finishedAt } : {}),
        ...(v?.durationMs !== undefined ? { durationMs: v.durationMs } : {}),
        does: s.does,
        checks: s.checks,
        undoes: s.undoes,
        ...(v?.error !== undefined ? { error: v.error } : {}),
        ...(v?.lastProgress !== undefined ? { lastProgress: renderProgress(v.lastProgress) } : {}),
      };
    }),
  );
  const rollbacks = i.events.flatMap((e) =>
    e.type === 'step-state' && (e.state === 'rolled-back' || e.state === 'rollback-failed') ? [{ stepId: e.stepId, state: e.state, at: e.ts }] : [],
  );
  const journalNotes = i.events.flatMap((e) => (e.type === 'note' ? [e.stepId !== undefined ? `${e.stepId}: ${e.message}` : e.message] : []));
  const domeos = i.inventory.domeos;
  return {
    kind: 'ferry-run-report',
    formatVersion: RUN_REPORT_FORMAT_VERSION,
    generatedAt: i.generatedAt,
    runId: view.runId ?? i.runId,
    runDir: i.runDir,
    inventory: {
      name: i.inventory.name,
      path: i.plan.inventory.path,
      sha256: i.plan.inventory.sha256,
      access: buildAccess(i.inventory.access),
      ...(domeos?.credentialsFile !== undefined ? { credentialsFile: domeos.credentialsFile } : {}),
    },
    mode: view.mode ?? 'apply',
    state: view.runState,
    ...(view.ferryVersion !== undefined ? { ferryVersion: view.ferryVersion } : {}),
    ...(view.startedAt !== undefined ? { startedAt: view.startedAt } : {}),
    ...(view.updatedAt !== undefined ? { endedAt: view.updatedAt } : {}),
    ...(view.startedAt !== undefined && view.updatedAt !== undefined ? { durationMs: Date.parse(view.updatedAt) - Date.parse(view.startedAt) } : {}),
    phases: buildPhaseTimeline(i.plan, view),
    steps,
    ...(latency !== undefined ? { latency: { samples: latency, summary: computeLatencySummary(latency) } } : {}),
    ...(i.before !== undefined ? { before: i.before } : {}),
    ...(i.after !== undefined ? { after: i.after } : {}),
    files: collectFileChanges(view),
    ...(commands !== undefined ? { commands } : {}),
    problems: buildProblems(i.events),
    rollbacks,
    notes: [...i.plan.notes, ...journalNotes],
    missing: [...(i.missing ?? [])],
  };
}
