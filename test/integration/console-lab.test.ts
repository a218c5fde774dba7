/**
 * The lab's DomeOS console end to end: `ferry lab up` with `domeos:` runs the stand-in as the `domeos` unit of the
 * console host (the old apiserver and etcd in its cluster, a running watcher, a 0600 login file for ferry), the
 * three console steps work on it through the real lab host and `buildDeps` (phases 1, 8 and 9; the login found
 * without any credentialsFile or environment), and `ferry lab down` leaves no process behind.
 * Addresses: 127.29.1.x (console .10, old master .30, new master .20, etcd .31–33 / .21–23); services 127.29.128/17.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { buildHostRoot, mapPathIntoRoot } from '../../src/lab/paths.ts';
import { findProcessesWithCmdline } from '../../src/lab/supervisor/processes.ts';
import type { ServerState } from '../../src/lab/domeos/server/model.ts';
import type { ConsoleTarget, Step } from '../../src/plan/types.ts';
import { buildDeps, type OwnedDeps } from '../../src/app/deps.ts';
import { consoleStartHandler } from '../../src/steps/console/start.ts';
import { consoleStopHandler } from '../../src/steps/console/stop.ts';
import { consoleUpdateHandler } from '../../src/steps/console/update.ts';
import { startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { buildFakeContext } from '../unit/console/fakes.ts';

const P = '127.29.1';
const URL_ = `http://${P}.10:8080`;
let lab: MasterLab | undefined;
let deps: OwnedDeps | undefined;

const words = { title: 't', does: [], checks: [], undoes: [] };

function target(): ConsoleTarget {
  const d = lab?.inventory.domeos;
  assert.ok(d !== undefined);
  return { url: d.url, cluster: d.cluster, host: d.host, service: d.service };
}

function readState(): ServerState {
  assert.ok(lab !== undefined);
  return JSON.parse(readFileSync(mapPathIntoRoot(buildHostRoot(lab.labDir, `${P}.10`), '/var/lib/domeos/state.json'), 'utf8')) as ServerState;
}

async function health(): Promise<boolean> {
  try {
    return (await fetch(`${URL_}/health`, { signal: AbortSignal.timeout(1000) })).status === 200;
  } catch {
    return false;
  }
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

before(async () => {
  lab = await startMasterLab(P, {
    nodes: 0,
    extra: { domeos: { url: URL_, cluster: 'lab-cluster' } },
    lab: { dns: false, serviceClusterIpRange: '127.29.128.0/17', clusterDns: '127.29.168.1', flannelNetwork: '127.34.128.0/17' },
  });
  // No FERRY_DOMEOS_* from the developer's shell: the login must come from the lab's file.
  const env = Object.fromEntries(Object.entries(lab.env).filter(([k]) => !k.startsWith('FERRY_DOMEOS_')));
  deps = buildDeps(lab.inventory, env);
});

after(async () => {
  await deps?.close();
  await lab?.cleanup();
});

describe('the lab’s DomeOS console', { concurrency: false }, () => {
  test('lab up runs it with the old apiserver and etcd, a running watcher, and a 0600 login file', async () => {
    assert.ok(lab !== undefined);
    assert.equal(await health(), true);
    const state = readState();
    assert.deepEqual(state.users, [{ username: 'admin', password: 'admin' }]);
    assert.deepEqual({ name: state.clusters[0]?.name, api: state.clusters[0]?.api, etcd: state.clusters[0]?.etcd }, { name: 'lab-cluster', api: `${P}.30:8080`, etcd: `http://${P}.31:4012,http://${P}.32:4012,http://${P}.33:4012,` });
    assert.equal(state.deployments[0]?.state, 'RUNNING');
    const login = mapPathIntoRoot(buildHostRoot(lab.labDir, `${P}.10`), '/etc/domeos/credentials.yaml');
    assert.equal(statSync(login).mode & 0o777, 0o600);
  });

  test('phases 1, 8 and 9 on it: stop the unit, start it, tell it the new master and etcd', async () => {
    assert.ok(lab !== undefined && deps !== undefined);
    const ctx = buildFakeContext({ deps, inventory: lab.inventory });
    const stop: Extract<Step, { kind: 'console.stop' }> = { id: 'console.stop', kind: 'console.stop', phase: 1, ...words, params: { console: target(), stopTimeoutMs: 10_000 } };
    await consoleStopHandler.precheck(stop, ctx);
    await consoleStopHandler.apply(stop, ctx);
    await consoleStopHandler.verify(stop, ctx);
    assert.equal(await health(), false);
    assert.equal(await (await deps.host(`${P}.10`)).serviceState('domeos'), 'inactive');

    const start: Extract<Step, { kind: 'console.start' }> = { id: 'console.start', kind: 'console.start', phase: 8, ...words, params: { console: target(), healthTimeoutMs: 30_000 } };
    await consoleStartHandler.apply(start, ctx);
    await consoleStartHandler.verify(start, ctx);
    assert.equal(await health(), true);

    const update: Extract<Step, { kind: 'console.update' }> = {
      id: 'console.update',
      kind: 'console.update',
      phase: 9,
      ...words,
      params: { console: target(), apiserver: lab.newMaster, etcd: lab.inventory.etcd.new.map((m) => m.clientURL), watcherTimeoutMs: 30_000 },
    };
    await consoleUpdateHandler.precheck(update, ctx);
    await consoleUpdateHandler.apply(update, ctx);
    await consoleUpdateHandler.verify(update, ctx);
    const state = readState();
    assert.equal(state.clusters[0]?.api, `${P}.20:8080`);
    assert.equal(state.clusters[0]?.etcd, `http://${P}.21:4012,http://${P}.22:4012,http://${P}.23:4012,`);
    const watcher = state.deployments.find((d) => d.id === state.watchers['1']);
    assert.equal(watcher?.state, 'RUNNING');
    assert.ok(watcher?.version.containerDrafts[0]?.args?.includes(`--apiserver=${P}.20:8080`));
  });

  test('lab down stops it: no process of the lab left, its address free', async () => {
    assert.ok(lab !== undefined);
    const labDir = lab.labDir;
    await deps?.close();
    deps = undefined;
    await lab.cleanup();
    assert.deepEqual(findProcessesWithCmdline(labDir), []);
    assert.equal(await refused(`${P}.10`, 8080), true);
  });
});
