/**
 * The files a run records in its folder besides the journal (issue 5 §3; the contract shared with the dashboard):
 *
 * - `picture-before.json`, `picture-after.json`: ClusterPicture JSON, taken when a run starts (kept by a resume)
 *   and when it ends (each resume overwrites it).
 * - `latency.jsonl`: one etcd write-latency probe per line, `{"t": epochMs, "ms": number|null, "error"?: string}`.
 * - `commands.jsonl`: one command or service/file action ferry ran on a host per line (CommandRecord). Never stdin,
 *   never file contents, never environment: argv, paths, exit codes and durations only.
 * - `report.html`: the report (src/report/html-report.ts).
 *
 * The parsers here are pure and forgiving: a line that is not a record (a torn last line after a kill) is counted
 * and skipped, never fatal, so a report can always be made.
 */
import { CommandKind, type CommandRecord } from '../adapters/hosts/recording.ts';

export const PICTURE_BEFORE_FILE = 'picture-before.json';
export const PICTURE_AFTER_FILE = 'picture-after.json';
export const LATENCY_FILE = 'latency.jsonl';
export const COMMANDS_FILE = 'commands.jsonl';
export const REPORT_FILE = 'report.html';

export interface LatencySample {
  /** When the probe's put was sent, ms since the epoch. */
  readonly t: number;
  /** Until etcd acknowledged it; null when no endpoint acknowledged it within the probe's budget. */
  readonly ms: number | null;
  readonly error?: string;
}

export interface ParsedLines<T> {
  readonly records: T[];
  /** Lines that were not a record (e.g. a torn last line). */
  readonly skipped: number;
}

function parseLines<T>(text: string, accept: (x: Record<string, unknown>) => T | undefined): ParsedLines<T> {
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let x: unknown;
    try {
      x = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const r = typeof x === 'object' && x !== null && !Array.isArray(x) ? accept(x as Record<string, unknown>) : undefined;
    if (r === undefined) skipped++;
    else records.push(r);
  }
  return { records, skipped };
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** latency.jsonl → samples in time order. */
export function parseLatencySamples(text: string): ParsedLines<LatencySample> {
  const parsed = parseLines<LatencySample>(text, (x) => {
    if (!isNum(x['t']) || !(x['ms'] === null || isNum(x['ms']))) return undefined;
    return { t: x['t'], ms: x['ms'] as number | null, ...(typeof x['error'] === 'string' ? { error: x['error'] } : {}) };
  });
  parsed.records.sort((a, b) => a.t - b.t);
  return parsed;
}

/** commands.jsonl → records in time order. */
export function parseCommandRecords(text: string): ParsedLines<CommandRecord> {
  const kinds = new Set<string>(Object.values(CommandKind));
  const parsed = parseLines<CommandRecord>(text, (x) => {
    if (!isNum(x['t']) || typeof x['host'] !== 'string' || !isNum(x['durationMs'])) return undefined;
    const argv = Array.isArray(x['argv']) && x['argv'].every((a) => typeof a === 'string') ? (x['argv'] as string[]) : undefined;
    const str = (k: string) => (typeof x[k] === 'string' ? { [k]: x[k] as string } : {});
    return {
      t: x['t'],
      host: x['host'],
      durationMs: x['durationMs'],
      ...(typeof x['kind'] === 'string' && kinds.has(x['kind']) ? { kind: x['kind'] as CommandKind } : {}),
      ...(argv !== undefined ? { argv } : {}),
      ...str('service'),
      ...str('action'),
      ...(isNum(x['exitCode']) ? { exitCode: x['exitCode'] } : {}),
      ...str('error'),
      ...str('path'),
      ...str('to'),
      ...str('backup'),
      ...(typeof x['changed'] === 'boolean' ? { changed: x['changed'] } : {}),
    };
  });
  parsed.records.sort((a, b) => a.t - b.t);
  return parsed;
}
