/**
 * Crash torture, isolated mode (issue 6 §1): for EACH kill point (test/helpers/kill-points.ts) a fresh lab — 3 old
 * + 3 new etcd, old and new master, 2 nodes, cluster DNS, the DomeOS console — with a writer putting unique keys,
 * `ferry apply` SIGKILLed at that point, one `ferry resume`, then the independent checker
 * (test/helpers/independent-check.ts) and the acknowledged keys read back with etcdctl. The chain mode (one lab,
 * every point in turn) is test/integration/crash-chain.test.ts.
 *
 *   npm run torture:crash [-- --only SUBSTR] [--every N] [--limit N] [--out FILE | --no-write]
 *     --only SUBSTR   only the kill points whose FERRY_FAULT spec contains SUBSTR
 *     --every N       every N-th kill point (a sample spread over the whole run)
 *     --limit N       at most N kill points (after --only and --every)
 *     --out FILE      where the `crash-isolated` section goes (default RELIABILITY.md); --no-write: nowhere
 *
 * Addresses: 127.42.0.x (console .10, new master .20, new etcd .21–.23, old master .30, old etcd .31–.33, nodes
 * .39–.40); services 127.136.0.0/13 (cluster DNS 127.136.40.1); flannel 127.144.0.0/13. One lab at a time.
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { foldJournal } from '../src/run/fold.ts';
import { writeReliabilitySection } from '../scripts/reliability.ts';
import { buildCrashCheckTarget, findOnlyRunDir, readPlannedKillPoints, startCrashLab, startCrashWriter, type CrashNet } from '../test/helpers/crash-lab.ts';
import { waitIndependentCheck } from '../test/helpers/independent-check.ts';
import { findKillMismatch, selectKillPoints, type KillPoint } from '../test/helpers/kill-points.ts';
import { processesOf, readEvents, REPO_ROOT, runFerryCli } from '../test/helpers/migration.ts';

const NET: CrashNet = { prefix: '127.42.0', services: '127.136.0.0/13', clusterDns: '127.136.40.1', flannel: '127.144.0.0/13' };
const SECTION = 'crash-isolated';
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Row {
  readonly n: number;
  readonly point: string;
  readonly phase: number;
  readonly killedIn: string;
  readonly resumeExit: string;
  readonly acked: number;
  readonly failed: number;
  readonly lost: number;
  readonly check: string;
  readonly seconds: number;
  readonly ok: boolean;
}

/** One kill point on a fresh lab; `index` is its place in that lab's own plan (the etcd order follows the leader). */
async function tortureOne(n: number, index: number): Promise<Row> {
  const started = performance.now();
  const lab = await startCrashLab(NET);
  const writer = startCrashWriter(lab, `iso${n}`);
  let point: KillPoint | undefined;
  try {
    point = (await readPlannedKillPoints(lab))[index];
    if (point === undefined) throw new Error(`this lab's plan has no kill point #${index + 1}`);
    const killed = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes'], { ...lab.env, FERRY_FAULT: point.fault });
    const runDir = findOnlyRunDir(lab);
    if (runDir === undefined) throw new Error(`ferry apply made no run folder (code ${killed.code}): ${killed.stderr.slice(-500)}`);
    const view = foldJournal(readEvents(runDir));
    const mismatch = findKillMismatch(readEvents(runDir), point);
    const killedOk = killed.signal === 'SIGKILL' && view.runState === 'interrupted' && view.currentStepId === point.stepId && mismatch === undefined;
    const resumed = await runFerryCli(['resume', '--yes'], lab.env);
    const totals = await writer.stop();
    const check = await waitIndependentCheck(buildCrashCheckTarget(lab, NET), { prefix: writer.prefix, keys: totals.ackedKeys });
    const problems = [
      ...(killedOk ? [] : [`not killed as intended (signal ${killed.signal}, code ${killed.code}, state ${view.runState}, in ${view.currentStepId}${mismatch ? `; ${mismatch}` : ''})`]),
      ...(resumed.code === 0 ? [] : [`resume exited ${resumed.code}: ${resumed.stderr.trim().split('\n').slice(-3).join(' ')}`]),
      ...check.failures.map((f) => `${f.check}: ${f.detail}`),
    ];
    return {
      n,
      point: point.fault,
      phase: point.phase,
      killedIn: view.currentStepId ?? '?',
      resumeExit: String(resumed.code ?? resumed.signal),
      acked: totals.acked,
      failed: totals.failed,
      lost: check.lostKeys.length,
      check: problems.length === 0 ? `ok (${check.passed.length} checks)` : problems.join('; ').slice(0, 400),
      seconds: Math.round((performance.now() - started) / 1000),
      ok: problems.length === 0,
    };
  } catch (err) {
    const totals = await writer.stop();
    return {
      n,
      point: point?.fault ?? `#${index + 1}`,
      phase: point?.phase ?? 0,
      killedIn: '?',
      resumeExit: '?',
      acked: totals.acked,
      failed: totals.failed,
      lost: -1,
      check: `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 400),
      seconds: Math.round((performance.now() - started) / 1000),
      ok: false,
    };
  } finally {
    await lab.cleanup();
    const left = processesOf(lab.dir);
    if (left.length > 0) log(`WARNING: processes left behind by ${lab.dir}: ${left.join(' ')}`);
  }
}

function renderSection(rows: readonly Row[], meta: { command: string; date: string; machine: string; total: number; seconds: number }): string {
  const cell = (v: unknown) => String(v).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const ok = rows.filter((r) => r.ok).length;
  const sum = (f: (r: Row) => number) => rows.reduce((a, r) => a + Math.max(0, f(r)), 0);
  return [
    '## 1b. Crash and resume, isolated: a fresh lab per kill point',
    '',
    `Command: \`${meta.command}\` — ${meta.date}, ${meta.machine}.`,
    `Each row: a new lab (3+3 etcd, 2 masters, 2 nodes, DNS, DomeOS console) and a writer; \`ferry apply\` SIGKILLed at the point, one \`ferry resume\`, then the independent checker (etcdctl, apiserver, node files, dig, console API). ${rows.length} of ${meta.total} kill points run.`,
    '',
    '| # | point | phase | killed in | resume exit | keys acked | writes failed | lost | check | s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${[r.n, `\`${r.point}\``, r.phase, r.killedIn, r.resumeExit, r.acked, r.failed, r.lost, r.check, r.seconds].map(cell).join(' | ')} |`),
    '',
    `Totals: ${ok}/${rows.length} complete with nothing lost; ${sum((r) => r.acked)} writes acknowledged, ${sum((r) => r.failed)} failed (not acknowledged within 10 s), ${sum((r) => r.lost)} lost; ${Math.round(meta.seconds)} s.`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, limit: { type: 'string' }, every: { type: 'string' }, out: { type: 'string' }, 'no-write': { type: 'boolean' } } });
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    process.stderr.write(`--limit must be a positive integer, not ${values.limit}\n`);
    return 2;
  }
  const every = values.every === undefined ? undefined : Number(values.every);
  if (every !== undefined && !(Number.isInteger(every) && every > 0)) {
    process.stderr.write(`--every must be a positive integer, not ${values.every}\n`);
    return 2;
  }
  const started = performance.now();
  const load = loadavg()[0] ?? 0;
  // The list, from a lab's plan (no ferry run): every lab has the same points, in the same places.
  const probe = await startCrashLab(NET);
  let all: KillPoint[];
  try {
    all = await readPlannedKillPoints(probe);
  } finally {
    await probe.cleanup();
  }
  const chosen = selectKillPoints(all, { ...(values.only !== undefined ? { only: values.only } : {}), ...(limit !== undefined ? { limit } : {}), ...(every !== undefined ? { every } : {}) });
  log(`${chosen.length} of ${all.length} kill points`);
  const rows: Row[] = [];
  for (const [i, p] of chosen.entries()) {
    const index = all.indexOf(p);
    log(`${i + 1}/${chosen.length} ${p.fault} …`);
    const row = await tortureOne(index + 1, index);
    rows.push(row);
    log(`${i + 1}/${chosen.length} ${row.point}: killed in ${row.killedIn}, resume exit ${row.resumeExit}, ${row.acked} acked, ${row.lost} lost, ${row.check} (${row.seconds} s)`);
  }
  const argv = process.argv.slice(2);
  const body = renderSection(rows, {
    command: `npm run torture:crash${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${cpus().length} cores (nproc), load ${load.toFixed(1)} at the start, Node ${process.version}`,
    total: all.length,
    seconds: (performance.now() - started) / 1000,
  });
  process.stdout.write(body);
  if (values['no-write'] !== true) {
    const out = values.out ?? join(REPO_ROOT, 'RELIABILITY.md');
    writeReliabilitySection(out, SECTION, body);
    log(`wrote the ${SECTION} section of ${out}`);
  }
  return rows.every((r) => r.ok) ? 0 : 1;
}

process.exit(await main());
