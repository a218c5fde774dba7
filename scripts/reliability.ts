/**
 * `npm run reliability [-- SUITE...]`: runs the reliability suites (the same test files CI runs) with
 * FERRY_RELIABILITY_OUT set, so each test records what it saw, then writes one section per suite into
 * RELIABILITY.md (between its markers, the rest of the file left alone) with the command that reproduces it.
 * Suites: crash, faults, rollback, bad-input, security (all when none is named).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELIABILITY_SUITES, type ReliabilitySuite } from '../test/helpers/reliability.ts';

/** The test files of each suite. */
export const SUITE_FILES: Record<ReliabilitySuite, readonly string[]> = {
  crash: ['test/integration/crash-chain.test.ts'],
  faults: [
    'test/integration/faults-etcd.test.ts',
    'test/integration/faults-run.test.ts',
    'test/integration/faults-hosts.test.ts',
    'test/integration/migrate-failures.test.ts',
    'test/integration/master-gate-rollback.test.ts',
    'test/integration/dns-update.test.ts',
    'test/integration/console-steps.test.ts',
  ],
  rollback: ['test/integration/rollback-phases.test.ts'],
  'bad-input': ['test/integration/bad-input.test.ts', 'test/unit/inventory/property.test.ts'],
  security: [
    'test/integration/tls-lab.test.ts',
    'test/integration/secrets.test.ts',
    'test/integration/hostile-argv.test.ts',
    'test/integration/ssh-host.test.ts',
    'test/unit/dashboard/server.test.ts',
    'test/unit/sysconfig/rewrite-property.test.ts',
  ],
};

const TITLES: Record<ReliabilitySuite, string> = {
  crash: '1. Crash and resume',
  faults: '2. Faults',
  rollback: '3. Full rollback',
  'bad-input': '4. Bad input',
  security: '5. Security',
};

interface TestRun {
  readonly pass: number;
  readonly fail: number;
  readonly seconds: number;
}

function runFiles(suite: ReliabilitySuite, files: readonly string[], outDir: string, concurrency: number): Promise<TestRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=1800000', ...files], {
      env: { ...process.env, FERRY_RELIABILITY_OUT: outDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      for (const line of b.toString().split('\n')) if (/^(not )?ok \d+ /.test(line)) process.stdout.write(`[${suite}] ${line}\n`);
    });
    child.on('error', reject);
    child.on('exit', () => {
      const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)`, 'm').exec(out)?.[1] ?? 'NaN');
      resolve({ pass: count('pass'), fail: count('fail'), seconds: (Date.now() - started) / 1000 });
    });
  });
}

function readRows(outDir: string, suite: ReliabilitySuite): Record<string, unknown>[] {
  const file = join(outDir, `${suite}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

const cell = (v: unknown) => (v === undefined ? '' : String(v).replaceAll('|', '\\|').replaceAll('\n', ' '));

/** Now, to the minute: `2026-11-27 16:08 UTC`. */
const utcMinute = (): string => `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The markdown of one suite's section (pure). */
export function renderSuiteSection(suite: ReliabilitySuite, rows: readonly Record<string, unknown>[], run: TestRun | string, meta: { date: string; command: string; machine: string }): string {
  const columns = ['case', 'outcome', ...new Set(rows.flatMap((r) => Object.keys(r)).filter((k) => k !== 'case' && k !== 'outcome' && k !== 'at'))];
  const lines = [
    `## ${TITLES[suite]}`,
    '',
    `Command: \`${meta.command}\` — ${meta.date}, ${meta.machine}.`,
    `Test files: ${SUITE_FILES[suite].map((f) => `\`${f}\``).join(', ')} — ${typeof run === 'string' ? run : `${run.pass} passed, ${run.fail} failed, ${Math.round(run.seconds)} s`}.`,
    '',
  ];
  if (rows.length === 0) lines.push('(no rows recorded)');
  else {
    lines.push(`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`);
    for (const r of rows) lines.push(`| ${columns.map((c) => cell(r[c])).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces (or appends) the section between `<!-- reliability:ID -->` and `<!-- /reliability:ID -->`. */
export function writeReliabilitySection(path: string, id: string, body: string): void {
  const start = `<!-- reliability:${id} -->`;
  const end = `<!-- /reliability:${id} -->`;
  const block = `${start}\n${body}${end}`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Reliability\n\nFigures from the suites that try to break ferry. Each section names the command that reproduces it.\n\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  const next = a >= 0 && b > a ? `${text.slice(0, a)}${block}${text.slice(b + end.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(`${path}.tmp`, next);
  renameSync(`${path}.tmp`, path);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const ci = args.indexOf('--concurrency');
  const concurrency = ci >= 0 ? Number(args[ci + 1]) : 1;
  const asked = args.filter((a, i) => !a.startsWith('--') && !['--concurrency', '--rows', '--summary'].includes(args[i - 1] ?? ''));
  const bad = asked.filter((s) => !(RELIABILITY_SUITES as readonly string[]).includes(s));
  if (bad.length > 0) {
    process.stderr.write(`unknown suite ${bad.join(', ')}; suites: ${RELIABILITY_SUITES.join(', ')}\n`);
    return 2;
  }
  const suites = (asked.length > 0 ? asked : RELIABILITY_SUITES) as ReliabilitySuite[];
  // --rows DIR --summary TEXT: render the rows a whole `npm test` recorded (FERRY_RELIABILITY_OUT=DIR bash .ci/run)
  // instead of running the suites again.
  const ri = args.indexOf('--rows');
  if (ri >= 0) {
    const dir = args[ri + 1] ?? '';
    const summary = args[args.indexOf('--summary') + 1] ?? '';
    const date = utcMinute();
    const machine = `${cpus().length} cores, Node ${process.version}`;
    for (const suite of suites) {
      writeReliabilitySection('RELIABILITY.md', suite, renderSuiteSection(suite, readRows(dir, suite), summary, { date, command: 'FERRY_RELIABILITY_OUT=DIR bash .ci/run (the whole suite, as CI runs it)', machine }));
    }
    return 0;
  }
  // The suites' files use their own addresses, so the suites run side by side; each suite's files one at a time
  // (or --concurrency N). Sections are written once all are done.
  const load = loadavg()[0] ?? 0;
  const machine = `${cpus().length} cores, load ${load.toFixed(1)} at the start, Node ${process.version}, the suites run side by side`;
  const results = await Promise.all(
    suites.map(async (suite) => {
      const outDir = mkdtempSync(join(tmpdir(), `ferry-reliability-${suite}-`));
      try {
        const run = await runFiles(suite, SUITE_FILES[suite], outDir, concurrency);
        return { suite, run, rows: readRows(outDir, suite) };
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    }),
  );
  let failed = 0;
  const date = utcMinute();
  for (const { suite, run, rows } of results) {
    failed += run.fail > 0 || Number.isNaN(run.fail) ? 1 : 0;
    process.stdout.write(`${suite}: ${run.pass} passed, ${run.fail} failed, ${Math.round(run.seconds)} s, ${rows.length} rows\n`);
    const command = `npm run reliability -- ${suites.join(' ')}${concurrency !== 1 ? ` --concurrency ${concurrency}` : ''}`;
    writeReliabilitySection('RELIABILITY.md', suite, renderSuiteSection(suite, rows, run, { date, command, machine }));
  }
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  process.exit(await main());
}
