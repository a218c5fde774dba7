/**
 * SshHost against a real OpenSSH sshd on 127.18.0.2:22622 (this file's own address), with fresh keys in a temp dir.
 * A fake `systemctl` first on the session PATH (sshd_config SetEnv) records its argv, so the service methods are
 * checked without systemd.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SshHost } from '../../src/adapters/hosts/ssh.ts';
import type { SshHostOptions } from '../../src/adapters/hosts/ssh.ts';
import type { RunOptions } from '../../src/ports/host.ts';
import { FerryError } from '../../src/errors.ts';
import { computeFingerprint } from '../../src/adapters/hosts/known-hosts.ts';
import { isGone, knownHostsLine as knownHostsAt, prepareSshdFolder, startSshd, stopSshd } from '../helpers/sshd.ts';
import { recordReliability } from '../helpers/reliability.ts';

const ADDRESS = '127.18.0.2';
const PORT = 22622;
const CLOSED_PORT = 22623;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-ssh-host-'));
const file = (name: string): string => path.join(dir, name);
let sshd: ChildProcess | undefined;
const hosts: SshHost[] = [];

function sh(cmd: string, args: string[]): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(result.status, 0, `${cmd} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** `[127.18.0.2]:22622 ssh-ed25519 AAAA…` for the public key in `pubFile`. */
function knownHostsLine(pubFile: string, marker = ''): string {
  return knownHostsAt(file(pubFile), ADDRESS, PORT, marker);
}

function options(overrides: Partial<SshHostOptions> = {}): SshHostOptions {
  return {
    address: ADDRESS, port: PORT, user: 'root', keyFile: file('client'), knownHostsFile: file('known_hosts'),
    connectTimeoutMs: 10_000, ...overrides,
  };
}

async function connect(overrides: Partial<SshHostOptions> = {}): Promise<SshHost> {
  const host = await SshHost.connect(options(overrides));
  hosts.push(host);
  return host;
}

async function assertFerryError(promise: Promise<unknown>, code: string): Promise<FerryError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof FerryError, `expected FerryError ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

before(async () => {
  prepareSshdFolder(dir, { address: ADDRESS, port: PORT, extraKeys: ['otherhostkey', 'otherclient'] });
  // The fake systemctl logs its argv (one line, words joined by |) and reports `failed` for units named failing*.
  fs.writeFileSync(file('bin/systemctl'), [
    '#!/bin/sh',
    `printf '%s|' "$@" >> '${file('systemctl.calls')}'`,
    `echo >> '${file('systemctl.calls')}'`,
    'if [ "$1" = is-active ]; then',
    '  case "$2" in failing*) echo failed; exit 3;; esac',
    '  echo active',
    'fi',
  ].join('\n') + '\n', { mode: 0o755 });
  sshd = await startSshd(file('sshd_config'));
});

after(async () => {
  await Promise.allSettled(hosts.map((h) => h.close()));
  try {
    assert.deepEqual(await stopSshd(sshd), [], 'sshd session processes still running');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('SshHost.run', () => {
  test('returns stdout, stderr and the exit code; check=false keeps a failure as a result', async () => {
    const host = await connect();
    const result = await host.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { check: false });
    assert.deepEqual(result, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  test('a non-zero exit throws HOST_COMMAND_FAILED with the program, code and stderr tail', async () => {
    const host = await connect();
    const script = 'for i in $(seq 1 30); do echo line$i >&2; done; exit 4';
    const err = await assertFerryError(host.run(['sh', '-c', script]), 'HOST_COMMAND_FAILED');
    assert.match(err.message, /^sh exited with code 4 on 127\.18\.0\.2:/);
    assert.match(err.message, /line30$/);
    assert.match(err.message, /line11\n/);
    assert.doesNotMatch(err.message, /line10\n/);
  });

  test('a command killed by a signal reports 128 + the signal number', async () => {
    const host = await connect();
    const result = await host.run(['sh', '-c', 'kill -9 $$'], { check: false });
    assert.equal(result.exitCode, 137);
    assert.match(result.stderr, /\[killed by signal SIGKILL\]\n$/);
  });

  test('stdin reaches the command, and argv words arrive intact', async () => {
    const host = await connect();
    assert.equal((await host.run(['cat'], { stdin: 'hello\nworld' })).stdout, 'hello\nworld');
    assert.equal((await host.run(['cat'])).stdout, '', 'no stdin: EOF right away');
    const words = ['a b', "it's", '"dq"', '$HOME', '`id`', '$(id)', 'back\\slash', 'new\nline', '*', '日本 ✓', '', '-n'];
    const result = await host.run(['printf', '%s\\0', ...words]);
    assert.deepEqual(result.stdout.split('\0').slice(0, -1), words);
  });

  /**
   * Runs `sleep 30` (writing its pid to a file first), expects `code`, and checks the sleep was killed on the host.
   * The timeout is generous and the abort waits for the pid file: on a loaded machine an exec over SSH can take longer
   * than half a second to start, and a command cancelled before it ran proves nothing about killing it.
   */
  async function assertKilled(host: SshHost, name: string, code: string): Promise<void> {
    const pidFile = file(`${name}.pid`);
    const controller = new AbortController();
    const runOptions: RunOptions = code === 'HOST_COMMAND_TIMEOUT' ? { timeoutMs: 4000 } : { signal: controller.signal };
    const watcher = (async () => {
      while (!controller.signal.aborted && !fs.existsSync(pidFile)) await sleep(50);
      if (code === 'HOST_COMMAND_ABORTED') controller.abort();
    })();
    try {
      await assertFerryError(host.run(['sh', '-c', 'echo $$ > "$1"; exec sleep 30', 'sh', pidFile], runOptions), code);
    } finally {
      if (!controller.signal.aborted) controller.abort();
      await watcher;
    }
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 50 && !isGone(pid); i++) await sleep(100);
    assert.equal(isGone(pid), true, `the remote sleep (pid ${pid}) is still running`);
  }

  test('a command over its timeout throws HOST_COMMAND_TIMEOUT, is killed on the host, and the connection stays usable', async () => {
    const host = await connect();
    await assertKilled(host, 'timeout', 'HOST_COMMAND_TIMEOUT');
    assert.equal((await host.run(['echo', 'still here'])).stdout, 'still here\n');
  });

  test('an abort signal cancels a command and kills it on the host', async () => {
    const host = await connect();
    await assertKilled(host, 'abort', 'HOST_COMMAND_ABORTED');
  });
});

describe('SshHost files', () => {
  test('readFile of a missing file is undefined; exists and mkdir', async () => {
    const host = await connect();
    assert.equal(await host.readFile(file('nope')), undefined);
    assert.equal(await host.exists(file('nope')), false);
    await host.mkdir(file('a/b/c'), 0o750);
    await host.mkdir(file('a/b/c'));
    assert.equal(await host.exists(file('a/b/c')), true);
    assert.equal(fs.statSync(file('a/b/c')).mode & 0o7777, 0o750);
  });

  test('writeFile is atomic, keeps the mode, backs up once and skips identical content', async () => {
    const host = await connect();
    const target = file('etc/sysconfig/etcd');
    const backup = file('backup/run1/etcd');
    await host.mkdir(path.dirname(target));

    assert.deepEqual(await host.writeFile(target, 'v1\n', { mode: 0o640, backupPath: backup }), { changed: true });
    assert.equal(fs.existsSync(backup), false, 'no backup of a file that did not exist');
    assert.equal(fs.statSync(target).mode & 0o7777, 0o640);

    fs.chmodSync(target, 0o600);
    const old = Buffer.from([0, 1, 2, 255, 10]);
    fs.writeFileSync(target, old);
    assert.deepEqual(await host.writeFile(target, 'v2\n', { mode: 0o644, backupPath: backup }), { changed: true, backupPath: backup });
    assert.deepEqual(fs.readFileSync(backup), old);
    assert.equal(fs.statSync(backup).mode & 0o7777, 0o600, 'the backup is as private as the original');
    assert.equal(fs.readFileSync(target, 'utf8'), 'v2\n');
    assert.equal(fs.statSync(target).mode & 0o7777, 0o600, 'the existing mode wins over options.mode');
    assert.deepEqual((await host.readFile(target))?.toString(), 'v2\n');

    const backup2 = file('backup/run2/etcd');
    assert.deepEqual(await host.writeFile(target, Buffer.from('v2\n'), { backupPath: backup2 }), { changed: false });
    assert.equal(fs.existsSync(backup2), false, 'identical content: nothing written, no backup');

    assert.deepEqual(await host.writeFile(target, 'v3\n', { backupPath: backup }), { changed: true });
    assert.deepEqual(fs.readFileSync(backup), old, 'an existing backup is never overwritten');
    assert.equal(fs.readFileSync(target, 'utf8'), 'v3\n');
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['etcd'], 'no temp files left behind');
  });

  test('writeFile through a symlink replaces the file it points to', async () => {
    const host = await connect();
    fs.writeFileSync(file('real.conf'), 'old');
    fs.symlinkSync(file('real.conf'), file('link.conf'));
    assert.deepEqual(await host.writeFile(file('link.conf'), 'new'), { changed: true });
    assert.equal(fs.lstatSync(file('link.conf')).isSymbolicLink(), true);
    assert.equal(fs.readFileSync(file('real.conf'), 'utf8'), 'new');
  });

  test('rename moves a file and refuses an existing target', async () => {
    const host = await connect();
    fs.writeFileSync(file('from'), 'from');
    fs.writeFileSync(file('to'), 'to');
    await assertFerryError(host.rename(file('from'), file('to')), 'HOST_RENAME_TARGET_EXISTS');
    assert.equal(fs.readFileSync(file('to'), 'utf8'), 'to');
    await host.rename(file('from'), file('moved'));
    assert.equal(fs.readFileSync(file('moved'), 'utf8'), 'from');
    assert.equal(fs.existsSync(file('from')), false);
  });
});

describe('SshHost services', () => {
  test('service, serviceState and reloadUnits call systemctl with the right argv', async () => {
    const host = await connect();
    fs.rmSync(file('systemctl.calls'), { force: true });
    await host.service('etcd.service', 'restart');
    assert.equal(await host.serviceState('etcd.service'), 'active');
    assert.equal(await host.serviceState('failing.service'), 'failed');
    await host.reloadUnits();
    assert.deepEqual(fs.readFileSync(file('systemctl.calls'), 'utf8').split('\n'), [
      'restart|etcd.service|', 'is-active|etcd.service|', 'is-active|failing.service|', 'daemon-reload|', '',
    ]);
  });
});

describe('SshHost.connect', () => {
  const fingerprint = (): string => computeFingerprint(Buffer.from(fs.readFileSync(file('hostkey.pub'), 'utf8').split(' ')[1] ?? '', 'base64'));

  test('an unknown host key is refused, with the fingerprint and a keyscan hint that works', async () => {
    fs.writeFileSync(file('kh_empty'), '');
    const err = await assertFerryError(connect({ knownHostsFile: file('kh_empty') }), 'HOST_KEY_UNKNOWN');
    assert.ok(err.message.includes(fingerprint()), err.message);
    assert.match(err.hint ?? '', /ssh-keyscan -p 22622 -t ssh-ed25519 127\.18\.0\.2 >> /);
    await assertFerryError(connect({ knownHostsFile: file('kh_missing') }), 'HOST_KEY_UNKNOWN');

    fs.writeFileSync(file('kh_scanned'), sh('ssh-keyscan', ['-p', String(PORT), '-t', 'ssh-ed25519', ADDRESS]));
    const host = await connect({ knownHostsFile: file('kh_scanned') });
    assert.equal((await host.run(['true'])).exitCode, 0);
    recordReliability('security', { case: 'SSH: unknown host key refused', outcome: 'HOST_KEY_UNKNOWN (empty or missing known_hosts), with the fingerprint and an ssh-keyscan hint; accepted once scanned', errorCode: 'HOST_KEY_UNKNOWN' });
  });

  test('a different key in known_hosts is HOST_KEY_MISMATCH', async () => {
    fs.writeFileSync(file('kh_other'), knownHostsLine('otherhostkey.pub'));
    const err = await assertFerryError(connect({ knownHostsFile: file('kh_other') }), 'HOST_KEY_MISMATCH');
    assert.ok(err.message.includes(fingerprint()));
    assert.match(err.hint ?? '', /man-in-the-middle/);
    recordReliability('security', { case: 'SSH: changed host key refused', outcome: 'HOST_KEY_MISMATCH, naming the offered fingerprint and warning of a man-in-the-middle', errorCode: 'HOST_KEY_MISMATCH' });
  });

  test('a hashed known_hosts entry is accepted; a revoked key is refused', async () => {
    fs.writeFileSync(file('kh_hashed'), knownHostsLine('hostkey.pub'));
    sh('ssh-keygen', ['-H', '-f', file('kh_hashed')]);
    assert.match(fs.readFileSync(file('kh_hashed'), 'utf8'), /^\|1\|/);
    const host = await connect({ knownHostsFile: file('kh_hashed') });
    assert.equal((await host.run(['echo', 'ok'])).stdout, 'ok\n');

    fs.writeFileSync(file('kh_revoked'), knownHostsLine('hostkey.pub') + knownHostsLine('hostkey.pub', '@revoked '));
    await assertFerryError(connect({ knownHostsFile: file('kh_revoked') }), 'HOST_KEY_REVOKED');
    recordReliability('security', { case: 'SSH: hashed known_hosts accepted, revoked key refused', outcome: 'hashed entry accepted; HOST_KEY_REVOKED', errorCode: 'HOST_KEY_REVOKED' });
  });

  test('a key the server does not accept is HOST_AUTH_FAILED; an unusable key file is HOST_KEY_FILE', async () => {
    await assertFerryError(connect({ keyFile: file('otherclient') }), 'HOST_AUTH_FAILED');
    await assertFerryError(connect({ keyFile: file('no-such-key') }), 'HOST_KEY_FILE');
    fs.writeFileSync(file('not-a-key'), 'top-secret-value\n');
    const err = await assertFerryError(connect({ keyFile: file('not-a-key') }), 'HOST_KEY_FILE');
    assert.doesNotMatch(`${err.message} ${err.hint ?? ''}`, /top-secret-value/);
  });

  test('a closed port is HOST_UNREACHABLE and retryable', async () => {
    const err = await assertFerryError(connect({ port: CLOSED_PORT }), 'HOST_UNREACHABLE');
    assert.equal(err.retryable, true);
  });

  test('a closed SshHost refuses further use', async () => {
    const host = await connect();
    await host.close();
    await host.close();
    await assertFerryError(host.run(['true']), 'HOST_CLOSED');
  });
});
