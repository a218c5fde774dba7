#!/usr/bin/env node
// Runs the test suite with node's own test runner (through tsx), in one invocation so that its closing
// `# pass N` / `# fail N` lines count every test. Node 20's --test does not expand globs, so files are listed here.
//   node scripts/run-tests.mjs            all tests (unit + integration: needs etcd, sshd; see README)
//   node scripts/run-tests.mjs --unit     unit tests only (no external programs)
//   node scripts/run-tests.mjs FILE...    just these files
import { readdirSync, statSync } from 'node:fs';
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
// Integration tests start real etcd members; each file uses its own loopback addresses and data dirs, so a few can
// run side by side on a 2-core machine.
const concurrency = process.env.FERRY_TEST_CONCURRENCY ?? '4';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=1800000', ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
