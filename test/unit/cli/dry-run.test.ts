/**
 * `--dry-run` says what a command would do and touches nothing: `ferry node update-config --dry-run` prints each
 * change, backup and restart and leaves every file (and the backup folder) as it was; `ferry lab down --dry-run`
 * lists what it would stop and remove and removes nothing. (`apply --dry-run` and `rollback --dry-run` need a live
 * cluster: test/integration/cli-dry-run.test.ts.)
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.ts';
import type { Io } from '../../../src/cli/io.ts';
import { FLANNELD, KUBE_PROXY, KUBELET } from '../../helpers/domeos-node-files.ts';

const LAB_HOST = '127.39.0.9';
const dir = mkdtempSync(join(tmpdir(), 'ferry-dry-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function io(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), color: false, isTty: false, env: { ...process.env, FERRY_HOME: join(dir, 'home') } };
}

/** Every file under a folder with its content, to compare before and after. */
function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p] = readFileSync(p, 'latin1');
    }
  };
  walk(root);
  return out;
}

describe('ferry node update-config --dry-run', () => {
  const labDir = join(dir, 'node-lab');
  const master = 'http://10.17.33.20:8080';
  const etcd = '10.17.33.21:4012,10.17.33.22:4012,10.17.33.23:4012';
  const args = ['node', 'update-config', '--master', master, '--etcd', etcd, '--lab-host', LAB_HOST, '--lab-dir', labDir, '--backup-dir', '/var/lib/ferry/node-backup', '--dry-run'];

  before(() => {
    const etc = join(labDir, 'hosts', LAB_HOST, 'etc', 'sysconfig');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'kubelet'), KUBELET);
    writeFileSync(join(etc, 'kube-proxy'), KUBE_PROXY);
    writeFileSync(join(etc, 'flanneld'), FLANNELD);
  });

  test('prints every change, backup and restart, and touches nothing', async () => {
    const before = snapshotTree(labDir);
    const o = io();
    assert.equal(await runCli(args, o), 0, o.stderr.join(''));
    const text = o.stdout.join('');
    assert.match(text, /dry run on 127\.39\.0\.9: node l-33-39\n/);
    assert.match(text, /would change \/etc\/sysconfig\/kubelet: API_SERVERS "--api-servers=http:\/\/10\.17\.33\.30:8080" → "--api-servers=http:\/\/10\.17\.33\.20:8080"/);
    assert.match(text, /would change \/etc\/sysconfig\/kube-proxy: KUBE_MASTER "--master=http:\/\/10\.17\.33\.30:8080" → "--master=http:\/\/10\.17\.33\.20:8080"/);
    assert.match(text, /would change \/etc\/sysconfig\/flanneld: FLANNEL_ETCD ".*" → "http:\/\/10\.17\.33\.21:4012,http:\/\/10\.17\.33\.22:4012,http:\/\/10\.17\.33\.23:4012"/);
    assert.match(text, /would back up \/etc\/sysconfig\/kubelet to \/var\/lib\/ferry\/node-backup\/etc_sysconfig_kubelet/);
    assert.match(text, /would restart flanneld, kubelet, kube-proxy/);
    assert.match(text, /would wait until node l-33-39 is Ready on http:\/\/10\.17\.33\.20:8080/);
    assert.match(text, /nothing was changed/);
    assert.deepEqual(snapshotTree(labDir), before, 'no file changed, no backup written');
    assert.ok(!existsSync(join(labDir, 'hosts', LAB_HOST, 'var', 'lib', 'ferry')), 'no backup folder made');
  });

  test('-o json prints the same as data', async () => {
    const o = io();
    assert.equal(await runCli([...args, '-o', 'json'], o), 0, o.stderr.join(''));
    const data = JSON.parse(o.stdout.join('')) as { dryRun: boolean; node: string; alreadyUpToDate: boolean; changes: { path: string; key: string }[]; restart: string[]; readyMaster: string };
    assert.equal(data.dryRun, true);
    assert.equal(data.node, 'l-33-39');
    assert.equal(data.alreadyUpToDate, false);
    assert.deepEqual(data.changes.map((c) => `${c.path} ${c.key}`), ['/etc/sysconfig/kubelet API_SERVERS', '/etc/sysconfig/kube-proxy KUBE_MASTER', '/etc/sysconfig/flanneld FLANNEL_ETCD']);
    assert.deepEqual(data.restart, ['flanneld', 'kubelet', 'kube-proxy']);
    assert.equal(data.readyMaster, master);
  });

  test('a node already on the wanted values: nothing would change or restart', async () => {
    const o = io();
    const current = ['node', 'update-config', '--master', 'http://10.17.33.30:8080', '--lab-host', LAB_HOST, '--lab-dir', labDir, '--dry-run'];
    assert.equal(await runCli(current, o), 0, o.stderr.join(''));
    assert.match(o.stdout.join(''), /node l-33-39 is already up to date: nothing would change, nothing would restart/);
    assert.doesNotMatch(o.stdout.join(''), /\n {2}would (change|back up|restart)/);
  });

  test('bad options are refused as in a real run (exit 2)', async () => {
    const o = io();
    assert.equal(await runCli(['node', 'update-config', '--master', '10.0.0.1:8080', '--lab-host', LAB_HOST, '--lab-dir', labDir, '--dry-run'], o), 2);
    assert.match(o.stderr.join(''), /NODE_BAD_MASTER/);
  });
});

describe('ferry lab down --dry-run', () => {
  test('with no lab: says it would do nothing', async () => {
    const o = io();
    assert.equal(await runCli(['lab', 'down', '--lab-dir', join(dir, 'no-lab'), '--dry-run'], o), 0);
    assert.match(o.stdout.join(''), /no lab in .*no-lab; `ferry lab down` would do nothing/);
  });

  test('lists what it would stop and remove, and removes nothing', async () => {
    const labDir = join(dir, 'lab');
    mkdirSync(join(labDir, 'hosts', '127.39.0.31', 'etc'), { recursive: true });
    writeFileSync(join(labDir, 'supervisor.log'), 'log\n');
    // Pids that are not running (this test starts no process): the preview lists only what runs.
    writeFileSync(join(labDir, 'supervisor-state.json'), JSON.stringify({ supervisorPid: 2 ** 22 + 1, units: { '127.39.0.31/etcd': 2 ** 22 + 2 }, runtimes: [] }));
    const before = snapshotTree(labDir);
    const o = io();
    assert.equal(await runCli(['lab', 'down', '--lab-dir', labDir, '--dry-run'], o), 0, o.stderr.join(''));
    const text = o.stdout.join('');
    assert.match(text, /dry run: `ferry lab down` would, in /);
    assert.match(text, /stop the lab supervisor \(pid 4194305, not running\)/);
    assert.match(text, /\(no unit process is running\)/);
    assert.match(text, new RegExp(`remove ${join(labDir, 'supervisor.log')}, ${join(labDir, 'supervisor-state.json')}, ${join(labDir, 'hosts')}`));
    assert.deepEqual(snapshotTree(labDir), before, 'nothing removed');

    const j = io();
    assert.equal(await runCli(['lab', 'down', '--lab-dir', labDir, '--dry-run', '-o', 'json'], j), 0);
    const data = JSON.parse(j.stdout.join('')) as { dryRun: boolean; found: boolean; units: unknown[]; remove: string[] };
    assert.equal(data.dryRun, true);
    assert.equal(data.found, true);
    assert.deepEqual(data.units, []);
    assert.equal(data.remove.length, 3);
  });

  test('--dry-run belongs to down: other subcommands refuse it', async () => {
    const o = io();
    assert.equal(await runCli(['lab', 'status', '--lab-dir', join(dir, 'no-lab'), '--dry-run'], o), 2);
    assert.match(o.stderr.join(''), /--dry-run is not an option of this subcommand \(it is one of ferry lab down\)/);
  });
});
