// The lab end to end with real etcd 3.4 members: lab up/down, the supervisor's systemd emulation, LabHost.
// Addresses: 127.20.0.1–127.20.0.10 (this file's own), ports 4010 (peer) / 4012 (client).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { isFerryError } from '../../src/errors.ts';
import { LabHost } from '../../src/lab/host.ts';
import type { EtcdMember, Inventory } from '../../src/inventory/types.ts';
import { stopLab } from '../../src/lab/setup/down.ts';
import { FLANNEL_CONFIG, readLabSeedCheck } from '../../src/lab/setup/etcd-seed.ts';
import { buildHostRoot } from '../../src/lab/paths.ts';
import { findProcessesWithCmdline, readProcessState } from '../../src/lab/supervisor/processes.ts';
import { readLabStatus } from '../../src/lab/setup/status.ts';
import { SupervisorClient, type UnitStatus } from '../../src/lab/supervisor/supervisor-client.ts';
import { startLab } from '../../src/lab/setup/up.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ferry-lab-it-'));
const labDirs: string[] = [];
let labCount = 0;

function newLabDir(): string {
  const dir = join(tmp, `lab${++labCount}`);
  labDirs.push(dir);
  return dir;
}

function member(i: number): EtcdMember {
  const host = `127.20.0.${i}`;
  return {
    name: `domeosEtcd${i}`,
    host,
    clientURL: `http://${host}:4012`,
    peerURL: `http://${host}:4010`,
    dataDir: '/var/lib/etcd',
    service: 'etcd',
    binary: '/usr/sbin/domeos/etcd/current/etcd',
    configFile: '/etc/sysconfig/etcd',
  };
}

function inventory(labDir: string, oldIds: number[], newIds: number[] = []): Inventory {
  return { apiVersion: 'ferry/v1', name: 'lab-test', access: { mode: 'lab', labDir }, hosts: {}, etcd: { old: oldIds.map(member), new: newIds.map(member) } };
}

function ferryCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isFerryError(e), `expected a FerryError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

/** Poll until `check` returns a value (bounded). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  return ((await res.json()) as { health?: string }).health === 'true';
}

function etcdProcessesOf(labDir: string): number[] {
  return findProcessesWithCmdline(labDir);
}

async function expectLabGone(labDir: string): Promise<void> {
  await stopLab(labDir);
  assert.deepEqual(etcdProcessesOf(labDir), [], 'no process of the lab is left');
  assert.equal(existsSync(labDir), false, 'the lab folder is removed');
}

after(async () => {
  for (const dir of labDirs) await stopLab(dir).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

describe('a lab with 3 old and 3 new hosts', () => {
  const labDir = newLabDir();
  const inv = inventory(labDir, [1, 2, 3], [4, 5, 6]);
  const oldURLs = inv.etcd.old.map((m) => m.clientURL);
  const client = new SupervisorClient(labDir);

  before(async () => {
    await startLab({ inventory: inv, inventoryPath: '/tmp/lab-test.yaml', labDir });
  });
  after(async () => {
    await stopLab(labDir).catch(() => undefined);
  });

  test('every old member is healthy and the data is seeded (v3 and v2)', async () => {
    for (const url of oldURLs) assert.equal(await healthy(url), true, url);
    assert.deepEqual(await readLabSeedCheck(oldURLs), { ok: true, missing: [], wrong: [] });
    const etcd = new Etcd3({ hosts: oldURLs });
    try {
      assert.ok((await etcd.get('/registry/namespaces/default').string())?.includes('Namespace'));
      assert.equal((await etcd.cluster.memberList({})).members.length, 3);
    } finally {
      etcd.close();
    }
    const res = await fetch(`${oldURLs[1]}/v2/keys/flannel/network/config`);
    assert.equal(((await res.json()) as { node: { value: string } }).node.value, FLANNEL_CONFIG);
  });

  test('old hosts run etcd from the DomeOS files; new hosts are prepared with nothing running', async () => {
    const status = await readLabStatus(labDir);
    assert.equal(status.supervisorRunning, true);
    assert.equal(status.state?.name, 'lab-test');
    assert.match(status.state?.token ?? '', /^ferry-lab-[0-9a-f]+$/);
    assert.deepEqual(
      status.hosts.map((h) => [h.address, h.role, h.members[0]?.state]),
      [1, 2, 3, 4, 5, 6].map((i) => [`127.20.0.${i}`, i <= 3 ? 'old' : 'new', i <= 3 ? 'active' : 'inactive']),
    );
    const old = new LabHost(labDir, '127.20.0.1');
    assert.match((await old.readFile('/etc/sysconfig/etcd'))?.toString() ?? '', /^INITIAL_CLUSTER_STATE='-initial-cluster-state new'$/m);
    assert.equal(await old.exists('/lib/systemd/system/etcd.service'), true);
    for (const i of [4, 5, 6]) {
      const host = new LabHost(labDir, `127.20.0.${i}`);
      const root = buildHostRoot(labDir, host.address);
      assert.equal(await host.exists('/etc/sysconfig/etcd'), false);
      assert.equal(await host.exists('/lib/systemd/system/etcd.service'), false);
      assert.equal(await host.exists('/var/lib'), true);
      assert.equal(await host.exists('/var/lib/etcd'), false);
      assert.equal(statSync(join(root, 'usr/sbin/domeos/etcd/current/etcd')).isFile(), true);
      const version = await host.run(['/usr/sbin/domeos/etcd/current/etcdctl', 'version']);
      assert.match(version.stdout, /etcdctl version: 3\.4/);
      assert.equal(await host.serviceState('etcd'), 'inactive');
      // Like systemctl: starting a unit that has no unit file fails.
      await assert.rejects(host.service('etcd', 'start'), (e: unknown) => ferryCode('LAB_UNIT_NOT_FOUND')(e) && (e as Error).message === 'Unit etcd.service not found.');
    }
  });

  test('a second lab up on the same folder is refused and the running lab is untouched', async () => {
    await assert.rejects(startLab({ inventory: inv, inventoryPath: 'x', labDir }), ferryCode('LAB_ALREADY_UP'));
    assert.equal(await healthy(oldURLs[0] as string), true);
  });

  test('LabHost files: mapped into the root, atomic writes, first backup kept, modes, rename', async () => {
    const host = new LabHost(labDir, '127.20.0.4');
    const root = buildHostRoot(labDir, host.address);
    assert.deepEqual(await host.writeFile('/etc/ferry-test.conf', 'one\n'), { changed: true });
    assert.equal(readFileSync(join(root, 'etc/ferry-test.conf'), 'utf8'), 'one\n');
    assert.equal(statSync(join(root, 'etc/ferry-test.conf')).mode & 0o777, 0o644);
    assert.deepEqual(await host.writeFile('/etc/ferry-test.conf', 'one\n', { backupPath: '/etc/ferry-test.conf.bak' }), { changed: false });
    assert.equal(await host.exists('/etc/ferry-test.conf.bak'), false);
    chmodSync(join(root, 'etc/ferry-test.conf'), 0o640);
    assert.deepEqual(await host.writeFile('/etc/ferry-test.conf', 'two\n', { backupPath: '/etc/ferry-test.conf.bak' }), { changed: true, backupPath: '/etc/ferry-test.conf.bak' });
    await host.writeFile('/etc/ferry-test.conf', Buffer.from('three\n'), { backupPath: '/etc/ferry-test.conf.bak' });
    assert.equal((await host.readFile('/etc/ferry-test.conf'))?.toString(), 'three\n');
    assert.equal((await host.readFile('/etc/ferry-test.conf.bak'))?.toString(), 'one\n', 'the first backup is never overwritten');
    assert.equal(statSync(join(root, 'etc/ferry-test.conf')).mode & 0o777, 0o640, 'an existing file keeps its mode');
    await host.writeFile('/etc/secret.conf', 'x', { mode: 0o600 });
    assert.equal(statSync(join(root, 'etc/secret.conf')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(root, 'etc')).filter((f) => f.includes('ferry-tmp')), [], 'no temp file left');
    assert.equal(await host.readFile('/etc/missing'), undefined);
    await assert.rejects(host.writeFile('/no/such/dir/file', 'x'), ferryCode('HOST_WRITE_FAILED'));
    await host.mkdir('/var/lib/a/b/c');
    assert.equal(await host.exists('/var/lib/a/b/c'), true);
    await assert.rejects(host.rename('/etc/ferry-test.conf', '/etc/secret.conf'), ferryCode('HOST_RENAME_FAILED'));
    await host.rename('/etc/ferry-test.conf', '/etc/moved.conf');
    assert.equal(await host.exists('/etc/moved.conf'), true);
    assert.equal(await host.exists('/etc/ferry-test.conf'), false);
    assert.equal(existsSync('/etc/moved.conf'), false, 'nothing was written outside the root');
    await assert.rejects(new LabHost(labDir, '127.20.0.99').readFile('/etc/hosts'), ferryCode('LAB_HOST_UNKNOWN'));
  });

  test('LabHost.run: argv mapped into the root, cwd = root, stdin, check, timeout, missing program', async () => {
    const host = new LabHost(labDir, '127.20.0.5');
    const root = buildHostRoot(labDir, host.address);
    await host.writeFile('/etc/hello', 'hello from the host\n');
    assert.equal((await host.run(['cat', '/etc/hello'])).stdout, 'hello from the host\n');
    assert.equal((await host.run(['pwd'])).stdout.trim(), root);
    assert.equal((await host.run(['cat'], { stdin: 'piped' })).stdout, 'piped');
    await assert.rejects(host.run(['cat', '/etc/nope']), ferryCode('HOST_COMMAND_FAILED'));
    const failed = await host.run(['false'], { check: false });
    assert.equal(failed.exitCode, 1);
    await assert.rejects(host.run(['sleep', '5'], { timeoutMs: 200 }), ferryCode('HOST_COMMAND_TIMEOUT'));
    const missing = await host.run(['/usr/bin/not-on-this-host'], { check: false });
    assert.equal(missing.exitCode, 127);
    assert.match(missing.stderr, /not-on-this-host: No such file or directory/);
    const health = await host.run(['/usr/sbin/domeos/etcd/current/etcdctl', '--endpoints=http://127.20.0.1:4012', 'endpoint', 'health']);
    assert.match(health.stdout + health.stderr, /is healthy/);
  });

  test('a member killed with SIGKILL is restarted (Restart=on-failure)', async () => {
    const before = await client.state('127.20.0.2', 'etcd');
    assert.equal(before.state, 'active');
    assert.ok(before.pid !== null);
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor('the restarted member', async () => {
      const s = await client.state('127.20.0.2', 'etcd');
      return s.state === 'active' && s.pid !== before.pid ? s : undefined;
    });
    assert.equal(after.restarts, before.restarts + 1);
    assert.deepEqual(after.lastExit, { code: null, signal: 'SIGKILL' });
    await waitFor('member 2 healthy', async () => ((await healthy('http://127.20.0.2:4012')) ? true : undefined));
  });

  test('stop returns once the process has exited; start brings it back; stop of a stopped unit is a no-op', async () => {
    const host = new LabHost(labDir, '127.20.0.1');
    const { pid } = await client.state(host.address, 'etcd');
    assert.ok(pid !== null);
    await host.service('etcd', 'stop');
    assert.equal(readProcessState(pid), 'gone');
    assert.equal(await host.serviceState('etcd'), 'inactive');
    await host.service('etcd', 'stop');
    await host.service('etcd', 'start');
    await host.service('etcd', 'start'); // a no-op when active
    assert.equal(await host.serviceState('etcd'), 'active');
    await waitFor('member 1 healthy', async () => ((await healthy('http://127.20.0.1:4012')) ? true : undefined));
    await host.service('etcd', 'restart');
    assert.equal(await host.serviceState('etcd'), 'active');
    await waitFor('member 1 healthy', async () => ((await healthy('http://127.20.0.1:4012')) ? true : undefined));
    await assert.rejects(new LabHost(labDir, '127.20.0.6').service('etcd', 'stop'), ferryCode('LAB_UNIT_NOT_FOUND'));
  });

  test('a member removed from the cluster exits 0 and stays down', async () => {
    const etcd = new Etcd3({ hosts: ['http://127.20.0.1:4012', 'http://127.20.0.2:4012'] });
    try {
      const { members } = await etcd.cluster.memberList({});
      const id = members.find((m) => m.name === 'domeosEtcd3')?.ID;
      assert.ok(id !== undefined);
      // Right after a member (re)joined, etcd refuses reconfiguration for ~5 s ("unhealthy cluster").
      await waitFor('member remove', async () => (await etcd.cluster.memberRemove({ ID: id }), true), 30_000);
    } finally {
      etcd.close();
    }
    const gone: UnitStatus = await waitFor('member 3 to exit', async () => {
      const s = await client.state('127.20.0.3', 'etcd');
      return s.state === 'inactive' ? s : undefined;
    });
    assert.deepEqual(gone.lastExit, { code: 0, signal: null });
    await sleep(2_500); // longer than RestartSec=1: an on-failure unit must not come back after a clean exit
    const later = await client.state('127.20.0.3', 'etcd');
    assert.equal(later.state, 'inactive');
    assert.equal(later.pid, null);
  });

  test('the supervisor emulates systemd: environment, start limit, stop timeout', async () => {
    const host = new LabHost(labDir, '127.20.0.6');
    const root = buildHostRoot(labDir, host.address);
    await host.mkdir('/usr/bin');
    symlinkSync(process.execPath, join(root, 'usr/bin/node'));
    const unitFile = (service: string): string => `[Unit]\nDescription=test\n\n[Service]\n${service}\n`;
    const logOf = (unit: string): string => readFileSync(join(root, `var/log/${unit}.log`), 'utf8');

    // EnvironmentFile= variables reach ExecStart= ($VAR split, ${VAR} one word) and the process environment.
    await host.writeFile('/etc/sysconfig/envtest', `FOO='a b'\nBAR="x y"\n`);
    const printer = 'console.log(JSON.stringify([process.env.FOO, process.env.BAR, process.env.BAZ, process.argv.slice(1)]))';
    await host.writeFile('/etc/systemd/system/envtest.service', unitFile(`EnvironmentFile=/etc/sysconfig/envtest\nEnvironment=BAZ=1\nExecStart=/usr/bin/node -e "${printer}" $FOO \${BAR}`));
    await host.service('envtest', 'start');
    const done = await waitFor('envtest to exit', async () => {
      const s = await client.state(host.address, 'envtest');
      return s.state === 'inactive' ? s : undefined;
    });
    assert.deepEqual(done.lastExit, { code: 0, signal: null });
    const printed = logOf('envtest').split('\n').find((l) => l.startsWith('["'));
    assert.deepEqual(JSON.parse(printed ?? 'null'), ['a b', 'x y', '1', ['a', 'b', 'x y']]);

    // A unit that keeps failing is restarted until the start limit (5 starts in 10 s), then stays failed.
    await host.writeFile('/lib/systemd/system/crasher.service', unitFile('ExecStart=/usr/bin/node -e "process.exit(3)"\nRestart=on-failure\nRestartSec=100ms'));
    await host.service('crasher', 'start');
    const failed = await waitFor('crasher to hit the start limit', async () => {
      const s = await client.state(host.address, 'crasher');
      return s.state === 'failed' ? s : undefined;
    });
    assert.equal(failed.result, 'start-limit-hit');
    assert.equal(failed.restarts, 4);
    assert.deepEqual(failed.lastExit, { code: 3, signal: null });

    // A process that ignores SIGTERM is killed after TimeoutStopSec=; stop still waits for it.
    const stubborn = "process.on('SIGTERM', () => console.log('ignored')); console.log('up' + '-and-' + 'running'); setInterval(() => {}, 1000)";
    await host.writeFile('/lib/systemd/system/stubborn.service', unitFile(`ExecStart=/usr/bin/node -e "${stubborn}"\nTimeoutStopSec=1`));
    await host.service('stubborn', 'start');
    const { pid } = await client.state(host.address, 'stubborn');
    await waitFor('stubborn to be ready', async () => (logOf('stubborn').includes('up-and-running') ? true : undefined));
    const stopped = await client.stop(host.address, 'stubborn');
    assert.equal(readProcessState(pid ?? 0), 'gone');
    assert.equal(stopped.state, 'failed');
    assert.equal(stopped.result, 'timeout');
    assert.deepEqual(stopped.lastExit, { code: null, signal: 'SIGKILL' });
  });

  test('lab down stops every process and removes the folder', async () => {
    await expectLabGone(labDir);
    assert.equal(existsSync(tmp), true);
  });
});

describe('labs of other sizes and refusals', () => {
  test('a 1-member lab comes up and goes down', async () => {
    const labDir = newLabDir();
    const inv = inventory(labDir, [7]);
    try {
      const state = await startLab({ inventory: inv, inventoryPath: 'x', labDir });
      assert.equal(state.hosts.length, 1);
      assert.equal(await healthy('http://127.20.0.7:4012'), true);
      assert.equal((await readLabSeedCheck(['http://127.20.0.7:4012'])).ok, true);
      // The supervisor dies without stopping its units: lab down still finds and kills the member by pid.
      const { pid } = await new SupervisorClient(labDir).state('127.20.0.7', 'etcd');
      process.kill(state.supervisorPid, 'SIGKILL');
      await waitFor('the supervisor to die', async () => (readProcessState(state.supervisorPid) !== 'running' ? true : undefined));
      assert.equal(readProcessState(pid ?? 0), 'running');
      const down = await stopLab(labDir);
      assert.deepEqual(down.killed, [pid]);
    } finally {
      await expectLabGone(labDir);
    }
  });

  test('a 5-member lab comes up and goes down', async () => {
    const labDir = newLabDir();
    const inv = inventory(labDir, [6, 7, 8, 9, 10], [1]);
    try {
      await startLab({ inventory: inv, inventoryPath: 'x', labDir });
      for (const m of inv.etcd.old) assert.equal(await healthy(m.clientURL), true, m.clientURL);
      assert.equal((await readLabSeedCheck(inv.etcd.old.map((m) => m.clientURL))).ok, true);
    } finally {
      await expectLabGone(labDir);
    }
  });

  test('an inventory with a non-loopback host is refused, nothing created', async () => {
    const labDir = newLabDir();
    const inv = inventory(labDir, [1]);
    const bad: Inventory = { ...inv, etcd: { ...inv.etcd, new: [{ ...member(2), host: '10.0.0.2', clientURL: 'http://10.0.0.2:4012', peerURL: 'http://10.0.0.2:4010' }] } };
    await assert.rejects(startLab({ inventory: bad, inventoryPath: 'x', labDir }), (e: unknown) => ferryCode('LAB_NOT_LOOPBACK')(e) && (e as { exitCode: number }).exitCode === 2);
    assert.equal(existsSync(labDir), false);
  });

  test('an address:port already in use is refused, naming it', async () => {
    const labDir = newLabDir();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(4012, '127.20.0.8', resolve));
    try {
      await assert.rejects(startLab({ inventory: inventory(labDir, [8]), inventoryPath: 'x', labDir }), (e: unknown) => ferryCode('LAB_PORT_IN_USE')(e) && (e as Error).message.includes('127.20.0.8:4012'));
      assert.equal(existsSync(labDir), false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  test('a cluster that cannot start fails lab up with the member logs, and is torn down', async () => {
    const labDir = newLabDir();
    // `false` stands in for etcd: it exits 1 at once, is restarted, and hits the start limit.
    await assert.rejects(
      startLab({ inventory: inventory(labDir, [9]), inventoryPath: 'x', labDir, binaries: { etcd: '/bin/false', etcdctl: '/usr/bin/etcdctl' } }),
      (e: unknown) => ferryCode('LAB_START_FAILED')(e) && /etcd on 127\.20\.0\.9 .* failed/.test((e as Error).message) && (e as Error).message.includes('status=1'),
    );
    assert.equal(existsSync(labDir), false);
    assert.deepEqual(etcdProcessesOf(labDir), []);
  });

  test('lab down when nothing is up is safe', async () => {
    assert.deepEqual(await stopLab(join(tmp, 'never-created')), { found: false, killed: [] });
  });
});
