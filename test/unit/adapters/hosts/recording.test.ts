import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../../src/errors.ts';
import type { Host, RunOptions, RunResult, ServiceAction, WriteFileOptions, WriteFileResult } from '../../../../src/ports/host.ts';
import { parseExitCode, RecordingHost } from '../../../../src/adapters/hosts/recording.ts';
import type { CommandRecord } from '../../../../src/adapters/hosts/recording.ts';
import { withCommandRecorder } from '../../../../src/app/recordings.ts';
import type { Deps } from '../../../../src/ports/deps.ts';

/** A host that answers from a script and remembers what it was asked, advancing a fake clock by 7 ms per call. */
class FakeHost implements Host {
  calls: string[] = [];
  constructor(
    readonly address: string,
    private readonly clock: { t: number },
  ) {}
  private tick(call: string): void {
    this.calls.push(call);
    this.clock.t += 7;
  }
  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.tick(`run ${argv.join(' ')} stdin=${String(options?.stdin ?? '')}`);
    if (argv[0] === 'false') throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: \`false\` exited with code 3: SECRET-STDERR`, { subjects: { host: this.address } });
    return { exitCode: argv[0] === 'grep' ? 1 : 0, stdout: 'SECRET-STDOUT', stderr: '' };
  }
  async readFile(path: string): Promise<Buffer | undefined> {
    this.tick(`read ${path}`);
    return Buffer.from('SECRET-FILE');
  }
  async writeFile(path: string, data: string | Buffer, options?: WriteFileOptions): Promise<WriteFileResult> {
    this.tick(`write ${path} ${String(data)}`);
    return options?.backupPath !== undefined ? { changed: true, backupPath: options.backupPath } : { changed: false };
  }
  async exists(): Promise<boolean> {
    this.tick('exists');
    return true;
  }
  async mkdir(path: string): Promise<void> {
    this.tick(`mkdir ${path}`);
  }
  async rename(from: string, to: string): Promise<void> {
    this.tick(`rename ${from} ${to}`);
  }
  async service(unit: string, action: ServiceAction): Promise<void> {
    this.tick(`service ${unit} ${action}`);
    if (unit === 'broken') throw new FerryError('HOST_SERVICE_FAILED', 'nope');
  }
  async serviceState(): Promise<'active'> {
    this.tick('state');
    return 'active';
  }
  async reloadUnits(): Promise<void> {
    this.tick('reload');
  }
  async close(): Promise<void> {
    this.tick('close');
  }
}

function recorded(): { host: RecordingHost; inner: FakeHost; records: CommandRecord[] } {
  const clock = { t: 1000 };
  const inner = new FakeHost('10.0.0.5', clock);
  const records: CommandRecord[] = [];
  return { host: new RecordingHost(inner, (r) => records.push(r), () => clock.t), inner, records };
}

describe('RecordingHost', () => {
  test('records argv, exit code and duration of each command; returns what the host returned', async () => {
    const { host, records } = recorded();
    const r = await host.run(['etcdctl', 'member', 'list'], { stdin: 'SECRET-STDIN' });
    assert.equal(r.stdout, 'SECRET-STDOUT');
    await host.run(['grep', '-q', 'x', '/etc/hosts'], { check: false });
    assert.deepEqual(records, [
      { t: 1000, host: '10.0.0.5', kind: 'run', argv: ['etcdctl', 'member', 'list'], exitCode: 0, durationMs: 7 },
      { t: 1007, host: '10.0.0.5', kind: 'run', argv: ['grep', '-q', 'x', '/etc/hosts'], exitCode: 1, durationMs: 7 },
    ]);
  });

  test('a failed command is recorded with its exit code and error code, and the error is thrown unchanged', async () => {
    const { host, records } = recorded();
    await assert.rejects(host.run(['false']), (err: unknown) => err instanceof FerryError && err.code === 'HOST_COMMAND_FAILED' && err.message.includes('SECRET-STDERR'));
    assert.deepEqual(records, [{ t: 1000, host: '10.0.0.5', kind: 'run', argv: ['false'], error: 'HOST_COMMAND_FAILED', exitCode: 3, durationMs: 7 }]);
    await assert.rejects(host.service('broken', 'start'));
    assert.equal(records[1]?.error, 'HOST_SERVICE_FAILED');
    assert.equal(records[1]?.exitCode, undefined);
  });

  test('service actions, file writes (path and backup), renames, folders and daemon-reload are recorded', async () => {
    const { host, records } = recorded();
    await host.service('kube-apiserver', 'stop');
    await host.writeFile('/etc/sysconfig/kubelet', 'KUBELET_ARGS=SECRET-CONTENT', { backupPath: '/var/lib/ferry/backups/r/kubelet' });
    await host.writeFile('/etc/sysconfig/flanneld', Buffer.from('SECRET-CONTENT'));
    await host.rename('/var/lib/etcd', '/var/lib/etcd.archived');
    await host.mkdir('/var/lib/ferry/backups/r');
    await host.reloadUnits();
    assert.deepEqual(
      records.map(({ t: _t, durationMs: _d, host: _h, ...rest }) => rest),
      [
        { kind: 'service', service: 'kube-apiserver', action: 'stop' },
        { kind: 'write-file', path: '/etc/sysconfig/kubelet', changed: true, backup: '/var/lib/ferry/backups/r/kubelet' },
        { kind: 'write-file', path: '/etc/sysconfig/flanneld', changed: false },
        { kind: 'rename', path: '/var/lib/etcd', to: '/var/lib/etcd.archived' },
        { kind: 'mkdir', path: '/var/lib/ferry/backups/r' },
        { kind: 'reload-units' },
      ],
    );
  });

  test('never records stdin, output, file contents or error messages; reads are delegated, not recorded', async () => {
    const { host, inner, records } = recorded();
    await host.run(['sh', '-c', 'cat > /x'], { stdin: 'SECRET-STDIN' });
    await host.writeFile('/etc/x', 'SECRET-CONTENT');
    await host.run(['false']).catch(() => undefined);
    assert.equal((await host.readFile('/etc/x'))?.toString(), 'SECRET-FILE');
    assert.equal(await host.exists('/etc/x'), true);
    assert.equal(await host.serviceState('etcd'), 'active');
    await host.close();
    assert.equal(host.address, '10.0.0.5');
    assert.equal(records.length, 3);
    assert.ok(!JSON.stringify(records).includes('SECRET'), JSON.stringify(records));
    assert.ok(inner.calls.includes('run sh -c cat > /x stdin=SECRET-STDIN'), 'stdin still reaches the host');
    assert.ok(inner.calls.includes('close'));
  });

  test('a sink that throws does not fail the action', async () => {
    const clock = { t: 0 };
    const host = new RecordingHost(new FakeHost('h', clock), () => {
      throw new Error('disk full');
    });
    assert.equal((await host.run(['true'])).exitCode, 0);
  });

  test('parseExitCode reads the exit code every adapter puts in HOST_COMMAND_FAILED', () => {
    assert.equal(parseExitCode(new FerryError('HOST_COMMAND_FAILED', 'etcdctl exited with code 2 on 10.0.0.1:\nboom')), 2);
    assert.equal(parseExitCode(new FerryError('HOST_COMMAND_FAILED', '10.0.0.1: empty command')), undefined);
    assert.equal(parseExitCode(new FerryError('HOST_COMMAND_TIMEOUT', 'exited with code 2')), undefined);
    assert.equal(parseExitCode(new Error('exited with code 2')), undefined);
  });
});

describe('withCommandRecorder', () => {
  test('hosts from the wrapped deps record; the same host object per host; every other member is the original', async () => {
    const clock = { t: 0 };
    const hosts = new Map<string, FakeHost>();
    const base = {
      etcd: { marker: 'etcd' },
      now: () => 42,
      async host(address: string) {
        let h = hosts.get(address);
        if (h === undefined) {
          h = new FakeHost(address, clock);
          hosts.set(address, h);
        }
        return h;
      },
    } as unknown as Deps;
    const records: CommandRecord[] = [];
    const deps = withCommandRecorder(base, (r) => records.push(r));
    const a = await deps.host('10.0.0.1');
    assert.equal(await deps.host('10.0.0.1'), a);
    assert.notEqual(await deps.host('10.0.0.2'), a);
    await a.service('etcd', 'start');
    assert.deepEqual(records.map((r) => [r.host, r.service, r.action]), [['10.0.0.1', 'etcd', 'start']]);
    assert.equal(deps.etcd, base.etcd);
    assert.equal(deps.now(), 42);
    assert.equal({ ...deps }.now, base.now, 'a spread copy still has the members');
  });
});
