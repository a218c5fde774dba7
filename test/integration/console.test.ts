/**
 * ferry's DomeOS console adapter (src/adapters/console/domeos.ts) against the lab's DomeOS server stand-in
 * (lab-bin/domeos-server). This file owns 127.29.0.10:8080. The stand-in runs four times in turn, one process at
 * a time: the main flow (default stop delay), then on the same state file with a short session TTL and a slow
 * watcher stop, then on a fresh state file with no watcher, then on another with an instant stop (error codes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../../src/errors.ts';
import { DomeosConsole, buildApiField, buildEtcdField, buildWatcherConf } from '../../src/adapters/console/domeos.ts';

const LISTEN = '127.29.0.10:8080';
const BASE = `http://${LISTEN}`;
const SHIM = join(fileURLToPath(new URL('../..', import.meta.url)), 'lab-bin/domeos-server');
const ADMIN = { username: 'admin', password: 'admin' };
const NEW_API = buildApiField('http://10.17.33.20:8080');
const NEW_ETCD = buildEtcdField(['http://10.17.33.21:4012', 'http://10.17.33.22:4012', 'http://10.17.33.23:4012']);

let dir = '';
let child: ChildProcess | undefined;

async function startStandIn(stateFile: string, extra: readonly string[]): Promise<void> {
  const log = openSync(join(dir, 'domeos-server.log'), 'a');
  try {
    child = spawn(SHIM, ['--state-file', stateFile, '--listen', LISTEN, '--cluster-name', 'prod', ...extra], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stand-in exited ${child.exitCode}: ${readFileSync(join(dir, 'domeos-server.log'), 'utf8')}`);
    try {
      if ((await fetch(`${BASE}/health`, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the stand-in did not answer /health in 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopStandIn(): Promise<void> {
  const proc = child;
  child = undefined;
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** A fetch that counts logins, to see the adapter's transparent re-login. */
function countingFetch(counter: { logins: number }): typeof fetch {
  return (input, init) => {
    if (String(input).endsWith('/api/user/login')) counter.logins++;
    return fetch(input, init);
  };
}

const rejectsWith = (code: string) => (err: unknown) => {
  assert.ok(err instanceof FerryError, String(err));
  assert.equal(err.code, code, err.message);
  assert.ok(!`${err.message} ${err.hint ?? ''}`.includes('wrong-pass'), 'no password in the message');
  return true;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-console-'));
});

after(async () => {
  await stopStandIn();
  rmSync(dir, { recursive: true, force: true });
});

describe('DomeOS console adapter against the stand-in', { concurrency: false }, () => {
  const stateFile = (): string => join(dir, 'state.json');
  const readState = (): { clusters: Array<{ api: string; etcd: string }> } => JSON.parse(readFileSync(stateFile(), 'utf8')) as { clusters: Array<{ api: string; etcd: string }> };

  test('main flow: login, cluster endpoints, watcher replacement', async () => {
    await startStandIn(stateFile(), []);
    const domeos = new DomeosConsole(BASE, ADMIN, { pollIntervalMs: 100 });
    assert.equal(await domeos.health(), true);
    await domeos.login();
    await assert.rejects(new DomeosConsole(BASE, { username: 'admin', password: 'wrong-pass' }).login(), rejectsWith('CONSOLE_USER_NOT_AUTHORIZED'));
    await assert.rejects(domeos.readCluster('nope'), rejectsWith('CONSOLE_CLUSTER_NOT_EXIST'));
    await assert.rejects(domeos.readClusterById(42), rejectsWith('CONSOLE_CLUSTER_NOT_EXIST'));

    const cluster = await domeos.readCluster('prod');
    assert.equal(cluster.api, '10.17.33.30:8080');
    assert.match(cluster.etcd, /^http:\/\/10\.17\.33\.31:4012,.*,$/);

    await assert.rejects(domeos.updateClusterEndpoints(cluster, { etcd: ' ' }), rejectsWith('CONSOLE_PARAM_ERROR'));
    const updated = await domeos.updateClusterEndpoints(cluster, { api: NEW_API, etcd: NEW_ETCD });
    assert.equal(updated.api, NEW_API);
    assert.equal(updated.etcd, NEW_ETCD);
    assert.equal(updated['domain'], cluster['domain'], 'the other fields were sent back whole');
    assert.deepEqual({ api: readState().clusters[0]?.api, etcd: readState().clusters[0]?.etcd }, { api: NEW_API, etcd: NEW_ETCD });

    const watcher = await domeos.readWatcher(cluster.id);
    assert.ok(watcher !== undefined);
    assert.equal(watcher.state, 'RUNNING');
    await assert.rejects(domeos.deleteWatcher(watcher.deployId), rejectsWith('CONSOLE_CANNOT_DELETE_DEPLOYMENT'));
    assert.equal((await domeos.stopWatcher(watcher.deployId, { timeoutMs: 15_000 })).state, 'STOP');
    assert.equal((await domeos.stopWatcher(watcher.deployId, { timeoutMs: 15_000 })).state, 'STOP', 'stopping twice is fine');
    await domeos.deleteWatcher(watcher.deployId);
    assert.equal(await domeos.readWatcher(cluster.id), undefined);

    const created = await domeos.createWatcher(cluster.id, buildWatcherConf({ name: 'watcher-v2' }));
    assert.equal(created.state, 'STOP');
    await assert.rejects(domeos.createWatcher(cluster.id, buildWatcherConf({ name: 'watcher-v3' })), rejectsWith('CONSOLE_PARAM_ERROR'));
    assert.equal((await domeos.startWatcher(created.id, { timeoutMs: 15_000 })).state, 'RUNNING');
    const running = await domeos.readWatcher(cluster.id);
    assert.equal(running?.state, 'RUNNING');
    const infos = running?.['versionSelectorInfos'] as Array<{ containerDrafts: Array<{ args: string[] }> }>;
    assert.ok(infos[0]?.containerDrafts[0]?.args.includes(`--apiserver=${NEW_API}`));
    await stopStandIn();
  });

  test('expired session: the adapter logs in again; a slow watcher stop is waited for', async () => {
    await startStandIn(stateFile(), ['--session-ttl-ms', '700', '--watcher-stop-ms', '3000']);
    const counter = { logins: 0 };
    const domeos = new DomeosConsole(BASE, ADMIN, { pollIntervalMs: 200, fetch: countingFetch(counter) });
    const cluster = await domeos.readCluster('prod');
    assert.equal(cluster.api, NEW_API, 'the state survived the restart');
    assert.equal(counter.logins, 1);
    await new Promise((r) => setTimeout(r, 1000));
    const watcher = await domeos.readWatcher(cluster.id);
    assert.equal(counter.logins, 2, 'one transparent re-login');
    assert.ok(watcher !== undefined);
    await assert.rejects(domeos.stopWatcher(watcher.deployId, { timeoutMs: 300 }), rejectsWith('CONSOLE_WATCHER_STOP_TIMEOUT'));
    assert.equal((await domeos.stopWatcher(watcher.deployId, { timeoutMs: 15_000 })).state, 'STOP');
    await stopStandIn();
  });

  test('a domeos without a watcher: readWatcher is undefined', async () => {
    await startStandIn(join(dir, 'bare.json'), ['--no-watcher']);
    const domeos = new DomeosConsole(BASE, ADMIN);
    const cluster = await domeos.readCluster('prod');
    assert.equal(await domeos.readWatcher(cluster.id), undefined);
    await stopStandIn();
    assert.equal(await domeos.health(), false);
    await assert.rejects(domeos.readCluster('prod'), rejectsWith('CONSOLE_UNREACHABLE'));
  });

  test('more error codes: a deployment that is gone, a URL that is not the DomeOS server, a wait that ends', async () => {
    await startStandIn(join(dir, 'errors.json'), ['--watcher-stop-ms', '0']);
    const domeos = new DomeosConsole(BASE, ADMIN, { pollIntervalMs: 100 });
    await assert.rejects(domeos.readDeployment(9999), rejectsWith('CONSOLE_DEPLOYMENT_NOT_EXIST'));
    const cluster = await domeos.readCluster('prod');
    const watcher = await domeos.readWatcher(cluster.id);
    assert.ok(watcher !== undefined);
    assert.equal((await domeos.stopWatcher(watcher.deployId, { timeoutMs: 5_000 })).state, 'STOP', 'an instant stop');
    await domeos.deleteWatcher(watcher.deployId);
    await assert.rejects(domeos.deleteWatcher(watcher.deployId), rejectsWith('CONSOLE_DEPLOYMENT_NOT_EXIST'));
    await assert.rejects(domeos.stopWatcher(watcher.deployId, { timeoutMs: 1_000 }), rejectsWith('CONSOLE_DEPLOYMENT_NOT_EXIST'));
    const created = await domeos.createWatcher(cluster.id, buildWatcherConf({ name: 'w2' }));
    await assert.rejects(domeos.waitForDeploymentState(created.id, 'RUNNING', 300), rejectsWith('CONSOLE_WATCHER_START_TIMEOUT'));
    await assert.rejects(domeos.startWatcher(created.id, { timeoutMs: 5_000, version: 7 }), rejectsWith('CONSOLE_PARAM_ERROR'));
    // A DomeOS served under a path ferry was not told about: HTTP 404, no envelope.
    await assert.rejects(new DomeosConsole(`${BASE}/domeos`, ADMIN).login(), rejectsWith('CONSOLE_BAD_RESPONSE'));
    assert.equal(await domeos.health(1_000), true);
    await stopStandIn();
  });
});
