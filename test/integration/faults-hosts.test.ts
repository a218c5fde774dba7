/**
 * Issue 6 §2, host-level faults:
 *  - the SSH link to a host dropping (a real OpenSSH sshd behind test/helpers/tcp-proxy.ts, cutAll = a dropped
 *    link): a command in flight, an SFTP write in flight, and a whole node update (applyRepoint, the work of the
 *    nodes.repoint step) cut between its writes and its restarts — with the link back for the rollback, and with
 *    the link still down;
 *  - a node whose kubelet refuses to start with the new master, in a `ferry apply --scope master` on a lab.
 *
 * The sshd runs in a private mount namespace (unshare) whose /etc is an overlay, with this test's folder bound on
 * /etc/sysconfig and a stand-in systemctl first on the session PATH: ferry edits the real paths
 * (/etc/sysconfig/kubelet…) over SSH and nothing on this machine changes.
 *
 * Addresses: sshd 127.48.9.1:22681, proxy 127.48.9.2:22682; lab 127.48.4.x (old etcd .31–.33, old master .30,
 * new master .20, nodes .39–.40), services 127.232.0.0/13, flannel 127.240.0.0/13.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, FerryError } from '../../src/errors.ts';
import { resolveRunsDir } from '../../src/home.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { SshHost } from '../../src/adapters/hosts/ssh.ts';
import { applyRepoint } from '../../src/repoint/repoint-node.ts';
import { FLANNELD, KUBE_PROXY, KUBELET } from '../helpers/domeos-node-files.ts';
import { assertNodesReady, hostPath, NODE_SYSCONFIG, readNodeFiles, startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { describeCliRun, processesOf, readEvents, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';
import { prepareSshdFolder, startSshd, stopSshd } from '../helpers/sshd.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const SSHD = { host: '127.48.9.1', port: 22681 };
const PROXY = { host: '127.48.9.2', port: 22682 };
const NEW_MASTER = 'http://10.17.33.20:8080';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-faults-hosts-'));
const file = (...parts: string[]): string => path.join(dir, ...parts);
const ORIGINAL = new Map([['kubelet', KUBELET], ['kube-proxy', KUBE_PROXY], ['flanneld', FLANNELD]]);
const etcSysconfigExisted = fs.existsSync('/etc/sysconfig');
let sshd: ChildProcess | undefined;
let proxy: TcpProxy | undefined;
const hosts: SshHost[] = [];

async function connect(): Promise<SshHost> {
  const host = await SshHost.connect({
    address: PROXY.host, port: PROXY.port, user: 'root', keyFile: file('client'), knownHostsFile: file('known_hosts'), connectTimeoutMs: 10_000,
  });
  hosts.push(host);
  return host;
}

async function rejection(p: Promise<unknown>): Promise<FerryError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof FerryError, `expected a FerryError, got ${String(err)}`);
  return err;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function readCalls(): string[] {
  return fs.existsSync(file('systemctl.calls')) ? fs.readFileSync(file('systemctl.calls'), 'utf8').split('\n').filter((l) => l !== '') : [];
}

function resetNodeFiles(): void {
  for (const [name, text] of ORIGINAL) fs.writeFileSync(file('sysconfig', name), text);
  for (const f of ['systemctl.calls', 'blocked', 'release']) fs.rmSync(file(f), { force: true });
  fs.rmSync(file('backups'), { recursive: true, force: true });
}

function assertNodeFiles(expect: 'original' | 'updated', why: string): void {
  for (const [name, text] of ORIGINAL) {
    const now = fs.readFileSync(file('sysconfig', name), 'utf8');
    if (expect === 'original') assert.equal(now, text, `${why}: /etc/sysconfig/${name} byte-identical to the original`);
    else if (name !== 'flanneld') assert.ok(now.includes(NEW_MASTER) && !now.includes('10.17.33.30'), `${why}: /etc/sysconfig/${name} points at the new master:\n${now}`);
  }
}

/** sshd in a private mount namespace: /etc an overlay (upper layer on a tmpfs of the namespace), /etc/sysconfig = sysconfig/. */
function startNamespacedSshd(): Promise<ChildProcess> {
  return startSshd(file('sshd_config'), {
    wrap: (argv) => ({
      command: 'unshare',
      args: ['--mount', '--propagation', 'private', 'sh', '-c', [
        'set -e',
        `mount -t tmpfs -o size=16m tmpfs '${file('ns')}'`,
        `mkdir '${file('ns', 'upper')}' '${file('ns', 'work')}'`,
        `mount -t overlay overlay -o 'lowerdir=/etc,upperdir=${file('ns', 'upper')},workdir=${file('ns', 'work')}' /etc`,
        'mkdir -p /etc/sysconfig',
        `mount --bind '${file('sysconfig')}' /etc/sysconfig`,
        `exec ${argv.map((w) => `'${w}'`).join(' ')}`,
      ].join('\n')],
    }),
  });
}

describe('the SSH link to a host drops', { timeout: 180_000 }, () => {
  before(async () => {
    for (const d of ['ns', 'sysconfig', 'data']) fs.mkdirSync(file(d));
    // Clients reach this sshd through the proxy, so known_hosts names the proxy's address.
    prepareSshdFolder(dir, { address: SSHD.host, port: SSHD.port, knownAs: { address: PROXY.host, port: PROXY.port } });
    // The stand-in systemctl logs its argv; the first `restart kubelet` blocks until the test writes `release`
    // (at most 15 s), so the link can be cut while a command of the update is in flight.
    fs.writeFileSync(file('bin', 'systemctl'), [
      '#!/bin/sh',
      `printf '%s|' "$@" >> '${file('systemctl.calls')}'; echo >> '${file('systemctl.calls')}'`,
      'if [ "$1" = is-active ]; then echo active; exit 0; fi',
      `if [ "$1 $2" = "restart kubelet" ] && [ ! -e '${file('blocked')}' ]; then`,
      `  echo $$ > '${file('blocked')}'`,
      `  i=0; while [ ! -e '${file('release')}' ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done`,
      'fi',
    ].join('\n') + '\n', { mode: 0o755 });
    resetNodeFiles();
    sshd = await startNamespacedSshd();
    proxy = await startTcpProxy({ listenHost: PROXY.host, listenPort: PROXY.port, targetHost: SSHD.host, targetPort: SSHD.port });
  });

  after(async () => {
    for (const h of hosts) await h.close().catch(() => undefined);
    await proxy?.close();
    await stopSshd(sshd, 'SIGKILL');
    assert.equal(fs.existsSync('/etc/sysconfig'), etcSysconfigExisted, 'this machine\'s /etc is untouched (the namespace kept the bind mount to itself)');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a command in flight when the link is cut → HOST_CONNECTION_LOST naming the host; the next command reconnects', async () => {
    const started = Date.now();
    const host = await connect();
    const running = host.run(['sh', '-c', `echo $$ > '${file('data', 'sleeper.pid')}'; exec sleep 20`]);
    await waitFor('the remote command to start', 10_000, () => fs.existsSync(file('data', 'sleeper.pid')));
    proxy?.cutAll();
    const err = await rejection(running);
    const pid = Number(fs.readFileSync(file('data', 'sleeper.pid'), 'utf8'));
    try { process.kill(pid, 'SIGKILL'); } catch { /* sshd ended it */ }
    assert.equal(err.code, 'HOST_CONNECTION_LOST', err.message);
    assert.equal(err.subjects['host'], PROXY.host);
    assert.match(err.message, new RegExp(PROXY.host.replaceAll('.', '\\.')));
    assert.equal(err.retryable, true);
    assert.match(err.hint ?? '', /retry/i);
    const again = await host.run(['echo', 'back']);
    assert.equal(again.stdout.trim(), 'back', 'the next command runs on a new connection');
    recordReliability('faults', { case: 'SSH link cut during a command', outcome: 'HOST_CONNECTION_LOST; next command reconnected', code: err.code, retryable: err.retryable, seconds: (Date.now() - started) / 1000 });
  });

  test('an SFTP write cut mid-way leaves the original file intact and no partial target; the next write works', async () => {
    const started = Date.now();
    const host = await connect();
    const target = file('data', 'big.bin');
    const original = Buffer.from('the original content\n');
    fs.writeFileSync(target, original);
    const big = Buffer.alloc(64 * 1024 * 1024, 0x61);
    const from = proxy?.stats.bytesForwarded ?? 0;
    const writing = host.writeFile(target, big, { backupPath: file('data', 'backup', 'big.bin') });
    // Cut once a few MB of the new content are through: the temp file is then half written.
    const deadline = Date.now() + 30_000;
    while ((proxy?.stats.bytesForwarded ?? 0) - from < 8 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    proxy?.cutAll();
    const err = await rejection(Promise.race([writing, sleep(20_000).then(() => { throw new Error('the write never settled after the cut (an unbounded wait)'); })]));
    assert.equal(err.code, 'HOST_CONNECTION_LOST', err.message);
    assert.equal(err.subjects['host'], PROXY.host);
    assert.equal(err.retryable, true);
    assert.ok(fs.readFileSync(target).equals(original), 'the target still holds its original bytes');
    const backup = file('data', 'backup', 'big.bin');
    if (fs.existsSync(backup)) assert.ok(fs.readFileSync(backup).equals(original), 'a backup, when made, is complete');
    // What the cut can leave: a hidden temp file next to the target (never the target itself).
    const leftovers = fs.readdirSync(file('data')).filter((n) => n.startsWith('.big.bin.ferry-tmp-'));
    assert.deepEqual(fs.readdirSync(file('data')).filter((n) => !n.startsWith('.big.bin.ferry-tmp-')).sort(), ['backup', 'big.bin', 'sleeper.pid'].filter((n) => n !== 'backup' || fs.existsSync(backup)).sort());
    const r = await host.writeFile(target, 'new content\n', { backupPath: backup });
    assert.equal(r.changed, true);
    assert.equal(fs.readFileSync(target, 'utf8'), 'new content\n', 'the next write (new connection) replaces the file');
    assert.deepEqual(fs.readdirSync(file('data')).filter((n) => n.startsWith('.big.bin.ferry-tmp-')), [], 'and removes the temp file the cut left');
    recordReliability('faults', { case: 'SSH link cut during an SFTP write (64 MB)', outcome: `target intact; ${leftovers.length} half-written temp file(s) left, removed by the next write`, code: err.code, retryable: err.retryable, seconds: (Date.now() - started) / 1000 });
  });

  test('mid-step: a node update cut between its writes and its restarts rolls back over a new connection; the rerun completes', async () => {
    const started = Date.now();
    resetNodeFiles();
    const host = await connect();
    const log: string[] = [];
    const options = {
      master: NEW_MASTER, backupDir: file('backups'), waitReady: async () => undefined, serviceSettleMs: 0,
      serviceActiveTimeoutMs: 5_000, log: (l: string) => void log.push(l),
    };
    const updating = applyRepoint(host, options);
    await waitFor('the restart of kubelet to be in flight', 30_000, () => fs.existsSync(file('blocked')));
    assert.ok(!fs.readFileSync(file('sysconfig', 'kubelet'), 'utf8').includes('10.17.33.30'), 'the files were written before the cut');
    proxy?.cutAll();
    const err = await rejection(updating);
    fs.writeFileSync(file('release'), '');
    assert.equal(err.code, 'NODE_UPDATE_ROLLED_BACK', `${err.message}\n${log.join('\n')}`);
    assert.equal(err.exitCode, 1);
    assert.match(err.message, /l-33-39/);
    assert.match(err.message, /HOST_CONNECTION_LOST|SSH connection to 127\.48\.9\.2 failed/);
    assert.ok(err.cause instanceof FerryError && err.cause.code === 'HOST_CONNECTION_LOST', `caused by the dropped link: ${String(err.cause)}`);
    assert.ok(log.includes('Rollback finished'), log.join('\n'));
    assertNodeFiles('original', 'after the rollback');
    assert.equal(readCalls().filter((c) => c === 'restart|kubelet|').length, 2, `kubelet restarted again by the rollback, on the new connection: ${readCalls().join(' ')}`);

    const again = await applyRepoint(host, options);
    assert.deepEqual([...again.changed].sort(), ['/etc/sysconfig/kube-proxy', '/etc/sysconfig/kubelet']);
    assertNodeFiles('updated', 'after the rerun');
    recordReliability('faults', { case: 'SSH link cut mid node update (link back)', outcome: 'rolled back byte-for-byte over a new connection; rerun completed', code: err.code, exitCode: err.exitCode, seconds: (Date.now() - started) / 1000 });
  });

  test('mid-step with the link still down: the rollback cannot reach the host → NODE_ROLLBACK_FAILED (exit 3) with the manual fix; the rerun completes', async () => {
    const started = Date.now();
    resetNodeFiles();
    const host = await connect();
    const log: string[] = [];
    const options = {
      master: NEW_MASTER, backupDir: file('backups'), waitReady: async () => undefined, serviceSettleMs: 0,
      serviceActiveTimeoutMs: 5_000, log: (l: string) => void log.push(l),
    };
    const updating = applyRepoint(host, options);
    await waitFor('the restart of kubelet to be in flight', 30_000, () => fs.existsSync(file('blocked')));
    assert.ok(proxy !== undefined);
    proxy.mode = 'refuse';
    proxy.cutAll();
    const err = await rejection(updating);
    fs.writeFileSync(file('release'), '');
    proxy.mode = 'forward';
    assert.equal(err.code, 'NODE_ROLLBACK_FAILED', `${err.message}\n${log.join('\n')}`);
    assert.equal(err.exitCode, 3);
    assert.match(err.hint ?? '', /cp -p .*backups.*\/etc\/sysconfig\/kubelet/);
    assert.ok(!log.includes('Rollback finished'));
    // The node holds the new files (nothing could be put back) and the backups hold the originals.
    assertNodeFiles('updated', 'after the failed rollback');
    assert.equal(fs.readFileSync(file('backups', 'etc_sysconfig_kubelet'), 'utf8'), KUBELET, 'the backup of kubelet holds the original');

    const again = await applyRepoint(host, options);
    assert.equal(again.alreadyUpToDate, true, 'the rerun finds the files already updated');
    assertNodeFiles('updated', 'after the rerun');
    recordReliability('faults', { case: 'SSH link cut mid node update (link stays down)', outcome: 'rollback failed with the manual fix (exit 3); rerun completed', code: err.code, exitCode: err.exitCode, seconds: (Date.now() - started) / 1000 });
  });
});

describe('a node whose kubelet fails after repointing', { timeout: 600_000 }, () => {
  const P = '127.48.4';
  let lab: MasterLab | undefined;

  after(async () => {
    const d = lab?.dir;
    await lab?.cleanup();
    if (d !== undefined) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
  });

  test('ferry apply --scope master: that node is restored byte-for-byte, the fleet step stops naming it (exit 1); the other node is Ready; resume finishes', async (t) => {
    lab = await startMasterLab(P, {
      nodes: 2,
      extra: { rollout: { canary: 1, batchSize: 1, concurrency: 1, maxFailures: 0, readyTimeoutSeconds: 20 } },
      lab: { serviceClusterIpRange: '127.232.0.0/13', clusterDns: '127.232.40.1', flannelNetwork: '127.240.0.0/13' },
    });
    const [good, bad] = lab.nodes as [MasterLab['nodes'][number], MasterLab['nodes'][number]];
    // The fault: on the second node only, the kubelet program refuses to start when pointed at the new master
    // (exit 1, as a kubelet that cannot use its configuration does); with the old master it runs as before.
    const link = hostPath(lab, bad.host, '/usr/sbin/domeos/k8s/current/kubelet');
    const shim = fs.realpathSync(link);
    const kept = `${fs.realpathSync(path.dirname(link))}/kubelet.ferry-test-orig`;
    fs.renameSync(fs.realpathSync(path.dirname(link)) + '/kubelet', kept);
    fs.writeFileSync(path.join(fs.realpathSync(path.dirname(link)), 'kubelet'), [
      '#!/bin/sh',
      `case "$*" in *${lab.newMaster}*) echo "lab fault: this kubelet refuses to start with ${lab.newMaster}" >&2; exit 1;; esac`,
      `exec '${shim}' "$@"`,
    ].join('\n') + '\n', { mode: 0o755 });
    const restoreKubelet = () => {
      const wrapper = path.join(path.dirname(kept), 'kubelet');
      if (fs.existsSync(kept)) {
        fs.rmSync(wrapper, { force: true });
        fs.renameSync(kept, wrapper);
      }
    };
    try {
      const before = readNodeFiles(lab, bad.host);
      const t0 = Date.now();
      const r = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes', '--scope', 'master'], lab.env);
      const seconds = (Date.now() - t0) / 1000;
      const out = r.stdout + r.stderr;
      assert.equal(r.code, ExitCode.failedRolledBack, `exit 1:\n${out}`);
      assert.match(out, /nodes\.repoint failed \(NODES_(FAILED|ROLLOUT_HALTED): 1 node\(s\) failed/);
      assert.match(out, new RegExp(`${bad.name} \\(node ${bad.name}: the update failed and was rolled back`));
      assert.match(out, /hint: each failed node was restored from its backups \("Rollback finished"\)/);
      assert.match(out, /ferry resume/);
      const after = readNodeFiles(lab, bad.host);
      for (const p of NODE_SYSCONFIG) assert.ok((after.get(p) as Buffer).equals(before.get(p) as Buffer), `${bad.name}: ${p} byte-identical after its rollback`);
      await assertNodesReady(lab.newMaster, [good.name]);
      const runDir = path.join(resolveRunsDir(lab.env), fs.readdirSync(resolveRunsDir(lab.env))[0] as string);
      const events = readEvents(runDir);
      const failed = events.find((e) => e.type === 'action-failed' && e.action === `node:${bad.name}`);
      assert.ok(failed?.type === 'action-failed', `the journal has ${bad.name}'s failure`);
      assert.equal(failed.error.code, 'NODE_UPDATE_ROLLED_BACK', JSON.stringify(failed.error));
      t.diagnostic(`${bad.name}: ${failed.error.message}`);
      const stepError = foldJournal(events).steps.get('nodes.repoint')?.error;
      assert.match(stepError?.code ?? '', /^NODES_(FAILED|ROLLOUT_HALTED)$/);
      recordReliability('faults', { case: 'kubelet refuses the new master on 1 of 2 nodes (scope master)', outcome: 'node restored byte-for-byte, fleet step stopped naming it; other node Ready', code: stepError?.code ?? '', exitCode: r.code ?? -1, seconds });

      restoreKubelet();
      const t1 = Date.now();
      const fin = await runFerryCli(['resume', '--yes'], lab.env);
      assert.equal(fin.code, ExitCode.ok, `ferry resume finishes once the kubelet works: ${describeCliRun(fin)}`);
      await assertNodesReady(lab.newMaster, [good.name, bad.name]);
      recordReliability('faults', { case: 'resume after fixing the kubelet', outcome: 'every node Ready on the new master', exitCode: fin.code ?? -1, seconds: (Date.now() - t1) / 1000 });
    } finally {
      restoreKubelet();
    }
  });
});
