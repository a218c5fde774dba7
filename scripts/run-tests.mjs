#!/usr/bin/env node
// Runs the test suite with node's own test runner (through tsx), in one invocation so that its closing
// `# pass N` / `# fail N` lines count every test. Node 20's --test does not expand globs, so files are listed here.
//   node scripts/run-tests.mjs            all tests (unit + integration: needs etcd, sshd; see README)
//   node scripts/run-tests.mjs --unit     unit tests only (no external programs)
//   node scripts/run-tests.mjs FILE...    just these files
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

function walk(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const explicit = args.filter((a) => !a.startsWith('--'));
let files;
if (explicit.length > 0) files = explicit;
else if (args.includes('--unit')) files = walk('test/unit');
else files = [...walk('test/unit'), ...walk('test/integration')];

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const RESTORE_DEV_NULL = 'rm -f /dev/null && mknod -m 666 /dev/null c 1 3';
if (!devNullIntact()) {
  console.error(`run-tests: /dev/null is not a character device on this machine; the tests need it. Restore it with: ${RESTORE_DEV_NULL}`);
  process.exit(1);
}
const tempDirsBefore = new Set(ferryTempDirs());
// Integration tests start real etcd members; each file uses its own loopback addresses and data dirs, so a few can
// run side by side on a 2-core machine.
const concurrency = process.env.FERRY_TEST_CONCURRENCY ?? '4';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=1800000', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  reapLeftovers();
  // A test that replaces /dev/null (a rename over it, as root) breaks every later program that reads or writes it:
  // the suite fails, saying so, rather than leave a broken machine behind a green run.
  if (!devNullIntact()) {
    console.error(`run-tests: /dev/null is no longer a character device — a test replaced it. Restore it with: ${RESTORE_DEV_NULL}`);
    process.exit(1);
  }
  process.exit(signal ? 1 : (code ?? 1));
});

function devNullIntact() {
  try {
    return statSync('/dev/null').isCharacterDevice();
  } catch {
    return false;
  }
}

// Every test stops what it starts; a test file the runner kills (its timeout) cannot, and its lab — etcd members, a
// supervisor, sshd — would keep its loopback ports, so the next run on those addresses is refused (LAB_PORT_IN_USE).
// After the run, processes whose command line names a ferry temp dir made during this run are stopped, and said so.
// The dirs themselves are kept for a look at what happened.
function ferryTempDirs() {
  try {
    return readdirSync(tmpdir()).filter((n) => n.startsWith('ferry-')).map((n) => join(tmpdir(), n));
  } catch {
    return [];
  }
}

function reapLeftovers() {
  const made = ferryTempDirs().filter((d) => !tempDirsBefore.has(d));
  if (made.length === 0) return;
  const left = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    const dir = made.find((d) => cmdline.includes(`${d}/`) || cmdline.endsWith(d) || cmdline.includes(`${d} `));
    if (dir !== undefined) left.push({ pid: Number(entry), dir, cmdline: cmdline.trim().slice(0, 160) });
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (left.length > 0) {
    console.error(`run-tests: ${left.length} process(es) left behind by test files (a file killed at its timeout cannot clean up) were stopped (their dirs are kept):`);
    for (const p of left) console.error(`  pid ${p.pid} (${p.dir}): ${p.cmdline}`);
  }
}
