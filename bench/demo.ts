/**
 * `ferry demo`, N times in a row (default 5), each in a fresh FERRY_HOME: how long the whole nine-phase runbook
 * takes on this machine, per phase, with the longest etcd write stall, the apiserver outage window and what was
 * lost. Writes a section of BENCHMARKS.md (between its markers) with the command that produced it.
 *
 *   npm run bench:demo [-- --runs N] [--no-write]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DemoReport } from '../src/report/demo-report.ts';
import { writeBenchmarksSection } from './report.ts';

const REPO = resolve(import.meta.dirname, '..');

interface Row {
  readonly run: number;
  readonly exitCode: number | null;
  readonly report?: DemoReport;
  readonly error?: string;
}

function runOnce(run: number): Row {
  const home = mkdtempSync(join(tmpdir(), 'ferry-bench-demo-'));
  try {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/ferry.js'), 'demo', '-o', 'json'], {
      cwd: REPO,
      env: { ...process.env, FERRY_HOME: home, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    try {
      return { run, exitCode: r.status, report: JSON.parse(r.stdout) as DemoReport };
    } catch {
      return { run, exitCode: r.status, error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ') };
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const secs = (ms: number | undefined): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

function render(rows: readonly Row[], command: string, loadBefore: number): string {
  const lines: string[] = [];
  lines.push('## `ferry demo`: the whole runbook on the lab');
  lines.push('');
  lines.push(
    `Command: \`${command}\` — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, load average ${loadBefore.toFixed(1)} before and ${(loadavg()[0] ?? 0).toFixed(1)} after (the machine is shared).`,
  );
  lines.push('Each run: `ferry lab up` of examples/lab-seed.yaml (DomeOS server, old master, 3 etcd members, 3 nodes, DNS), all nine');
  lines.push('phases with a writer putting a unique key every 20 ms over the old and new client URLs, the report, `lab down`.');
  lines.push('');
  lines.push('| run | exit | total s | ph1 | ph2 | ph3 | ph4 | ph5 | ph6 | ph7 | ph8 | ph9 | writes acked/failed/lost | longest write stall ms | apiserver outage s |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const rep = r.report;
    if (rep === undefined) {
      lines.push(`| ${r.run} | ${r.exitCode ?? '?'} | failed: ${r.error ?? '?'} |||||||||||||`);
      continue;
    }
    const ph = (id: number): string => secs(rep.phases.find((p) => p.id === id)?.durationMs);
    const w = rep.writes;
    lines.push(
      `| ${r.run} | ${r.exitCode ?? '?'} | ${secs(rep.durationMs)} | ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(ph).join(' | ')} | ${w ? `${w.acked}/${w.failed}/${w.lost}` : '-'} | ${w ? w.longestStallMs.toFixed(0) : '-'} | ${secs(rep.apiserverOutage?.ms ?? 0)} |`,
    );
  }
  const ok = rows.filter((r) => r.report !== undefined && r.exitCode === 0);
  const totals = ok.map((r) => (r.report as DemoReport).durationMs).sort((a, b) => a - b);
  lines.push('');
  lines.push(
    totals.length > 0
      ? `${ok.length}/${rows.length} runs exited 0; total ${secs(totals[0])}/${secs(totals[Math.floor(totals.length / 2)])}/${secs(totals[totals.length - 1])} s (min/median/max), lab up and down included. ` +
          "Phases 2 and 7 are mostly etcd's own wait before it allows the next membership change; phase 5 is each node's restart and Ready check; " +
          'the apiserver outage is the window from the old apiserver stopping (phase 3) to the new one answering (phase 4).'
      : 'no run exited 0',
  );
  return lines.join('\n');
}

function main(): number {
  const args = process.argv.slice(2);
  const at = args.indexOf('--runs');
  const runs = at >= 0 ? Number(args[at + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write('--runs takes a whole number of at least 1\n');
    return 2;
  }
  const loadBefore = loadavg()[0] ?? 0;
  const rows: Row[] = [];
  for (let i = 1; i <= runs; i++) {
    const row = runOnce(i);
    rows.push(row);
    process.stderr.write(`run ${i}: exit ${row.exitCode} ${row.report ? `${secs(row.report.durationMs)} s` : (row.error ?? '')}\n`);
  }
  const body = render(rows, `npm run bench:demo -- --runs ${runs}`, loadBefore);
  process.stdout.write(`${body}\n`);
  if (!args.includes('--no-write')) writeBenchmarksSection(join(REPO, 'BENCHMARKS.md'), 'demo', body, 'bench/demo.ts');
  return rows.every((r) => r.exitCode === 0) ? 0 : 1;
}

process.exitCode = main();
