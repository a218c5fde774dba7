import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import { FERRY_VERSION } from '../../../src/version.ts';

const home = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
after(() => rmSync(home, { recursive: true, force: true }));

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), color: false, isTty: false, env: { ...process.env, FERRY_HOME: home } };
}

describe('ferry CLI', () => {
  test('--help lists every command and the exit codes', async () => {
    const o = io();
    assert.equal(await runCli(['--help'], o), 0);
    const text = o.stdout.join('');
    for (const c of ['validate', 'plan', 'apply', 'resume', 'rollback', 'status', 'lab', 'node', 'demo', 'completion']) assert.match(text, new RegExp(`\\n  ${c} `));
    assert.match(text, /130 interrupted/);
  });

  test('every command has --help with an example', async () => {
    for (const c of ['validate', 'plan', 'apply', 'resume', 'rollback', 'status', 'lab', 'node', 'demo', 'completion']) {
      const o = io();
      assert.equal(await runCli([c, '--help'], o), 0, c);
      assert.match(o.stdout.join(''), /Example/, c);
    }
  });

  test('--version matches package.json', async () => {
    const o = io();
    assert.equal(await runCli(['--version'], o), 0);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(FERRY_VERSION, pkg.version);
    assert.equal(o.stdout.join('').trim(), `ferry ${pkg.version}`);
  });

  test('an unknown command or flag is bad input: exit 2 with a hint', async () => {
    const a = io();
    assert.equal(await runCli(['frobnicate'], a), 2);
    assert.match(a.stderr.join(''), /error CLI_USAGE: unknown command "frobnicate"\n {2}hint: ferry --help/);
    const b = io();
    assert.equal(await runCli(['plan', '--frob'], b), 2);
    assert.match(b.stderr.join(''), /CLI_USAGE/);
  });

  test('a bad inventory: exit 2, every problem with its path, nothing touched', async () => {
    for (const cmd of [['validate'], ['plan'], ['apply', '--yes'], ['demo']]) {
      const o = io();
      assert.equal(await runCli([...cmd, '-f', 'test/fixtures/inventories/many-problems.yaml'], o), 2, cmd.join(' '));
      const err = o.stderr.join('');
      assert.match(err, /INVENTORY_INVALID/);
      assert.match(err, /etcd\.new\[1\]\.host/);
      assert.match(err, /hint:/);
    }
    assert.deepEqual(existsSync(home) ? readdirSync(home) : [], [], 'FERRY_HOME stays empty');
  });

  test('a missing inventory file is bad input', async () => {
    const o = io();
    assert.equal(await runCli(['plan', '-f', 'no/such/file.yaml'], o), 2);
    assert.match(o.stderr.join(''), /INVENTORY_NOT_FOUND/);
  });

  test('validate -o json prints the normalized inventory with DomeOS defaults filled in', async () => {
    const o = io();
    assert.equal(await runCli(['validate', '-f', 'examples/seed.yaml', '-o', 'json'], o), 0);
    const data = JSON.parse(o.stdout.join('')) as { ok: boolean; inventory: { etcd: { old: unknown[]; new: unknown[] } } };
    assert.equal(data.ok, true);
    assert.equal(data.inventory.etcd.old.length, 3);
    assert.equal(data.inventory.etcd.new.length, 3);
  });

  test('-o must be text, json or yaml', async () => {
    const o = io();
    assert.equal(await runCli(['validate', '-f', 'examples/seed.yaml', '-o', 'xml'], o), 2);
    assert.match(o.stderr.join(''), /-o must be text, json or yaml/);
  });

  test('status with no runs says how to start one', async () => {
    const o = io();
    assert.equal(await runCli(['status'], o), 2);
    assert.match(o.stderr.join(''), /RUN_NOT_FOUND[\s\S]*ferry apply/);
  });
});
