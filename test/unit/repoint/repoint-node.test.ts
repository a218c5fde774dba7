import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, FerryError } from '../../../src/errors.ts';
import type { Host, RunResult, ServiceAction, ServiceState, WriteFileOptions, WriteFileResult } from '../../../src/ports/host.ts';
import { applyRepoint, buildBackupPath, NODE_FILES, type RepointOptions } from '../../../src/repoint/repoint-node.ts';
import type { WaitReady } from '../../../src/repoint/wait-ready.ts';
import { FLANNELD, KUBE_PROXY, KUBELET, KUBELET_CONFIG, KUBELET_HTTPS } from '../../helpers/domeos-node-files.ts';

/** In-memory files and scripted services. `calls` records every effect in order. */
class FakeHost implements Host {
  readonly address = '127.99.3.1';
  readonly files = new Map<string, Buffer>();
  readonly calls: string[] = [];
  readonly states = new Map<string, ServiceState>();
  /** The state a unit is in after its n-th restart (1-based); default active. */
  afterRestart: (unit: string, n: number) => ServiceState = () => 'active';
  /** Throw from writeFile for this call (n counts writes to that path, 1-based). */
  failWrite: (path: string, n: number) => boolean = () => false;
  private readonly restarts = new Map<string, number>();
  private readonly writes = new Map<string, number>();

  constructor(files: Record<string, string>) {
    for (const [p, t] of Object.entries(files)) this.files.set(p, Buffer.from(t));
  }
  text(path: string): string | undefined {
    return this.files.get(path)?.toString();
  }
  async run(argv: readonly string[]): Promise<RunResult> {
    this.calls.push(`run ${argv.join(' ')}`);
    return { exitCode: 0, stdout: argv[0] === 'hostname' ? 'Fake-Node\n' : '', stderr: '' };
  }
  async readFile(path: string): Promise<Buffer | undefined> {
    const b = this.files.get(path);
    return b === undefined ? undefined : Buffer.from(b);
  }
  async writeFile(path: string, data: string | Buffer, options: WriteFileOptions = {}): Promise<WriteFileResult> {
    const n = (this.writes.get(path) ?? 0) + 1;
    this.writes.set(path, n);
    if (this.failWrite(path, n)) throw new FerryError('HOST_WRITE_FAILED', `${this.address}: cannot write ${path}: disk full`);
    const content = Buffer.from(data);
    const current = this.files.get(path);
    if (current?.equals(content) === true) return { changed: false };
    if (current !== undefined && options.backupPath !== undefined && !this.files.has(options.backupPath)) {
      this.files.set(options.backupPath, Buffer.from(current));
      this.calls.push(`write ${options.backupPath}`);
    }
    this.files.set(path, content);
    this.calls.push(`write ${path}`);
    return { changed: true };
  }
  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }
  async mkdir(): Promise<void> {}
  async rename(): Promise<void> {}
  /** Units that refuse `restart` until `reset-failed` (systemd's start limit after repeated crashes). */
  readonly startLimited = new Set<string>();
  async service(unit: string, action: ServiceAction): Promise<void> {
    this.calls.push(`${action} ${unit}`);
    if (action === 'reset-failed') {
      this.startLimited.delete(unit);
      if (this.states.get(unit) === 'failed') this.states.set(unit, 'inactive');
      return;
    }
    if (this.startLimited.has(unit)) throw new FerryError('HOST_COMMAND_FAILED', `systemctl exited with code 1 on ${this.address}:\nJob for ${unit}.service failed. Start request repeated too quickly.`);
    const n = (this.restarts.get(unit) ?? 0) + 1;
    this.restarts.set(unit, n);
    this.states.set(unit, this.afterRestart(unit, n));
  }
  async serviceState(unit: string): Promise<ServiceState> {
    return this.states.get(unit) ?? 'active';
  }
  async reloadUnits(): Promise<void> {}
  async close(): Promise<void> {}
}

const NODE_FILES_OLD = { [NODE_FILES.kubelet]: KUBELET, [NODE_FILES.kubeProxy]: KUBE_PROXY, [NODE_FILES.flanneld]: FLANNELD };
const MASTER = 'http://10.17.33.20:8080';
const ETCD = ['10.17.33.21:4012', '10.17.33.22:4012', '10.17.33.23:4012'];
const BACKUPS = '/var/lib/ferry/node-backup';

function setup(files: Record<string, string> = NODE_FILES_OLD, waitReady?: WaitReady) {
  const host = new FakeHost(files);
  const lines: string[] = [];
  const readyCalls: string[] = [];
  const opts = (o: Partial<RepointOptions>): RepointOptions => ({
    backupDir: BACKUPS,
    waitReady:
      waitReady ??
      (async (node, master) => {
        readyCalls.push(`${node}@${master}`);
      }),
    log: (l) => lines.push(l),
    serviceSettleMs: 0,
    sleep: async () => {},
    ...o,
  });
  const restarts = () => host.calls.filter((c) => c.startsWith('restart '));
  const writes = () => host.calls.filter((c) => c.startsWith('write '));
  return { host, lines, readyCalls, opts, restarts, writes };
}

const rolledBack = (err: unknown) => err instanceof FerryError && err.code === 'NODE_UPDATE_ROLLED_BACK' && err.exitCode === ExitCode.failedRolledBack;

describe('applyRepoint', () => {
  test('success: values rewritten, backups first, restarts flanneld → kubelet → kube-proxy, Ready checked on the new master', async () => {
    const { host, lines, readyCalls, opts, restarts, writes } = setup();
    const result = await applyRepoint(host, opts({ master: MASTER, etcd: ETCD }));
    assert.equal(host.text(NODE_FILES.kubelet), KUBELET.replace('http://10.17.33.30:8080', MASTER));
    assert.equal(host.text(NODE_FILES.kubeProxy), KUBE_PROXY.replace('http://10.17.33.30:8080', MASTER));
    assert.equal(host.text(NODE_FILES.flanneld), FLANNELD.replace(/^FLANNEL_ETCD=".*"$/m, `FLANNEL_ETCD="${ETCD.map((e) => `http://${e}`).join(',')}"`));
    for (const [path, text] of Object.entries(NODE_FILES_OLD)) assert.equal(host.text(buildBackupPath(BACKUPS, path)), text);
    assert.deepEqual(writes(), [
      `write ${BACKUPS}/etc_sysconfig_kubelet`,
      `write ${BACKUPS}/etc_sysconfig_kube-proxy`,
      `write ${BACKUPS}/etc_sysconfig_flanneld`,
      `write ${NODE_FILES.kubelet}`,
      `write ${NODE_FILES.kubeProxy}`,
      `write ${NODE_FILES.flanneld}`,
    ]);
    assert.deepEqual(restarts(), ['restart flanneld', 'restart kubelet', 'restart kube-proxy']);
    assert.deepEqual(readyCalls, [`l-33-39@${MASTER}`]);
    assert.deepEqual(result.changed, [NODE_FILES.kubelet, NODE_FILES.kubeProxy, NODE_FILES.flanneld]);
    assert.deepEqual(result.restarted, ['flanneld', 'kubelet', 'kube-proxy']);
    assert.equal(result.alreadyUpToDate, false);
    assert.equal(result.node, 'l-33-39');
    assert.ok(lines.some((l) => l.includes('API_SERVERS') && l.includes('10.17.33.30') && l.includes('10.17.33.20')), 'prints old → new');
    assert.ok(!lines.includes('Rollback finished'));
  });

  test('a second run changes nothing, restarts nothing, and still checks Ready', async () => {
    const { host, readyCalls, opts, restarts, writes } = setup();
    await applyRepoint(host, opts({ master: MASTER, etcd: ETCD }));
    host.calls.length = 0;
    const again = await applyRepoint(host, opts({ master: MASTER, etcd: ETCD }));
    assert.deepEqual([writes(), restarts()], [[], []]);
    assert.deepEqual([again.alreadyUpToDate, again.changed, again.restarted], [true, [], []]);
    assert.equal(readyCalls.length, 2);
  });

  test('master only: flanneld untouched; etcd only: only flanneld, checked on the current master', async () => {
    const m = setup();
    await applyRepoint(m.host, m.opts({ master: MASTER }));
    assert.equal(m.host.text(NODE_FILES.flanneld), FLANNELD);
    assert.deepEqual(m.restarts(), ['restart kubelet', 'restart kube-proxy']);
    const e = setup();
    await applyRepoint(e.host, e.opts({ etcd: ETCD }));
    assert.deepEqual([e.host.text(NODE_FILES.kubelet), e.host.text(NODE_FILES.kubeProxy)], [KUBELET, KUBE_PROXY]);
    assert.deepEqual(e.restarts(), ['restart flanneld']);
    assert.deepEqual(e.readyCalls, ['l-33-39@http://10.17.33.30:8080']);
  });

  test('https master: kubelet.config is backed up and rewritten too; the node name falls back to `hostname`', async () => {
    const files = { ...NODE_FILES_OLD, [NODE_FILES.kubelet]: KUBELET_HTTPS.replace(/^HOSTNAME_OVERRIDE=.*\n/m, ''), [NODE_FILES.kubeletConfig]: KUBELET_CONFIG };
    const { host, readyCalls, opts } = setup(files);
    const r = await applyRepoint(host, opts({ master: 'https://10.17.33.20:6443' }));
    assert.equal(host.text(NODE_FILES.kubeletConfig), KUBELET_CONFIG.replace('https://10.17.33.30:6443', 'https://10.17.33.20:6443'));
    assert.equal(host.text(buildBackupPath(BACKUPS, NODE_FILES.kubeletConfig)), KUBELET_CONFIG);
    assert.ok(r.changed.includes(NODE_FILES.kubeletConfig));
    assert.deepEqual(readyCalls, ['fake-node@https://10.17.33.20:6443']);
  });

  test('not Ready: files restored byte for byte, services restarted, `Rollback finished`, NODE_UPDATE_ROLLED_BACK', async () => {
    const crlf = { ...NODE_FILES_OLD, [NODE_FILES.kubeProxy]: KUBE_PROXY.replace(/\n/g, '\r\n') + '# trailing, no newline' };
    const notReady = new FerryError('NODE_NOT_READY', 'node l-33-39 is not Ready', { hint: 'look at the kubelet' });
    const { host, lines, opts, restarts } = setup(crlf, async () => {
      throw notReady;
    });
    await assert.rejects(applyRepoint(host, opts({ master: MASTER, etcd: ETCD })), (err: unknown) => {
      assert.ok(rolledBack(err));
      assert.equal((err as FerryError).cause, notReady);
      return true;
    });
    for (const [path, text] of Object.entries(crlf)) assert.ok(host.files.get(path)?.equals(Buffer.from(text)), `${path} restored byte for byte`);
    assert.deepEqual(restarts(), ['restart flanneld', 'restart kubelet', 'restart kube-proxy', 'restart flanneld', 'restart kubelet', 'restart kube-proxy']);
    assert.equal(lines.at(-1), 'Rollback finished');
  });

  test('a unit that does not come up: rollback restarts only what was restarted', async () => {
    const { host, lines, opts, restarts } = setup();
    host.afterRestart = (unit, n) => (unit === 'kubelet' && n === 1 ? 'failed' : 'active');
    await assert.rejects(applyRepoint(host, opts({ master: MASTER, etcd: ETCD })), (err: unknown) => rolledBack(err) && /kubelet is failed/.test((err as Error).message));
    assert.deepEqual(restarts(), ['restart flanneld', 'restart kubelet', 'restart flanneld', 'restart kubelet']);
    assert.equal(host.text(NODE_FILES.kubelet), KUBELET);
    assert.ok(lines.includes('Rollback finished'));
  });

  test('a unit that crashed into its start limit: the rollback resets it before restarting it', async () => {
    const { host, lines, opts, restarts } = setup();
    host.afterRestart = (unit, n) => {
      if (unit === 'kubelet' && n === 1) host.startLimited.add('kubelet');
      return unit === 'kubelet' && n === 1 ? 'failed' : 'active';
    };
    await assert.rejects(applyRepoint(host, opts({ master: MASTER })), rolledBack);
    assert.deepEqual(host.calls.filter((c) => c.endsWith(' kubelet')), ['restart kubelet', 'reset-failed kubelet', 'restart kubelet']);
    assert.deepEqual(restarts(), ['restart kubelet', 'restart kubelet']);
    assert.equal(host.text(NODE_FILES.kubelet), KUBELET);
    assert.ok(lines.includes('Rollback finished'));
  });

  test('a unit already failed before the update is reset before its restart', async () => {
    const { host, opts } = setup();
    host.states.set('kubelet', 'failed');
    host.startLimited.add('kubelet');
    const r = await applyRepoint(host, opts({ master: MASTER }));
    assert.deepEqual(r.restarted, ['kubelet', 'kube-proxy']);
    assert.deepEqual(host.calls.filter((c) => c.endsWith(' kubelet')), ['reset-failed kubelet', 'restart kubelet']);
  });

  test('a write that fails half-way: the files already written are restored, nothing restarted', async () => {
    const { host, opts, restarts } = setup();
    host.failWrite = (path) => path === NODE_FILES.kubeProxy;
    await assert.rejects(applyRepoint(host, opts({ master: MASTER })), rolledBack);
    assert.deepEqual([host.text(NODE_FILES.kubelet), host.text(NODE_FILES.kubeProxy), restarts()], [KUBELET, KUBE_PROXY, []]);
  });

  test('a unit that was already down before ferry started may stay down after the rollback', async () => {
    const { host, lines, opts } = setup(NODE_FILES_OLD, async () => {
      throw new FerryError('NODE_NOT_READY', 'not ready');
    });
    host.states.set('flanneld', 'failed'); // the old etcd it points at is gone
    host.afterRestart = (unit, n) => (unit === 'flanneld' && n === 2 ? 'failed' : 'active');
    await assert.rejects(applyRepoint(host, opts({ etcd: ETCD })), rolledBack);
    assert.ok(lines.includes('Rollback finished'));
  });

  test('the restore itself fails: NODE_ROLLBACK_FAILED (exit 3) naming the file and its backup', async () => {
    const { host, lines, opts } = setup(NODE_FILES_OLD, async () => {
      throw new FerryError('NODE_NOT_READY', 'not ready');
    });
    host.failWrite = (path, n) => path === NODE_FILES.kubelet && n === 2;
    await assert.rejects(applyRepoint(host, opts({ master: MASTER, etcd: ETCD })), (err: unknown) => {
      assert.ok(err instanceof FerryError);
      assert.equal(err.code, 'NODE_ROLLBACK_FAILED');
      assert.equal(err.exitCode, ExitCode.rollbackFailed);
      assert.match(err.message, /\/etc\/sysconfig\/kubelet/);
      assert.match(err.hint ?? '', /cp -p \/var\/lib\/ferry\/node-backup\/etc_sysconfig_kubelet \/etc\/sysconfig\/kubelet/);
      return true;
    });
    assert.ok(!lines.includes('Rollback finished'));
    assert.equal(host.text(NODE_FILES.kubeProxy), KUBE_PROXY, 'the other files are still restored');
  });

  test('bad input touches nothing (exit 2)', async () => {
    for (const o of [{}, { master: '10.17.33.20:8080' }, { etcd: ['nope'] }]) {
      const { host, opts } = setup();
      await assert.rejects(applyRepoint(host, opts(o)), (err: unknown) => err instanceof FerryError && err.exitCode === ExitCode.badInput);
      assert.deepEqual(host.calls, []);
    }
  });

  test('an existing backup from an earlier run is kept; rollback still restores this run’s starting bytes', async () => {
    const older = KUBELET.replace('10.17.33.30', '10.17.33.99');
    const { host, lines, opts } = setup({ ...NODE_FILES_OLD, [buildBackupPath(BACKUPS, NODE_FILES.kubelet)]: older }, async () => {
      throw new FerryError('NODE_NOT_READY', 'not ready');
    });
    await assert.rejects(applyRepoint(host, opts({ master: MASTER })), rolledBack);
    assert.equal(host.text(buildBackupPath(BACKUPS, NODE_FILES.kubelet)), older);
    assert.equal(host.text(NODE_FILES.kubelet), KUBELET);
    assert.ok(lines.some((l) => l.startsWith('kept the existing backup')));
  });
});
