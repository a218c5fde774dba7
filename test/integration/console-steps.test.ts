/**
 * The `console.update` step (runbook phase 9) against the lab's DomeOS server stand-in (lab-bin/domeos-server), one
 * real process per test on its own address (127.34.0.11–17) and state file: the update end to end and its rollback,
 * a resume after a kill between the watcher's delete and its create, an expired session in the middle of the step,
 * a watcher slow to stop, the console's error envelopes as FerryErrors, and a console without a watcher.
 * The journal is the unit tests' in-memory one (test/unit/console/fakes.ts); the console is the real adapter.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openConsole, type OpenConsoleOptions } from '../../src/adapters/console/open.ts';
import { FerryError } from '../../src/errors.ts';
import { buildSeedState, type ServerState } from '../../src/lab/domeos/server/model.ts';
import type { ConsoleTarget, Step } from '../../src/plan/types.ts';
import type { Deps } from '../../src/ports/deps.ts';
import { consoleUpdateHandler } from '../../src/steps/console/update.ts';
import { realSleep } from '../../src/util/retry.ts';
import { buildFakeContext, Killed, type JournalEntry } from '../unit/console/fakes.ts';
import { recordReliability } from '../helpers/reliability.ts';

const SHIM = join(fileURLToPath(new URL('../..', import.meta.url)), 'lab-bin/domeos-server');
const OLD_API = '127.34.0.30:8080';
const OLD_ETCD = 'http://127.34.0.31:4012,http://127.34.0.32:4012,http://127.34.0.33:4012,';
const NEW_APISERVER = 'http://127.34.0.20:8080';
const NEW_ETCD = ['http://127.34.0.21:4012', 'http://127.34.0.22:4012', 'http://127.34.0.23:4012'];

let dir = '';
const children: ChildProcess[] = [];

interface StandIn {
  readonly url: string;
  readonly stateFile: string;
  state(): ServerState;
  stop(): Promise<void>;
}

/** A seeded state like the lab's, with a watcher whose configuration is not the UI default (to see it kept). */
function writeSeed(stateFile: string, url: string, o: { watcher?: boolean; ownerName?: string } = {}): void {
  const state = buildSeedState({ serverUrl: url, clusterName: 'prod', clusterApi: OLD_API, clusterEtcd: OLD_ETCD, withWatcher: o.watcher ?? true, now: Date.now() });
  const dep = state.deployments[0];
  if (dep !== undefined) {
    dep.name = 'event-watcher';
    dep.hostEnv = 'TEST';
    dep.version.labelSelectors = [{ name: 'kubernetes.io/role', content: 'USER_LABEL_VALUE' }];
  }
  const cluster = state.clusters[0];
  if (cluster !== undefined) {
    cluster.password = 'k8s-cluster-secret';
    if (o.ownerName !== undefined) cluster.ownerName = o.ownerName;
  }
  writeFileSync(stateFile, JSON.stringify(state));
}

async function startStandIn(address: string, extra: readonly string[] = [], seed: { watcher?: boolean; ownerName?: string } = {}): Promise<StandIn> {
  const url = `http://${address}:8080`;
  const stateFile = join(dir, `${address}.json`);
  writeSeed(stateFile, url, seed);
  const logPath = join(dir, `${address}.log`);
  const log = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(SHIM, ['--state-file', stateFile, '--listen', `${address}:8080`, ...extra], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  children.push(child);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`stand-in exited ${child.exitCode}: ${readFileSync(logPath, 'utf8')}`);
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the stand-in at ${url} did not answer /health in 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stateFile,
    state: () => JSON.parse(readFileSync(stateFile, 'utf8')) as ServerState,
    stop: () => stopChild(child),
  };
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function credentialsFile(password = 'admin'): string {
  const file = join(dir, `creds-${password}.yaml`);
  writeFileSync(file, `username: admin\npassword: ${password}\n`, { mode: 0o600 });
  return file;
}

function depsFor(o: OpenConsoleOptions = {}): Deps {
  return { console: (url: string) => openConsole(url, { pollIntervalMs: 100, env: {}, ...o }), now: () => Date.now(), sleep: realSleep } as unknown as Deps;
}

function updateStep(url: string, o: { password?: string; watcherTimeoutMs?: number; cluster?: string } = {}): Extract<Step, { kind: 'console.update' }> {
  const console: ConsoleTarget = { url, cluster: o.cluster ?? 'prod', host: '127.34.0.10', service: 'domeos', credentialsFile: credentialsFile(o.password) };
  return { id: 'console.update', kind: 'console.update', phase: 9, title: 't', does: [], checks: [], undoes: [], params: { console, apiserver: NEW_APISERVER, etcd: NEW_ETCD, watcherTimeoutMs: o.watcherTimeoutMs ?? 15_000 } };
}

function watcherOf(s: StandIn): { name: string; state: string; hostEnv: string; labels: string; apiserver: string | undefined } | undefined {
  const state = s.state();
  const id = state.watchers['1'];
  const dep = state.deployments.find((d) => d.id === id);
  if (dep === undefined) return undefined;
  const args = dep.version.containerDrafts[0]?.args ?? [];
  return { name: dep.name, state: dep.state, hostEnv: dep.hostEnv, labels: JSON.stringify(dep.version.labelSelectors), apiserver: args.find((a) => a.startsWith('--apiserver='))?.slice('--apiserver='.length) };
}

const kept = { name: 'event-watcher', hostEnv: 'TEST', labels: JSON.stringify([{ name: 'kubernetes.io/role', content: 'USER_LABEL_VALUE' }]) };

async function runUpdate(step: ReturnType<typeof updateStep>, deps: Deps, journal: JournalEntry[] = []): Promise<JournalEntry[]> {
  const ctx = buildFakeContext({ deps, journal });
  await consoleUpdateHandler.precheck(step, ctx);
  await consoleUpdateHandler.apply(step, ctx);
  await consoleUpdateHandler.verify(step, ctx);
  return journal;
}

const rejectsWith = (code: string, pattern?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof FerryError, String(err));
  assert.equal(err.code, code, err.message);
  if (pattern !== undefined) assert.match(err.message, pattern);
  assert.ok(!`${err.message} ${err.hint ?? ''}`.includes('wrong-pass'), 'no password in the message');
  return true;
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-console-steps-'));
});

after(async () => {
  for (const child of children) await stopChild(child);
  rmSync(dir, { recursive: true, force: true });
});

describe('console.update against the DomeOS stand-in', { concurrency: false }, () => {
  test('end to end, then rollback: record PUT whole, watcher re-created alike against the new apiserver, and back', async () => {
    const s = await startStandIn('127.34.0.11', ['--watcher-stop-ms', '300']);
    const step = updateStep(s.url);
    const deps = depsFor();
    const journal = await runUpdate(step, deps);
    const cluster = s.state().clusters[0];
    assert.equal(cluster?.api, '127.34.0.20:8080');
    assert.equal(cluster?.etcd, 'http://127.34.0.21:4012,http://127.34.0.22:4012,http://127.34.0.23:4012,');
    assert.equal(cluster?.password, 'k8s-cluster-secret', 'the rest of the record went back whole');
    assert.deepEqual(watcherOf(s), { ...kept, state: 'RUNNING', apiserver: '127.34.0.20:8080' });
    assert.ok(!JSON.stringify(journal).includes('secret') && !JSON.stringify(journal).includes('"admin"'), 'no secret and no login in the journal');

    await consoleUpdateHandler.rollback(step, buildFakeContext({ deps, journal }));
    assert.equal(s.state().clusters[0]?.api, OLD_API);
    assert.equal(s.state().clusters[0]?.etcd, OLD_ETCD);
    assert.deepEqual(watcherOf(s), { ...kept, state: 'RUNNING', apiserver: OLD_API });
    await s.stop();
  });

  test('a kill between the watcher’s delete and its create: the resume re-creates it from the journal', async () => {
    const s = await startStandIn('127.34.0.12', ['--watcher-stop-ms', '300']);
    const step = updateStep(s.url);
    const deps = depsFor();
    const journal: JournalEntry[] = [];
    await assert.rejects(consoleUpdateHandler.apply(step, buildFakeContext({ deps, journal, killAfter: 'watcher:delete' })), Killed);
    assert.equal(watcherOf(s), undefined, 'no watcher left between delete and create');
    const resumed = buildFakeContext({ deps, journal, resumed: true });
    await consoleUpdateHandler.apply(step, resumed);
    await consoleUpdateHandler.verify(step, resumed);
    assert.deepEqual(watcherOf(s), { ...kept, state: 'RUNNING', apiserver: '127.34.0.20:8080' });
    await s.stop();
  });

  test('a session that expires in the middle of the step: logged in again, the step goes on', async () => {
    const s = await startStandIn('127.34.0.13', ['--session-ttl-ms', '400', '--watcher-stop-ms', '2000']);
    let logins = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/api/user/login')) logins++;
      return fetch(input, init);
    };
    // Polls 700 ms apart outlive the 400 ms session: every poll of the slow stop meets a 401 first.
    const t0 = Date.now();
    await runUpdate(updateStep(s.url), depsFor({ fetch: counting, pollIntervalMs: 700 }));
    assert.ok(logins >= 5, `logged in again during the step (${logins} logins)`);
    assert.deepEqual(watcherOf(s), { ...kept, state: 'RUNNING', apiserver: '127.34.0.20:8080' });
    recordReliability('faults', { case: 'console session dropped mid-step (400 ms TTL)', outcome: `completed: logged in again (${logins} logins), watcher RUNNING on the new apiserver`, logins, seconds: (Date.now() - t0) / 1000 });
    await s.stop();
  });

  test('a watcher slow to stop: the bounded wait fails retryably, the resume waits it out', async () => {
    const s = await startStandIn('127.34.0.14', ['--watcher-stop-ms', '3000']);
    const deps = depsFor();
    const journal: JournalEntry[] = [];
    await assert.rejects(consoleUpdateHandler.apply(updateStep(s.url, { watcherTimeoutMs: 500 }), buildFakeContext({ deps, journal })), (err: unknown) => {
      assert.ok(err instanceof FerryError && err.code === 'CONSOLE_WATCHER_STOP_TIMEOUT' && err.retryable, String(err));
      return true;
    });
    assert.equal(watcherOf(s)?.state, 'STOPPING');
    const step = updateStep(s.url);
    const resumed = buildFakeContext({ deps, journal, resumed: true });
    await consoleUpdateHandler.apply(step, resumed);
    await consoleUpdateHandler.verify(step, resumed);
    assert.deepEqual(watcherOf(s), { ...kept, state: 'RUNNING', apiserver: '127.34.0.20:8080' });
    await s.stop();
  });

  test('the console’s refusals are FerryErrors that say what and where, never the password', async () => {
    const s = await startStandIn('127.34.0.15', [], { ownerName: ' ' });
    const deps = depsFor();
    await assert.rejects(consoleUpdateHandler.precheck(updateStep(s.url, { password: 'wrong-pass' }), buildFakeContext({ deps })), rejectsWith('CONSOLE_USER_NOT_AUTHORIZED', /user "admin".*password wrong/));
    await assert.rejects(consoleUpdateHandler.precheck(updateStep(s.url, { cluster: 'nope' }), buildFakeContext({ deps })), rejectsWith('CONSOLE_CLUSTER_NOT_EXIST', /no cluster named "nope" \(it has: prod\)/));
    // A record the console itself finds illegal (a blank owner): its PUT is refused with PARAM_ERROR.
    const ctx = buildFakeContext({ deps });
    await assert.rejects(consoleUpdateHandler.apply(updateStep(s.url), ctx), rejectsWith('CONSOLE_PARAM_ERROR', /owner name is blank \(resultCode 400\)/));
    await consoleUpdateHandler.rollback(updateStep(s.url), ctx);
    assert.equal(s.state().clusters[0]?.api, OLD_API, 'nothing changed');
    assert.equal(watcherOf(s)?.state, 'RUNNING');
    recordReliability('faults', { case: 'console answers errors (bad password, unknown cluster, PARAM_ERROR on PUT)', outcome: 'refused with a FerryError; rolled back, record and watcher unchanged', code: 'CONSOLE_PARAM_ERROR' });
    // No credentialsFile and nothing in the environment: refused before any request.
    const noCreds = updateStep(s.url);
    const { credentialsFile: _f, ...rest } = noCreds.params.console;
    await assert.rejects(consoleUpdateHandler.precheck({ ...noCreds, params: { ...noCreds.params, console: rest } }, buildFakeContext({ deps })), rejectsWith('CONSOLE_CREDENTIALS_MISSING'));
    await s.stop();
    await assert.rejects(consoleUpdateHandler.precheck(updateStep(s.url), buildFakeContext({ deps })), rejectsWith('CONSOLE_UNREACHABLE'));
  });

  test('a console without a watcher: the record is updated, the watcher part skipped; credentials from the environment', async () => {
    const s = await startStandIn('127.34.0.16', ['--no-watcher'], { watcher: false });
    const base = updateStep(s.url);
    const { credentialsFile: _f, ...console } = base.params.console;
    const step = { ...base, params: { ...base.params, console } };
    const journal = await runUpdate(step, depsFor({ env: { FERRY_DOMEOS_USERNAME: 'admin', FERRY_DOMEOS_PASSWORD: 'admin' } }));
    assert.equal(s.state().clusters[0]?.api, '127.34.0.20:8080');
    assert.equal(watcherOf(s), undefined);
    assert.ok(journal.some((e) => e.type === 'skipped' && e.action === 'watcher'));
    await s.stop();
  });
});
