/**
 * Issue 6 §4: malformed and dangerous inventories and command lines, each through the CLI (`ferry validate`,
 * `ferry plan`, `ferry apply --yes`, and the commands the argument belongs to) against one running lab. Each must
 * exit 2 with its error code and a message naming where (the inventory path, the file, the argument), and the lab's
 * state hash (files, etcd keys and members, processes: test/helpers/lab-state-hash.ts) must be the same after every
 * case as before the first. The cases are in test/helpers/bad-input-cases.ts.
 *
 * Every command runs through `runCli` (the CLI's whole dispatch and error-to-exit-code mapping) in this process; the
 * real `bin/ferry.js` child (runFerryCli) runs `ferry apply --yes` of the cases in REAL_CLI, or of every case with
 * FERRY_BAD_INPUT_REAL_CLI=all — each child costs seconds of start-up, which on a loaded 2-core machine adds minutes.
 *
 * Addresses: 127.45.1.x (old etcd .31–.33, new .21–.23, old master .30 at 1.4.7, new master .20 at 1.5.5 — the
 * version mismatch case —, node .39); services 127.184.0.0/13 (cluster DNS 127.184.40.1); flannel 127.192.0.0/13.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli } from '../../src/cli/main.ts';
import { ExitCode } from '../../src/errors.ts';
import { resolveRunsDir } from '../../src/home.ts';
import { ARGV_CASES, INVENTORY_CASES, type ArgvCase, type InventoryCase, type Raw } from '../helpers/bad-input-cases.ts';
import { diffLabStates, readLabState, type LabState } from '../helpers/lab-state-hash.ts';
import { startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { type CliResult, describeCliRun, processesOf, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';

const P = '127.45.1';
let lab: MasterLab;
let scratch: string;
let baseline: LabState;

async function readState(): Promise<LabState> {
  return readLabState({ labDir: lab.labDir, etcdEndpoints: lab.inventory.etcd.old.map((m) => m.clientURL) });
}

before(async () => {
  lab = await startMasterLab(P, {
    nodes: 1,
    lab: { k8sVersions: { [`${P}.20`]: '1.5.5' }, serviceClusterIpRange: '127.184.0.0/13', clusterDns: '127.184.40.1', flannelNetwork: '127.192.0.0/13' },
  });
  scratch = mkdtempSync(join(tmpdir(), 'ferry-bad-input-'));
  writeFileSync(join(scratch, 'not-a-plan.json'), JSON.stringify({ kind: 'kubernetes-manifest', apiVersion: 'v1' }));
  writeFileSync(join(scratch, 'garbage.json'), 'rm -rf / {');
  // A real plan of a copy of the inventory, made stale by changing the copy afterwards.
  const copy = join(scratch, 'inventory-copy.yaml');
  writeFileSync(copy, readFileSync(lab.inventoryPath));
  const planned = await runFerryCli(['plan', '-f', copy, '--scope', 'etcd', '-o', 'json', '--out', join(scratch, 'stale-plan.json')], lab.env);
  assert.equal(planned.code, ExitCode.ok, `the plan to make stale is made: ${describeCliRun(planned)}`);
  writeFileSync(copy, `${readFileSync(copy, 'utf8')}# changed after the plan\n`);
  baseline = await readState();
});

after(async () => {
  const dir = lab?.dir;
  await lab?.cleanup();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  if (dir !== undefined) assert.deepEqual(processesOf(dir), [], 'no process left behind by the lab');
});

test('the lab state hash is stable when nothing is done, and changes when a file is touched', async () => {
  const a = await readState();
  await new Promise((r) => setTimeout(r, 3000));
  const b = await readState();
  assert.deepEqual(diffLabStates(a, b), [], 'two reads seconds apart, nothing done in between');
  assert.equal(a.hash, b.hash);
  assert.equal(a.hash, baseline.hash, 'making the stale plan touched nothing either');
  const touched = join(lab.labDir, 'hosts', `${P}.21`, 'etc', 'touched-by-test');
  writeFileSync(touched, 'x');
  try {
    const c = await readState();
    assert.notEqual(c.hash, a.hash);
    assert.deepEqual(diffLabStates(a, c), [`+ file:hosts/${P}.21/etc/touched-by-test`]);
  } finally {
    rmSync(touched);
  }
  assert.equal((await readState()).hash, a.hash, 'and is back once the file is gone');
});

function expand(word: string): string {
  return word.replaceAll('$1', scratch).replaceAll('$LAB', lab.labDir).replaceAll('$INV', lab.inventoryPath).replaceAll('$NODE', lab.nodes[0]?.host ?? '');
}

/** Exit 2, the code, and the place, in what the command printed. */
function assertRefused(label: string, r: CliResult, code: string, where: RegExp): string {
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.timedOut, false, `${label}: finished in time`);
  assert.equal(r.code, ExitCode.badInput, `${label}: exit 2, got ${r.code}:\n${out}`);
  assert.ok(out.includes(`error ${code}`), `${label}: names the code ${code}:\n${out}`);
  const m = where.exec(out);
  assert.ok(m !== null, `${label}: the message says where (${where}):\n${out}`);
  assert.doesNotMatch(out, /error (BUG|UNEXPECTED)|\n\s+at .*\.ts:\d+/, `${label}: no stack trace:\n${out}`);
  return m[0].slice(0, 160);
}

async function assertStateUnchanged(label: string): Promise<void> {
  const now = await readState();
  assert.deepEqual(diffLabStates(baseline, now), [], `${label}: the lab's state is unchanged`);
  assert.equal(now.hash, baseline.hash);
  const runs = resolveRunsDir(lab.env);
  assert.deepEqual(existsSync(runs) ? readdirSync(runs) : [], [], `${label}: no run folder`);
}

function writeCase(c: InventoryCase, index: number): string {
  const good = parse(readFileSync(lab.inventoryPath, 'utf8')) as Raw;
  const content = c.build(good);
  const path = join(scratch, `case-${String(index).padStart(2, '0')}.yaml`);
  writeFileSync(path, typeof content === 'string' || Buffer.isBuffer(content) ? content : stringify(content));
  return path;
}

const ARGS = { validate: ['validate'], plan: ['plan'], apply: ['apply', '--yes'] } as const;

/** Cases also run through the real `bin/ferry.js` child: one of each kind. */
const REAL_CLI = new Set([
  'two old members on one host',
  'ftp:// client URL',
  'member name `new0;rm -rf /`',
  'data dir /',
  'billion laughs',
  'huge file (20 MB)',
  'a new etcd host that is not there',
  'unknown flag',
  'a stale plan (inventory changed since)',
  'Kubernetes version mismatch (apply --yes)',
  'FERRY_HOME inside the lab folder',
  'node update-config: backup dir /',
]);
const allReal = process.env['FERRY_BAD_INPUT_REAL_CLI'] === 'all';

/** `ferry ARGS` through the CLI's own dispatch, in this process: its exit code and what it printed. */
async function runInProcess(args: readonly string[], env: Record<string, string | undefined>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), color: false, isTty: false, env });
  return { code, signal: null, stdout, stderr, timedOut: false };
}

INVENTORY_CASES.forEach((c, i) => {
  test(`inventory: ${c.id}`, { timeout: 300_000 }, async () => {
    const path = writeCase(c, i);
    const commands = c.commands ?? (['validate', 'plan', 'apply'] as const);
    let where = '';
    for (const cmd of commands) where = assertRefused(`ferry ${cmd} (${c.id})`, await runInProcess([...ARGS[cmd], '-f', path], lab.env), c.code, c.where);
    const real = allReal || REAL_CLI.has(c.id);
    if (real) assertRefused(`bin/ferry.js apply --yes (${c.id})`, await runFerryCli(['apply', '--yes', '-f', path], lab.env, 180_000), c.code, c.where);
    await assertStateUnchanged(c.id);
    recordReliability('bad-input', { case: `inventory: ${c.id}`, outcome: 'exit 2', code: c.code, where, commands: commands.join(' ') + (real ? ' (+ real CLI)' : ''), stateUnchanged: true });
  });
});

ARGV_CASES.forEach((c: ArgvCase) => {
  test(`arguments: ${c.id}`, { timeout: 300_000 }, async () => {
    const env = { ...lab.env, ...Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, expand(v)])) };
    const args = c.args.map(expand);
    const where = assertRefused(`ferry ${args.join(' ')}`, await runInProcess(args, env), c.code, c.where);
    const real = allReal || REAL_CLI.has(c.id);
    if (real) assertRefused(`bin/ferry.js ${args.join(' ')}`, await runFerryCli(args, env, 180_000), c.code, c.where);
    await assertStateUnchanged(c.id);
    recordReliability('bad-input', { case: `arguments: ${c.id}`, outcome: 'exit 2', code: c.code, where, stateUnchanged: true, realCli: real });
  });
});
