/**
 * Benchmark: migrate a 3-member etcd lab cluster to 3 new members under continuous writes, once with ferry and
 * once by the literal runbook, and compare the longest write stall, latency, failed and lost writes, and time.
 *
 *   node --import tsx bench/etcd-migration.ts [options]     (npm run bench:etcd)
 *     --repeat N            runs of each mode (default 1)
 *     --modes LIST          ferry,literal (default); add `idle` for a control: the same lab and writer for
 *                           --idle-ms (default 12000) with no migration — the stalls this machine makes by itself
 *     --writer CLIENT       own-failover (default) or etcd3-pool (see writer.ts)
 *     --steady-ms / --after-ms   writing before / after the migration (default 3000 each)
 *     --priority N          nice value of the lab's processes (default -10; this process and its writer thread get
 *                           N-5, so that the observer runs before the observed); 0 leaves priorities alone.
 *                           The machine is shared, and CPU starvation otherwise shows up as write stalls.
 *     --wait-load L         before each mode, wait (up to 120 s) for the 1-minute load average to drop below L
 *     --out FILE / --no-write    where the results section goes (default BENCHMARKS.md at the repo root) / nowhere
 *     --timeline            print each action with the longest stall in its period
 *     --dump DIR            keep the raw records, timelines, ferry's journal and the members' logs
 *     --etcd LIST           the etcd versions the lab runs, one after another in this same run (default 3.4; e.g.
 *                           3.4,3.3: Debian bullseye's 3.3.25, where ferry adds voters with the operator's consent
 *                           and MoveLeader moves the leader); each version gets its own section of BENCHMARKS.md
 *
 * Each mode gets a fresh lab on its own loopback prefix (127.22.1 for ferry and the control, 127.22.2 for the
 * literal runbook), torn down afterwards even on failure. Results go to stdout and to a generated section of
 * BENCHMARKS.md.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Etcd3Admin } from '../src/adapters/etcd/client.ts';
import { messageOf } from '../src/errors.ts';
import { buildDeps } from '../src/app/deps.ts';
import { observeAndPlan, startRun } from '../src/app/session.ts';
import { startLabFixture, type LabFixture } from '../test/helpers/lab-fixture.ts';
import { runLiteralRunbook } from './literal-runbook.ts';
import {
  renderBenchmarksSection,
  renderResultsTable,
  renderStallPlaces,
  renderVerdicts,
  writeBenchmarksSection,
  type BenchMeta,
  MODES,
  type Mode,
  type ModeResult,
} from './report.ts';
import { buildJournalRecorder, computeStallByAction, describeStallPlace, renderTimeline, type Timeline } from './timeline.ts';
import { verifyAcknowledged, type LossReport } from '../src/write-load/verify-keys.ts';
import { computeStalls, computeWriteStats, computeWriterLagMs } from '../src/write-load/write-stats.ts';
import { WRITER_CLIENTS, monotonicNow, type WriteRecord, type WriterClient } from '../src/write-load/writer.ts';
import { startWriterThread } from '../src/write-load/writer-thread.ts';
import { setLabPriority, setProcessPriority } from './priority.ts';
import { resolveLabEtcd } from '../src/lab/face.ts';

// The loopback prefixes given to this benchmark; the control reuses ferry's (modes run one after another).
const PREFIX: Record<Mode, string> = { ferry: '127.22.1', literal: '127.22.2', idle: '127.22.1' };
const INTERVAL_MS = 5;
const now = monotonicNow;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Migration {
  readonly outcome: string;
  readonly timeline: Timeline;
  /** ferry's run folder (journal), when there is one. */
  readonly runDir?: string;
}

async function migrateWithFerry(fx: LabFixture): Promise<Migration> {
  const recorder = buildJournalRecorder(now);
  // etcd before 3.4 (no learners): the benchmark gives the consent an operator gives with --allow-voter-add.
  const inventory = { ...fx.inventory, etcd: { ...fx.inventory.etcd, allowVoterAdd: true } };
  const deps = buildDeps(inventory, fx.env);
  try {
    const plan = await observeAndPlan(inventory, fx.inventoryPath, fx.sha256, deps);
    const run = await startRun(plan, inventory, {
      deps,
      signal: new AbortController().signal,
      env: fx.env,
      command: 'bench/etcd-migration.ts',
      onStart: (h) => h.journal.subscribe(recorder.listener),
    });
    const o = run.outcome;
    const outcome = o.runState === 'done' ? 'done' : `${o.runState} at ${o.failedStep ?? '?'}: ${o.error?.code ?? ''} ${o.error?.message ?? ''}`.slice(0, 300);
    return { outcome, timeline: recorder.timeline(), runDir: run.runDir };
  } catch (err) {
    return { outcome: `error: ${messageOf(err)}`, timeline: recorder.timeline() };
  } finally {
    await deps.close();
  }
}

async function migrateLiterally(fx: LabFixture): Promise<Migration> {
  try {
    const actions = await runLiteralRunbook({ inventory: fx.inventory, labDir: fx.labDir, now, log });
    return { outcome: 'done', timeline: { actions, marks: [] } };
  } catch (err) {
    return { outcome: `error: ${messageOf(err)}`, timeline: { actions: [], marks: [] } };
  }
}

async function migrate(o: ModeOptions, fx: LabFixture): Promise<Migration> {
  if (o.mode === 'ferry') return migrateWithFerry(fx);
  if (o.mode === 'literal') return migrateLiterally(fx);
  await sleep(o.idleMs);
  return { outcome: 'done', timeline: { actions: [], marks: [] } };
}

interface ModeOptions {
  /** How long the `idle` control runs its writer with no migration. */
  readonly idleMs: number;
  readonly run: number;
  readonly mode: Mode;
  readonly writer: WriterClient;
  readonly steadyMs: number;
  readonly afterMs: number;
  /** Wait (up to 120 s) until the 1-minute load average is below this before starting. */
  readonly waitLoad?: number;
  /** Nice value for the lab's processes (0: leave them alone). */
  readonly priority: number;
  /** Write the raw records, timeline, journal and member logs here (for analysis). */
  readonly dumpDir?: string;
  /** The lab's etcd (`ferry lab up --etcd`). */
  readonly etcd: string;
}

async function waitForLoadBelow(limit: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((loadavg()[0] ?? 0) >= limit && Date.now() < deadline) await sleep(1000);
}

/** The raw records, the timeline, ferry's journal and the members' logs, for analysis. */
function writeDump(dir: string, tag: string, fx: LabFixture, data: Record<string, unknown>, runDir: string | undefined): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${tag}.json`), JSON.stringify(data));
  if (runDir !== undefined && existsSync(join(runDir, 'journal.jsonl'))) copyFileSync(join(runDir, 'journal.jsonl'), join(dir, `${tag}-journal.jsonl`));
  for (const m of [...fx.inventory.etcd.old, ...fx.inventory.etcd.new]) {
    const logFile = join(fx.labDir, 'hosts', m.host, 'var', 'log', `${m.service}.log`);
    if (existsSync(logFile)) copyFileSync(logFile, join(dir, `${tag}-${m.name}.log`));
  }
}

/** Read every key back from each voting member of the cluster as it is now (whatever the migration left). */
async function verifyOnFinalMembers(fx: LabFixture, records: readonly WriteRecord[], prefix: string): Promise<{ loss: LossReport[]; verifyError?: string }> {
  const admin = new Etcd3Admin({ endpoints: [...fx.inventory.etcd.old, ...fx.inventory.etcd.new].map((m) => m.clientURL) });
  try {
    const voters = (await admin.memberList()).filter((m) => !m.isLearner && m.clientURLs.length > 0);
    return { loss: await verifyAcknowledged(records, voters.map((m) => m.clientURLs[0] as string), prefix) };
  } catch (err) {
    return { loss: [], verifyError: messageOf(err) };
  } finally {
    await admin.close();
  }
}

async function runMode(o: ModeOptions): Promise<ModeResult> {
  if (o.waitLoad !== undefined) await waitForLoadBelow(o.waitLoad, 120_000);
  const load = loadavg()[0] ?? 0;
  log(`run ${o.run} ${o.mode}: starting a lab on ${PREFIX[o.mode]}.x (load ${load.toFixed(1)})`);
  const fx = await startLabFixture(PREFIX[o.mode], 3, 3, {}, { etcd: o.etcd });
  try {
    if (o.priority !== 0) setLabPriority(fx.labDir, o.priority);
    const endpoints = [...fx.inventory.etcd.old, ...fx.inventory.etcd.new].map((m) => m.clientURL);
    const tag = `${o.mode}-${o.run}-etcd${o.etcd.replace(/[^0-9]/g, '')}`;
    const writer = await startWriterThread({ endpoints, tag, intervalMs: INTERVAL_MS, client: o.writer });
    const writerStart = now();
    await sleep(o.steadyMs);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const migStart = now();
    log(`run ${o.run} ${o.mode}: migrating`);
    const { outcome, timeline, runDir } = await migrate(o, fx);
    const migEnd = now();
    loop.disable();
    log(`run ${o.run} ${o.mode}: migration ${outcome} in ${((migEnd - migStart) / 1000).toFixed(1)} s`);
    await sleep(o.afterMs);
    const stopAt = now();
    const { records, maxEventLoopDelayMs } = await writer.stop();
    if (o.dumpDir !== undefined) writeDump(o.dumpDir, tag, fx, { migStart, migEnd, stopAt, timeline, records }, runDir);
    const { loss, verifyError } = await verifyOnFinalMembers(fx, records, `bench/${tag}/`);
    // The window runs on after the last action until the writer stops: a change's effect (e.g. the election after
    // the leader is removed) comes after the call that made it returned.
    const stats = computeWriteStats(records, { from: migStart, to: stopAt });
    // Skip the first second: the writer's connections are being set up.
    const steady = computeWriteStats(records, { from: writerStart + 1000, to: migStart });
    const byAction = computeStallByAction(computeStalls(records, { from: migStart, to: stopAt }), timeline, o.afterMs);
    const stallPlaces = stats.topStalls.slice(0, 3).map((stall) => ({
      stall,
      at: stall.from - migStart,
      place: describeStallPlace(stall, timeline),
      writerLagMs: computeWriterLagMs(records, stall),
    }));
    return {
      run: o.run,
      mode: o.mode,
      writer: o.writer,
      outcome,
      migrationMs: migEnd - migStart,
      stats,
      steady,
      totalWrites: records.length,
      totalFailed: records.filter((r) => r.failed).length,
      loss,
      ...(verifyError !== undefined ? { verifyError } : {}),
      stallPlaces,
      load,
      mainLoopMaxDelayMs: loop.max / 1e6,
      writerLoopMaxDelayMs: maxEventLoopDelayMs,
      timeline: renderTimeline(timeline, migStart),
      stallByAction: byAction.map((a) => ({ label: a.label, at: a.start - migStart, stallMs: a.stallMs })),
    };
  } finally {
    await fx.cleanup();
  }
}

interface BenchOptions {
  readonly idleMs: number;
  readonly repeat: number;
  readonly modes: readonly Mode[];
  readonly writer: WriterClient;
  readonly steadyMs: number;
  readonly afterMs: number;
  readonly priority: number;
  readonly waitLoad?: number;
  readonly dumpDir?: string;
  readonly showTimeline: boolean;
  readonly etcd: string;
}

async function runBench(o: BenchOptions): Promise<ModeResult[]> {
  const results: ModeResult[] = [];
  for (let run = 1; run <= o.repeat; run++) {
    for (const mode of o.modes) {
      const r = await runMode({ ...o, run, mode });
      results.push(r);
      if (o.showTimeline) {
        const lines = r.stallByAction.map((a) => `  +${(a.at / 1000).toFixed(2)} s  ${a.label}: longest stall in its period ${Math.round(a.stallMs)} ms`);
        log([`timeline, run ${run} ${mode}:`, ...lines].join('\n'));
      }
    }
  }
  return results;
}

function parseOptions(): { options: BenchOptions; etcds: string[]; out: string; write: boolean } {
  const { values } = parseArgs({
    options: {
      repeat: { type: 'string', default: '1' },
      modes: { type: 'string', default: 'ferry,literal' },
      writer: { type: 'string', default: 'own-failover' },
      'steady-ms': { type: 'string', default: '3000' },
      'after-ms': { type: 'string', default: '3000' },
      'no-write': { type: 'boolean', default: false },
      out: { type: 'string' },
      timeline: { type: 'boolean', default: false },
      dump: { type: 'string' },
      'wait-load': { type: 'string' },
      priority: { type: 'string', default: '-10' },
      'idle-ms': { type: 'string', default: '12000' },
      etcd: { type: 'string', default: '3.4' },
    },
  });
  const writer = values.writer as WriterClient;
  if (!WRITER_CLIENTS.includes(writer)) throw new Error(`--writer must be one of ${WRITER_CLIENTS.join(', ')}`);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return {
    etcds: values.etcd.split(',').map((v) => v.trim()).filter((v) => v !== ''),
    options: {
      etcd: '3.4',
      repeat: Math.max(1, Number(values.repeat)),
      modes: values.modes.split(',').filter((m): m is Mode => (MODES as readonly string[]).includes(m)),
      idleMs: Number(values['idle-ms']),
      writer,
      steadyMs: Number(values['steady-ms']),
      afterMs: Number(values['after-ms']),
      priority: Number(values.priority),
      ...(values['wait-load'] !== undefined ? { waitLoad: Number(values['wait-load']) } : {}),
      ...(values.dump !== undefined ? { dumpDir: values.dump } : {}),
      showTimeline: values.timeline,
    },
    out: values.out ?? join(repoRoot, 'BENCHMARKS.md'),
    write: !values['no-write'],
  };
}

async function main(): Promise<number> {
  const { options, etcds, out, write } = parseOptions();
  // Before the writer thread exists, so that it inherits the priority; the caller's session gets its value back.
  const restorePriority = options.priority !== 0 ? setProcessPriority('self', Math.max(-20, options.priority - 5)) : () => undefined;
  const byVersion: { etcd: string; version: string; results: ModeResult[] }[] = [];
  try {
    for (const etcd of etcds) {
      const release = await resolveLabEtcd(etcd, process.env, log);
      byVersion.push({ etcd, version: release.version, results: await runBench({ ...options, etcd }) });
    }
  } finally {
    restorePriority();
  }
  for (const { etcd, version, results } of byVersion) await report(options, results, etcd, version, out, write);
  return 0;
}

async function report(options: BenchOptions, results: ModeResult[], etcd: string, version: string, out: string, write: boolean): Promise<void> {
  const argv = process.argv.slice(2);
  const meta: BenchMeta = {
    command: `node --import tsx bench/etcd-migration.ts${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    nproc: cpus().length,
    node: process.version,
    etcd: version,
    writer: options.writer,
    intervalMs: INTERVAL_MS,
    steadyMs: options.steadyMs,
    afterMs: options.afterMs,
    priority: options.priority,
  };
  process.stdout.write(`\netcd ${version}:\n${renderResultsTable(results)}\n\n${renderVerdicts(results)}\n\nlongest stalls:\n${renderStallPlaces(results)}\n`);
  for (const r of results) {
    for (const l of r.loss.filter((x) => x.lost > 0)) process.stdout.write(`run ${r.run} ${r.mode}: ${l.lost} lost on ${l.endpoint}, e.g. ${l.examples.join(', ')}\n`);
    if (r.verifyError !== undefined) process.stdout.write(`run ${r.run} ${r.mode}: could not read the keys back: ${r.verifyError}\n`);
    if (r.outcome !== 'done') process.stdout.write(`run ${r.run} ${r.mode}: the migration did not finish: ${r.outcome}\n`);
  }
  if (write) {
    const base = options.writer === 'own-failover' ? 'etcd-migration' : `etcd-migration-${options.writer}`;
    const id = etcd === '3.4' ? base : `${base}-etcd${etcd.replace(/[^0-9A-Za-z]/g, '')}`;
    writeBenchmarksSection(out, id, renderBenchmarksSection(meta, results));
    process.stdout.write(`\nwrote the results to ${out}\n`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
