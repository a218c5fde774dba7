/**
 * The benchmark's results as a console table and as a section of BENCHMARKS.md (refreshed in place between its
 * markers, leaving the rest of the file alone). Rendering is pure; `writeBenchmarksSection` touches the file.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { LossReport } from '../src/write-load/verify-keys.ts';
import type { Stall, WriteStats } from '../src/write-load/write-stats.ts';
import type { WriterClient } from '../src/write-load/writer.ts';

/** `idle` is the control: the same lab and writer, and no migration (the machine's own noise over as long). */
export const MODES = ['ferry', 'literal', 'idle'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeResult {
  readonly run: number;
  readonly mode: Mode;
  readonly writer: WriterClient;
  /** 'done', or how the migration ended otherwise. */
  readonly outcome: string;
  readonly migrationMs: number;
  /** Over the migration window. */
  readonly stats: WriteStats;
  /** Over the steady state before the migration: the machine's own noise floor. */
  readonly steady: WriteStats;
  /** Every write of the run (before, during, after). */
  readonly totalWrites: number;
  readonly totalFailed: number;
  readonly loss: readonly LossReport[];
  /** Why the keys could not be read back (then `loss` is empty and "lost" is unknown). */
  readonly verifyError?: string;
  /** The top stalls with where they fall in the migration. */
  readonly stallPlaces: readonly { readonly stall: Stall; readonly at: number; readonly place: string; readonly writerLagMs: number }[];
  /** 1-minute load average when the mode started (the machine is shared). */
  readonly load: number;
  /** Longest event-loop delay of the main thread (where ferry runs) during the migration, in ms. */
  readonly mainLoopMaxDelayMs: number;
  /** Longest event-loop delay of the writer's thread over the run, in ms. */
  readonly writerLoopMaxDelayMs: number;
  readonly timeline: readonly string[];
  /** Each action of the migration (time from its start) with the longest stall in its period. */
  readonly stallByAction: readonly { readonly label: string; readonly at: number; readonly stallMs: number }[];
}

export interface BenchMeta {
  readonly command: string;
  readonly date: string;
  readonly nproc: number;
  readonly node: string;
  readonly etcd: string;
  readonly writer: WriterClient;
  readonly intervalMs: number;
  readonly steadyMs: number;
  readonly afterMs: number;
  /** Nice value of the benchmark's processes (0: not changed). */
  readonly priority: number;
}

export const TARGET_STALL_MS = 100;
export const TARGET_RATIO = 10;

const ms = (x: number) => (Number.isNaN(x) ? '–' : `${Math.round(x)} ms`);
const lostOf = (r: ModeResult) => (r.verifyError !== undefined ? Number.NaN : Math.max(0, ...r.loss.map((l) => l.lost)));

/** Per run: the ferry/literal stall ratio and whether ferry met each target. */
export function computeVerdicts(results: readonly ModeResult[]): { run: number; ratio: number; stallOk: boolean; ratioOk: boolean; failedOk: boolean; lostOk: boolean; met: boolean }[] {
  const runs = [...new Set(results.map((r) => r.run))];
  return runs.flatMap((run) => {
    const f = results.find((r) => r.run === run && r.mode === 'ferry');
    const l = results.find((r) => r.run === run && r.mode === 'literal');
    if (f === undefined) return [];
    const ratio = l === undefined ? Number.NaN : l.stats.longestStall.ms / f.stats.longestStall.ms;
    const v = {
      run,
      ratio,
      stallOk: f.stats.longestStall.ms <= TARGET_STALL_MS,
      ratioOk: ratio >= TARGET_RATIO,
      failedOk: f.totalFailed === 0,
      lostOk: lostOf(f) === 0,
    };
    return [{ ...v, met: v.stallOk && v.ratioOk && v.failedOk && v.lostOk && f.outcome === 'done' }];
  });
}

export function renderResultsTable(results: readonly ModeResult[]): string {
  const head = '| run | mode | longest stall | max write latency | p50 | p99 | writes | failed | lost | migration time | steady-state stall | writer pause | load |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const rows = results.map((r) =>
    [
      r.run,
      r.mode + (r.outcome === 'done' ? '' : ` (did not finish: ${r.outcome.split(':')[0]})`),
      ms(r.stats.longestStall.ms),
      ms(r.stats.maxLatencyMs),
      ms(r.stats.p50Ms),
      ms(r.stats.p99Ms),
      r.totalWrites,
      r.totalFailed,
      Number.isNaN(lostOf(r)) ? '?' : lostOf(r),
      r.mode === 'idle' ? `(none: ${(r.migrationMs / 1000).toFixed(1)} s idle)` : `${(r.migrationMs / 1000).toFixed(1)} s`,
      ms(r.steady.longestStall.ms),
      ms(r.writerLoopMaxDelayMs),
      r.load.toFixed(1),
    ].join(' | '),
  );
  return [head, rule, ...rows.map((row) => `| ${row} |`)].join('\n');
}

export function renderVerdicts(results: readonly ModeResult[]): string {
  const verdicts = computeVerdicts(results);
  const lines = verdicts.map((v) => {
    const f = results.find((r) => r.run === v.run && r.mode === 'ferry') as ModeResult;
    const idle = results.find((r) => r.run === v.run && r.mode === 'idle');
    const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
    return (
      `- run ${v.run}: literal/ferry stall ratio **${Number.isNaN(v.ratio) ? '–' : v.ratio.toFixed(1)}×**; ` +
      `ferry stall ${ms(f.stats.longestStall.ms)} ≤ ${TARGET_STALL_MS} ms: ${mark(v.stallOk)}; ≥ ${TARGET_RATIO}× shorter: ${mark(v.ratioOk)}; ` +
      `0 failed: ${mark(v.failedOk)}; 0 lost: ${mark(v.lostOk)}` +
      (idle === undefined ? '' : `; the control run (no migration) stalled ${ms(idle.stats.longestStall.ms)}`) +
      (f.outcome === 'done' ? '' : `; **ferry did not finish**: ${f.outcome}`) +
      (f.verifyError === undefined ? '' : `; keys not read back: ${f.verifyError}`)
    );
  });
  const met = verdicts.filter((v) => v.met).length;
  return [`All targets met in **${met} of ${verdicts.length}** run(s).`, '', ...lines].join('\n');
}

export function renderStallPlaces(results: readonly ModeResult[]): string {
  return results
    .map((r) => {
      const items = r.stallPlaces.map(
        (s) => `  - ${ms(s.stall.ms)} at +${(s.at / 1000).toFixed(2)} s: ${s.place}${s.writerLagMs >= 20 ? ` (the writer thread itself was up to ${ms(s.writerLagMs)} late in it)` : ''}`,
      );
      return [`- run ${r.run}, ${r.mode}:`, ...items].join('\n');
    })
    .join('\n');
}

/** The membership changes (and leader moves) of each run, with the longest stall in each one's period. */
export function renderStallByAction(results: readonly ModeResult[]): string {
  return results
    .map((r) => {
      const items = r.stallByAction.map((a) => `${a.label.replace(/^replace\./, '')} ${ms(a.stallMs)}`);
      return items.length === 0 ? '' : `- run ${r.run}, ${r.mode}: ${items.join(' · ')}`;
    })
    .filter((line) => line !== '')
    .join('\n');
}

export function renderRetryErrors(results: readonly ModeResult[]): string {
  return results
    .map((r) => {
      const entries = Object.entries(r.stats.retryErrors).sort((a, b) => b[1] - a[1]).slice(0, 4);
      const text = entries.length === 0 ? 'none' : entries.map(([m, n]) => `${n}× \`${m}\``).join('; ');
      return (
        `- run ${r.run}, ${r.mode}: ${r.stats.retried} write(s) needed more than one attempt; last errors: ${text}. ` +
        `Longest event-loop delay of the main thread (the migration): ${ms(r.mainLoopMaxDelayMs)}.`
      );
    })
    .join('\n');
}

export function renderBenchmarksSection(meta: BenchMeta, results: readonly ModeResult[]): string {
  const runs = new Set(results.map((r) => r.run)).size;
  const control = results.some((r) => r.mode === 'idle') ? ', plus a control run with the same lab and writer and no migration (`idle`)' : '';
  return [
    `## etcd migration under write load (3 → 3): ferry vs the literal runbook${meta.etcd.startsWith('3.4.') ? '' : `, etcd ${meta.etcd}`}${meta.writer === 'own-failover' ? '' : ` — writer: ${meta.writer}`}`,
    '',
    `Command: \`${meta.command}\` · date: ${meta.date} · machine: ${meta.nproc} CPUs (shared with other work; 1-min load average in the table), Node ${meta.node}, etcd ${meta.etcd} · ${runs} run(s), each migrating a fresh 3-member lab cluster to 3 new members once with ferry and once by the literal runbook${control}.`,
    '',
    `Load: an open-loop writer puts a unique key every ${meta.intervalMs} ms (${Math.round(1000 / meta.intervalMs)} writes/s) through the \`${meta.writer}\` client over all six client URLs (old and new), retrying a failed attempt on the next endpoint until a 10 s budget runs out (only then is a write "failed"). ${meta.steadyMs / 1000} s of steady state, the migration, ${meta.afterMs / 1000} s after. Latency counts from the write's scheduled time. The writer runs in its own thread, so that ferry's blocking work in the main thread (e.g. the journal's fsync) cannot delay it.${meta.priority !== 0 ? ` The lab's supervisor and etcd members run at nice ${meta.priority} and the benchmark process with its writer at ${Math.max(-20, meta.priority - 5)} (threads and their sessions' autogroups), so that the other work on this shared machine starves them less and the observer runs before the observed.` : ' Process priorities were left alone.'} Longest stall = the longest interval with no acknowledged write from the migration's start until the writer stops (${meta.afterMs / 1000} s after the last action, so that a change's aftermath, such as an election, counts); p50/p99/max over the writes scheduled in that window; writes/failed over the whole run; lost = acknowledged writes missing or wrong when every key is read back (linearizable, paged) from each of the 3 final members; steady-state stall = the same measure over the steady state before the migration (this machine's noise floor); writer pause = the longest event-loop delay of the writer's thread (acknowledgements that arrive during such a pause are stamped at its end, so a stall shorter than this may be the writer's, not the cluster's).`,
    '',
    renderResultsTable(results),
    '',
    renderVerdicts(results),
    '',
    'Where the longest stalls fall (time from the migration start; actions from ferry\'s journal or the runbook script):',
    '',
    renderStallPlaces(results),
    '',
    'Longest stall in the period of each membership change (from its start to the next one\'s start; the last one\'s runs until the writer stops):',
    '',
    renderStallByAction(results),
    '',
    'Errors the writer met (the last error of each write that needed a retry), and event-loop delays:',
    '',
    renderRetryErrors(results),
  ].join('\n');
}

const marker = (id: string, generator = 'bench/etcd-migration.ts') => ({ start: `<!-- bench:${id}:start (generated by ${generator}; edits inside are overwritten) -->`, end: `<!-- bench:${id}:end -->` });

/** Replace the section `id` of the file (or append it; create the file), atomically. */
export function writeBenchmarksSection(path: string, id: string, body: string, generator?: string): void {
  const { start, end } = marker(id, generator);
  const block = `${start}\n${body}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# ferry benchmarks\n';
  const i = current.indexOf(start);
  const j = current.indexOf(end);
  const next = i >= 0 && j > i ? current.slice(0, i) + block + current.slice(j + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, next);
  renameSync(tmp, path);
}
