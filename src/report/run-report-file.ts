/**
 * Reading a run folder into its report, and writing report.html (the I/O around run-report.ts and html-report.ts).
 * A missing recording is not an error (an older run, or one killed early): the report says what is missing. Only
 * a run folder that is not a run (no plan) or a report that cannot be written is.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FerryError, messageOf } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Plan } from '../plan/types.ts';
import type { JournalEvent } from '../run/events.ts';
import { readJournal } from '../run/journal.ts';
import { COMMANDS_FILE, LATENCY_FILE, PICTURE_AFTER_FILE, PICTURE_BEFORE_FILE, REPORT_FILE } from '../run/recording-files.ts';
import { JOURNAL_FILE, readRunPlan } from '../run/run-dir.ts';
import type { ClusterPicture } from '../observe/types.ts';
import { renderHtmlReport } from './html-report.ts';
import { buildRunReport, type RunReport } from './run-report.ts';

/** The run folder's copy of the inventory (session.ts INVENTORY_FILE; not imported, to keep this below the session). */
const INVENTORY_FILE = 'inventory.json';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson<T>(path: string): T | undefined {
  const text = readText(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The pictures the run recorded when it started and when it last ended (undefined when not written). */
export function readRunPictures(runDir: string): { readonly before?: ClusterPicture; readonly after?: ClusterPicture } {
  const before = readJson<ClusterPicture>(join(runDir, PICTURE_BEFORE_FILE));
  const after = readJson<ClusterPicture>(join(runDir, PICTURE_AFTER_FILE));
  return { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

/** The report of the run in `runDir`, from what the folder holds now. */
export function readRunReport(runDir: string, now: Date = new Date()): RunReport {
  const plan = readRunPlan(runDir) as Plan;
  const inventory = readJson<Inventory>(join(runDir, INVENTORY_FILE));
  if (inventory === undefined) {
    throw new FerryError('REPORT_RUN_UNREADABLE', `${join(runDir, INVENTORY_FILE)} is missing or not JSON`, {
      hint: 'this folder is not a complete ferry run; `ferry status --all` lists the runs',
      subjects: { file: join(runDir, INVENTORY_FILE) },
    });
  }
  const missing: string[] = [];
  let events: JournalEvent[] = [];
  if (existsSync(join(runDir, JOURNAL_FILE))) events = readJournal(join(runDir, JOURNAL_FILE)).events;
  else missing.push(JOURNAL_FILE);
  const { before, after } = readRunPictures(runDir);
  const latencyText = readText(join(runDir, LATENCY_FILE));
  const commandsText = readText(join(runDir, COMMANDS_FILE));
  if (before === undefined) missing.push(PICTURE_BEFORE_FILE);
  if (after === undefined) missing.push(PICTURE_AFTER_FILE);
  if (latencyText === undefined) missing.push(LATENCY_FILE);
  if (commandsText === undefined) missing.push(COMMANDS_FILE);
  return buildRunReport({
    runId: basename(runDir),
    runDir,
    plan,
    inventory,
    events,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    ...(latencyText !== undefined ? { latencyText } : {}),
    ...(commandsText !== undefined ? { commandsText } : {}),
    missing,
    generatedAt: now.toISOString(),
  });
}

/** Write `text` to `path` atomically. Throws REPORT_WRITE_FAILED. */
export function writeReportFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (err) {
    throw new FerryError('REPORT_WRITE_FAILED', `cannot write the report ${path}: ${messageOf(err)}`, {
      hint: 'check that the folder exists and is writable (or give another --out FILE)',
      subjects: { file: path },
      cause: err,
    });
  }
}

/** Writes the run's report.html (or `outFile`) and returns its path and data. */
export function writeRunReport(runDir: string, outFile: string = join(runDir, REPORT_FILE)): { path: string; report: RunReport } {
  const report = readRunReport(runDir);
  writeReportFile(outFile, renderHtmlReport(report));
  return { path: outFile, report };
}

export interface RunReportResult {
  /** report.html, when it was written. */
  readonly reportPath?: string;
  /** Why it was not. */
  readonly reportError?: string;
}

/** At the end of a run: write report.html, never throwing (a report must not fail the run it reports). */
export function writeRunReportQuietly(runDir: string): RunReportResult {
  try {
    return { reportPath: writeRunReport(runDir).path };
  } catch (err) {
    return { reportError: messageOf(err) };
  }
}
