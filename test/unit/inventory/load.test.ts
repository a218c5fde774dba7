import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, parseInventoryYaml, readInventory, renderProblems } from '../../../src/inventory/load.ts';
import { ExitCode, FerryError } from '../../../src/errors.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const fixture = (name: string) => join(ROOT, 'test/fixtures/inventories', name);
const example = (name: string) => join(ROOT, 'examples', name);

async function invalid(path: string): Promise<InventoryError> {
  try {
    await readInventory(path, { homeDir: '/home/op' });
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected InventoryError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${path} should not validate`);
}

describe('the examples', () => {
  test('seed.yaml validates with no problems and describes the runbook environment', async () => {
    const { inventory, warnings, sha256 } = await readInventory(example('seed.yaml'), { homeDir: '/home/op' });
    assert.deepEqual(warnings, []);
    assert.equal(sha256, createHash('sha256').update(readFileSync(example('seed.yaml'))).digest('hex'));
    assert.equal(inventory.name, 'domeos-example');
    assert.deepEqual(inventory.access, {
      mode: 'ssh',
      user: 'root',
      port: 22,
      keyFile: '/home/op/.ssh/id_ed25519',
      knownHosts: '/home/op/.ssh/known_hosts',
      sudo: false,
    });
    assert.deepEqual(inventory.etcd.old.map((m) => `${m.name}@${m.clientURL}|${m.peerURL}`), [
      'domeosEtcd0@http://10.17.33.31:4012|http://10.17.33.31:4010',
      'domeosEtcd1@http://10.17.33.32:4012|http://10.17.33.32:4010',
      'domeosEtcd2@http://10.17.33.33:4012|http://10.17.33.33:4010',
    ]);
    assert.deepEqual(inventory.etcd.new.map((m) => `${m.name}@${m.host}`), [
      'domeosEtcd3@10.17.33.21',
      'domeosEtcd4@10.17.33.22',
      'domeosEtcd5@10.17.33.23',
    ]);
    for (const m of [...inventory.etcd.old, ...inventory.etcd.new]) {
      assert.equal(m.dataDir, '/var/lib/etcd');
      assert.equal(m.service, 'etcd');
      assert.equal(m.binary, '/usr/sbin/domeos/etcd/current/etcd');
    }
    assert.deepEqual(inventory.master, {
      old: { host: '10.17.33.30', apiserver: 'http://10.17.33.30:8080' },
      new: { host: '10.17.33.20', apiserver: 'http://10.17.33.20:8080' },
    });
    assert.deepEqual(inventory.nodes?.map((n) => n.host), ['10.17.33.39', '10.17.33.40', '10.17.33.41']);
    assert.deepEqual(inventory.domeos, {
      url: 'http://10.17.33.10:8080',
      cluster: 'domeos-example',
      credentialsFile: '/home/op/.ferry/domeos-credentials.yaml',
      host: '10.17.33.10',
      service: 'domeos',
      healthTimeoutMs: 60_000,
    });
  });

  test('lab-seed.yaml is seed.yaml on 127.17.33.x in lab mode, with no problems', async () => {
    const lab = await readInventory(example('lab-seed.yaml'), { homeDir: '/home/op' });
    const real = await readInventory(example('seed.yaml'), { homeDir: '/home/op' });
    assert.deepEqual(lab.warnings, []);
    assert.deepEqual(lab.inventory.access, { mode: 'lab' });
    const { access: _a, ...labRest } = lab.inventory;
    const { access: _b, ...realRest } = real.inventory;
    // The lab's console login comes from the file `ferry lab up` writes (see lab-seed.yaml), not a credentialsFile.
    assert.equal(lab.inventory.domeos?.credentialsFile, undefined);
    const { credentialsFile: _c, ...realDomeos } = realRest.domeos ?? { credentialsFile: undefined };
    assert.deepEqual(labRest, JSON.parse(JSON.stringify({ ...realRest, domeos: realDomeos }).replaceAll('10.17.33.', '127.17.33.')));
  });
});

describe('readInventory failures', () => {
  test('many-problems.yaml: every problem at once, as INVENTORY_INVALID with exit code 2', async () => {
    const err = await invalid(fixture('many-problems.yaml'));
    assert.ok(err instanceof FerryError);
    assert.equal(err.code, 'INVENTORY_INVALID');
    assert.equal(err.exitCode, ExitCode.badInput);
    assert.deepEqual(err.subjects, { file: fixture('many-problems.yaml') });
    assert.ok(err.hint);
    assert.deepEqual(err.problems.map((p) => `${p.severity} ${p.path}`), [
      'error access.keyFile',
      'error etcd.new[0].name',
      'error etcd.new[1].host',
      'error etcd.new[2].clientURL',
      'error etcd.new[2].peerUrl',
      'error name',
    ]);
    assert.match(err.message, /many-problems.yaml: 6 problems$/);
    assert.deepEqual((err.toJSON().problems as unknown[]).length, 6);
  });

  test('a YAML syntax error is one problem at (file) with line:column', async () => {
    const err = await invalid(fixture('yaml-syntax.yaml'));
    assert.equal(err.problems.length, 1);
    const p = err.problems[0];
    assert.equal(p?.path, '(file)');
    assert.equal(p?.severity, 'error');
    assert.match(p?.message ?? '', /^YAML syntax error at line \d+:\d+: /);
    assert.match(err.message, /1 problem$/);
  });

  test('duplicate keys, an empty file and a dangling alias are YAML problems too', () => {
    assert.match(parseInventoryYaml('a: 1\na: 2\n').problems[0]?.message ?? '', /line 2:1: Map keys must be unique/);
    assert.equal(parseInventoryYaml('').problems[0]?.path, '(file)');
    assert.match(parseInventoryYaml('a: *nope\n').problems[0]?.message ?? '', /alias/i);
  });

  test('an empty file is invalid', async () => {
    const err = await invalid(fixture('empty.yaml'));
    assert.deepEqual(err.problems.map((p) => p.path), ['(file)']);
  });

  test('unknown keys are errors', async () => {
    const err = await invalid(fixture('unknown-keys.yaml'));
    assert.deepEqual(err.problems.map((p) => p.path), ['acess', 'etcd.new[0].datadir', 'etcd.old[0].clientUrl']);
    assert.match(err.problems[0]?.message ?? '', /did you mean access\?/);
  });

  test('lab mode with a real address', async () => {
    const err = await invalid(fixture('lab-not-loopback.yaml'));
    assert.deepEqual(err.problems.map((p) => `${p.severity} ${p.path}`), ['error etcd.old[0].host']);
  });

  test('a missing file is INVENTORY_NOT_FOUND (exit code 2)', async () => {
    await assert.rejects(readInventory(fixture('no-such-file.yaml')), (err: unknown) => {
      assert.ok(err instanceof FerryError);
      assert.equal(err.code, 'INVENTORY_NOT_FOUND');
      assert.equal(err.exitCode, ExitCode.badInput);
      assert.match(err.message, /no-such-file.yaml/);
      return true;
    });
  });
});

describe('readInventory success', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-inventory-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('warnings are returned with the inventory', async () => {
    const { inventory, warnings } = await readInventory(fixture('warnings-only.yaml'));
    assert.equal(inventory.etcd.new.length, 2);
    assert.deepEqual(warnings.map((p) => `${p.severity} ${p.path}`), ['warning etcd.new']);
  });

  test('sha256 is of the exact bytes', async () => {
    const text = readFileSync(fixture('warnings-only.yaml'), 'utf8');
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, text);
    writeFileSync(b, `${text}# a comment changes the bytes\n`);
    const ra = await readInventory(a);
    const rb = await readInventory(b);
    assert.equal(ra.sha256, createHash('sha256').update(text).digest('hex'));
    assert.notEqual(ra.sha256, rb.sha256);
    assert.deepEqual(ra.inventory, rb.inventory);
  });
});

describe('renderProblems', () => {
  test('one line per problem, then its hint indented', () => {
    const text = renderProblems([
      { path: 'etcd.new[1].peerURL', severity: 'error', message: 'peerURL host 10.0.0.1 differs', hint: 'fix it' },
      { path: 'etcd.new', severity: 'warning', message: 'even' },
    ]);
    assert.equal(
      text,
      ['error   etcd.new[1].peerURL: peerURL host 10.0.0.1 differs', '        hint: fix it', 'warning etcd.new: even'].join('\n'),
    );
  });
});
