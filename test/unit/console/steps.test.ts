/** The console steps' handlers with a fake console, host and journal: stop, start, update, kills, rollbacks. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../src/errors.ts';
import type { ConsoleTarget, Step } from '../../../src/plan/types.ts';
import { consoleStartHandler } from '../../../src/steps/console/start.ts';
import { consoleStopHandler } from '../../../src/steps/console/stop.ts';
import { consoleUpdateHandler } from '../../../src/steps/console/update.ts';
import { buildFakeContext, buildFakeDeps, FakeConsole, FakeConsoleHost, Killed, type JournalEntry } from './fakes.ts';

type Kind<K extends Step['kind']> = Extract<Step, { kind: K }>;
const words = { title: 't', does: [], checks: [], undoes: [] };
const target: ConsoleTarget = { url: 'http://10.0.0.10:8080', cluster: 'prod', host: '10.0.0.10', service: 'domeos', credentialsFile: '/c.yaml' };
const docker: ConsoleTarget = { ...target, stopCommand: ['docker', 'stop', 'domeos'], startCommand: ['docker', 'start', 'domeos'] };

const stopStep = (console = target): Kind<'console.stop'> => ({ id: 'console.stop', kind: 'console.stop', phase: 1, ...words, params: { console, stopTimeoutMs: 5_000 } });
const startStep = (console = target): Kind<'console.start'> => ({ id: 'console.start', kind: 'console.start', phase: 8, ...words, params: { console, healthTimeoutMs: 5_000 } });
const updateStep = (p: { apiserver?: string; etcd?: string[] } = { apiserver: 'http://10.0.0.20:8080', etcd: ['http://10.0.0.21:4012', 'http://10.0.0.22:4012'] }): Kind<'console.update'> => ({
  id: 'console.update',
  kind: 'console.update',
  phase: 9,
  ...words,
  params: { console: target, ...p, watcherTimeoutMs: 5_000 },
});

function setup() {
  const fake = new FakeConsole();
  const host = new FakeConsoleHost(fake);
  const deps = buildFakeDeps(fake, host);
  return { fake, host, deps, ctx: (o: { journal?: JournalEntry[]; resumed?: boolean; killAfter?: string } = {}) => buildFakeContext({ deps, ...o }) };
}

const actions = (journal: readonly JournalEntry[]) => journal.filter((e) => e.type === 'finished' || e.type === 'skipped').map((e) => `${e.type === 'skipped' ? 'skip ' : ''}${e.action}`);

async function fullUpdate(s: ReturnType<typeof setup>, step = updateStep(), journal: JournalEntry[] = []) {
  const ctx = s.ctx({ journal });
  await consoleUpdateHandler.precheck(step, ctx);
  await consoleUpdateHandler.apply(step, ctx);
  await consoleUpdateHandler.verify(step, ctx);
  return ctx;
}

describe('console.stop and console.start', () => {
  test('the unit: stop, gate, rollback starts it; start again skips what is done', async () => {
    const s = setup();
    const ctx = s.ctx();
    await consoleStopHandler.precheck(stopStep(), ctx);
    await consoleStopHandler.apply(stopStep(), ctx);
    await consoleStopHandler.verify(stopStep(), ctx);
    assert.equal(s.fake.up, false);
    assert.deepEqual(s.host.services, ['stop domeos']);
    await consoleStopHandler.apply(stopStep(), s.ctx({ journal: ctx.journal, resumed: true }));
    assert.deepEqual(s.host.services, ['stop domeos'], 'a resumed stop finds it stopped');
    await consoleStopHandler.rollback(stopStep(), ctx);
    assert.equal(s.fake.up, true);
    await consoleStartHandler.apply(startStep(), ctx);
    assert.deepEqual(s.host.services, ['stop domeos', 'start domeos'], 'start finds it answering');
  });

  test('the commands run as argv on the host; start rollback stops it again', async () => {
    const s = setup();
    const ctx = s.ctx();
    await consoleStopHandler.apply(stopStep(docker), ctx);
    await consoleStopHandler.verify(stopStep(docker), ctx);
    await consoleStartHandler.apply(startStep(docker), ctx);
    await consoleStartHandler.verify(startStep(docker), ctx);
    await consoleStartHandler.rollback(startStep(docker), ctx);
    assert.deepEqual(s.host.runs, [['docker', 'stop', 'domeos'], ['docker', 'start', 'domeos'], ['docker', 'stop', 'domeos']]);
    assert.equal(s.fake.up, false);
    assert.deepEqual(s.host.services, []);
  });

  test('a failing command is CONSOLE_COMMAND_FAILED with its stderr; a server that stays up is CONSOLE_STILL_ANSWERS', async () => {
    const s = setup();
    s.host.exitCode = 1;
    await assert.rejects(consoleStopHandler.apply(stopStep(docker), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_COMMAND_FAILED' && /exited 1: Error: No such container/.test(e.message));
    s.host.exitCode = 0;
    s.host.run = async (argv) => (s.host.runs.push([...argv]), { exitCode: 0, stdout: '', stderr: '' });
    await assert.rejects(consoleStopHandler.apply(stopStep(docker), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_STILL_ANSWERS');
    await assert.rejects(consoleStopHandler.verify(stopStep(docker), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_STOP_INCOMPLETE');
  });

  test('stop precheck: while the console answers, its login and cluster are checked (phase 9 needs them)', async () => {
    const s = setup();
    s.fake.cluster = { ...s.fake.cluster, name: 'other' };
    await assert.rejects(consoleStopHandler.precheck(stopStep(), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_CLUSTER_NOT_EXIST');
    assert.deepEqual(s.fake.logins, ['/c.yaml']);
    s.fake.up = false;
    const ctx = s.ctx();
    await consoleStopHandler.precheck(stopStep(), ctx);
    assert.ok(ctx.journal.some((e) => e.type === 'note' && /stopped already/.test(e.action)));
  });

  test('a server that never answers after start is CONSOLE_NOT_HEALTHY (retryable)', async () => {
    const s = setup();
    s.fake.up = false;
    s.host.service = async () => undefined;
    await assert.rejects(consoleStartHandler.apply(startStep(), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_NOT_HEALTHY' && e.retryable);
  });
});

describe('console.update', () => {
  test('end to end: the record is PUT with the new api and etcd, the watcher re-created alike and running against the new apiserver', async () => {
    const s = setup();
    const conf = structuredClone(s.fake.watcher?.conf);
    const ctx = await fullUpdate(s);
    assert.equal(s.fake.cluster.api, '10.0.0.20:8080');
    assert.equal(s.fake.cluster.etcd, 'http://10.0.0.21:4012,http://10.0.0.22:4012,');
    assert.equal(s.fake.cluster['password'], 'k8s-secret', 'the rest of the record is kept');
    assert.equal(s.fake.watcher?.state, 'RUNNING');
    assert.equal(s.fake.watcher?.api, '10.0.0.20:8080');
    assert.notEqual(s.fake.watcher?.deployId, 2);
    assert.deepEqual(s.fake.watcher?.conf, conf, 'the same configuration');
    assert.deepEqual(actions(ctx.journal), ['read', 'update-cluster', 'watcher:stop', 'watcher:delete', 'watcher:create', 'watcher:start']);
    assert.ok(!JSON.stringify(ctx.journal).includes('k8s-secret'), 'no secret in the journal');
    assert.deepEqual(s.fake.logins, ['/c.yaml', '/c.yaml', '/c.yaml'], 'credentials come from the target’s file');
    const again = s.ctx({ journal: ctx.journal, resumed: true });
    await consoleUpdateHandler.apply(updateStep(), again);
    assert.deepEqual(actions(ctx.journal).slice(6), ['skip read', 'skip update-cluster', 'skip watcher'], 'running it again changes nothing');
  });

  test('a kill right after any action: the resumed step finishes the job', async () => {
    for (const killAfter of ['read', 'update-cluster', 'watcher:stop', 'watcher:delete', 'watcher:create', 'watcher:start']) {
      const s = setup();
      const journal: JournalEntry[] = [];
      await assert.rejects(consoleUpdateHandler.apply(updateStep(), s.ctx({ journal, killAfter })), Killed);
      if (killAfter === 'watcher:delete') assert.equal(s.fake.watcher, undefined, 'killed between delete and create');
      const resumed = s.ctx({ journal, resumed: true });
      await consoleUpdateHandler.apply(updateStep(), resumed);
      await consoleUpdateHandler.verify(updateStep(), resumed);
      assert.equal(s.fake.watcher?.state, 'RUNNING', killAfter);
      assert.equal(s.fake.watcher?.api, '10.0.0.20:8080', killAfter);
      assert.equal(s.fake.watcher?.conf.labelSelectors[0]?.name, 'role', `${killAfter}: re-created from the journal`);
    }
  });

  test('a kill while the watcher is stopping: the resumed step waits, deletes and goes on', async () => {
    const s = setup();
    const journal: JournalEntry[] = [];
    s.fake.failOnce.set('waitForDeploymentState', new FerryError('CONSOLE_WATCHER_STOP_TIMEOUT', 'still STOPPING', { retryable: true }));
    await assert.rejects(consoleUpdateHandler.apply(updateStep(), s.ctx({ journal })), (e: FerryError) => e.code === 'CONSOLE_WATCHER_STOP_TIMEOUT');
    assert.equal(s.fake.watcher?.state, 'STOPPING');
    await consoleUpdateHandler.apply(updateStep(), s.ctx({ journal, resumed: true }));
    assert.equal(s.fake.watcher?.state, 'RUNNING');
    assert.equal(s.fake.calls.filter((c) => c === 'stopWatcher').length, 2);
  });

  test('rollback puts the old api and etcd back and re-creates the watcher against the old apiserver', async () => {
    const s = setup();
    const ctx = await fullUpdate(s);
    await consoleUpdateHandler.rollback(updateStep(), ctx);
    assert.equal(s.fake.cluster.api, '10.0.0.30:8080');
    assert.equal(s.fake.cluster.etcd, 'http://10.0.0.31:4012,http://10.0.0.32:4012,');
    assert.equal(s.fake.watcher?.state, 'RUNNING');
    assert.equal(s.fake.watcher?.api, '10.0.0.30:8080');
    assert.deepEqual(actions(ctx.journal).slice(6), ['restore-cluster', 'restore-watcher:stop', 'restore-watcher:delete', 'restore-watcher:create', 'restore-watcher:start']);
    await consoleUpdateHandler.rollback(updateStep(), ctx);
    assert.deepEqual(actions(ctx.journal).slice(11), ['skip restore-cluster', 'skip restore-watcher'], 'rollback is idempotent');
  });

  test('rollback after a failure before anything changed does nothing', async () => {
    const s = setup();
    const ctx = s.ctx();
    s.fake.failOnce.set('readCluster', new FerryError('CONSOLE_UNREACHABLE', 'refused', { retryable: true }));
    await assert.rejects(consoleUpdateHandler.apply(updateStep(), ctx));
    await consoleUpdateHandler.rollback(updateStep(), ctx);
    assert.deepEqual(actions(ctx.journal), ['skip restore']);
  });

  test('a console without a watcher: only the record changes', async () => {
    const s = setup();
    s.fake.watcher = undefined;
    const ctx = await fullUpdate(s);
    assert.deepEqual(actions(ctx.journal), ['read', 'update-cluster', 'skip watcher']);
    assert.equal(s.fake.watcher, undefined);
  });

  test('etcd only: the api stays and the watcher, already on it, is left running', async () => {
    const s = setup();
    const ctx = await fullUpdate(s, updateStep({ etcd: ['http://10.0.0.21:4012'] }));
    assert.equal(s.fake.cluster.api, '10.0.0.30:8080');
    assert.equal(s.fake.watcher?.deployId, 2);
    assert.deepEqual(actions(ctx.journal), ['read', 'update-cluster', 'skip watcher']);
  });

  test('a console that hides the args: the watcher found first is the one replaced', async () => {
    const s = setup();
    s.fake.showArgs = false;
    await fullUpdate(s);
    assert.notEqual(s.fake.watcher?.deployId, 2);
    assert.equal(s.fake.watcher?.state, 'RUNNING');
  });

  test('precheck refuses an unknown cluster; the gate fails when the record was changed behind ferry', async () => {
    const s = setup();
    s.fake.cluster = { ...s.fake.cluster, name: 'other' };
    await assert.rejects(consoleUpdateHandler.precheck(updateStep(), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_CLUSTER_NOT_EXIST');
    const t = setup();
    const ctx = await fullUpdate(t);
    t.fake.cluster = { ...t.fake.cluster, api: '10.0.0.99:8080' };
    await assert.rejects(consoleUpdateHandler.verify(updateStep(), ctx), (e: FerryError) => e.code === 'CONSOLE_GATE_FAILED' && /10\.0\.0\.99:8080/.test(e.message));
  });

  test('a console that keeps re-creating the watcher on the old apiserver: CONSOLE_WATCHER_NOT_SETTLED', async () => {
    const s = setup();
    s.fake.updateClusterEndpoints = async () => ({ ...s.fake.cluster });
    await assert.rejects(consoleUpdateHandler.apply(updateStep(), s.ctx()), (e: FerryError) => e.code === 'CONSOLE_WATCHER_NOT_SETTLED' && e.retryable);
  });
});
