/**
 * Helpers for the etcd migration integration tests (test/integration/migrate-*.test.ts): run ferry in-process or
 * as the real CLI against a lab fixture, steer leadership, and check the end state a finished migration must have.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Etcd3Admin } from '../../src/adapters/etcd/client.ts';
import { readEtcdState } from '../../src/observe/etcd.ts';
import type { EtcdAdmin } from '../../src/ports/etcd.ts';
import { LabHost } from '../../src/lab/host.ts';
import { readLabSeedCheck } from '../../src/lab/setup/etcd-seed.ts';
import { findProcessesWithCmdline } from '../../src/lab/supervisor/processes.ts';
import { SupervisorClient } from '../../src/lab/supervisor/supervisor-client.ts';
import { sameURL } from '../../src/plan/same-url.ts';
import type { Plan } from '../../src/plan/types.ts';
import { buildDeps, type OwnedDeps } from '../../src/app/deps.ts';
import type { JournalEvent } from '../../src/run/events.ts';
import { readJournal } from '../../src/run/journal.ts';
import { JOURNAL_FILE } from '../../src/run/run-dir.ts';
import type { RunOutcome } from '../../src/run/runner.ts';
import { loadRun, observeAndPlan, resumeRun, startRun } from '../../src/app/session.ts';
import type { LabFixture } from './lab-fixture.ts';
import { waitUntil } from './etcd-cluster.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const FERRY_BIN = join(REPO_ROOT, 'bin/ferry.js');

export interface RunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly outcome: RunOutcome;
}

/** A short-lived admin over the given client URLs (closed by the caller). */
export function openAdmin(urls: readonly string[]): Etcd3Admin {
  return new Etcd3Admin({ endpoints: urls, callTimeoutMs: 3000 });
}

export function clientURLs(fixture: LabFixture, side: 'old' | 'new'): string[] {
  return fixture.inventory.etcd[side].map((m) => m.clientURL);
}

/** Run `fn` with deps built the way the CLI builds them, closing them afterwards. */
export async function withDeps<T>(fixture: LabFixture, fn: (deps: OwnedDeps) => Promise<T>): Promise<T> {
  const deps = buildDeps(fixture.inventory, fixture.env);
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

export async function planFor(fixture: LabFixture, deps: OwnedDeps): Promise<Plan> {
  return observeAndPlan(fixture.inventory, fixture.inventoryPath, fixture.sha256, deps);
}

/** `ferry apply` in-process: start a run of `plan` with the fixture's FERRY_HOME. */
export async function applyInProcess(fixture: LabFixture, deps: OwnedDeps, plan: Plan): Promise<RunResult> {
  const r = await startRun(plan, fixture.inventory, { deps, signal: new AbortController().signal, env: fixture.env, command: 'test apply' });
  return { runId: r.runId, runDir: r.runDir, outcome: r.outcome };
}

/** `ferry resume` in-process of the newest run (or `runId`). */
export async function resumeInProcess(fixture: LabFixture, deps: OwnedDeps, runId?: string): Promise<RunResult> {
  const run = loadRun(runId, fixture.env);
  const r = await resumeRun(run, { deps, signal: new AbortController().signal, env: fixture.env, command: 'test resume' });
  return { runId: r.runId, runDir: r.runDir, outcome: r.outcome };
}

export function readEvents(runDir: string): JournalEvent[] {
  return readJournal(join(runDir, JOURNAL_FILE)).events;
}

/** Journal events about `action` of `stepId`, as `type` strings in order. */
export function actionEvents(events: readonly JournalEvent[], stepId: string, action: string): string[] {
  return events.filter((e) => 'stepId' in e && e.stepId === stepId && 'action' in e && e.action === action).map((e) => e.type);
}

/** The id of the member whose peer URL is `peerURL`, read from the live member list. */
async function memberIdOf(admin: EtcdAdmin, peerURL: string): Promise<string> {
  const m = (await admin.memberList()).find((x) => x.peerURLs.some((u) => sameURL(u, peerURL)));
  assert.ok(m, `${peerURL} is a member`);
  return m.id;
}

/** The leader every answering member agrees on ("0" while they do not). */
export async function readLeaderId(admin: EtcdAdmin): Promise<string> {
  return (await readEtcdState(admin)).observed.leaderId;
}

/** Move leadership to the member with peer URL `peerURL` and wait until every member agrees it leads. */
export async function moveLeaderTo(urls: readonly string[], peerURL: string): Promise<string> {
  const admin = openAdmin(urls);
  try {
    const targetId = await memberIdOf(admin, peerURL);
    await waitUntil(`leadership is on ${peerURL}`, 20_000, async () => {
      const state = await readEtcdState(admin).catch(() => undefined);
      if (state === undefined) return false;
      const leader = state.observed.leaderId;
      const agreed = state.unreachable.size === 0 && [...state.statuses.values()].every((s) => s.leaderId === leader);
      if (leader === targetId && agreed) return true;
      const leaderURL = state.members.find((m) => m.id === leader)?.clientURLs[0];
      if (leader !== targetId && leaderURL !== undefined) await admin.moveLeader(targetId, leaderURL).catch(() => undefined);
      return false;
    }, 200);
    return targetId;
  } finally {
    await admin.close();
  }
}

/** The highest raft term any of `urls` reports. */
export async function readMaxTerm(urls: readonly string[]): Promise<bigint> {
  const admin = openAdmin(urls);
  try {
    let max = -1n;
    for (const url of urls) {
      const s = await admin.status(url).catch(() => undefined);
      if (s !== undefined && s.raftTerm > max) max = s.raftTerm;
    }
    assert.ok(max >= 0n, `one of ${urls.join(', ')} answers status`);
    return max;
  } finally {
    await admin.close();
  }
}

/**
 * The end state of a finished migration: the member list is exactly the new members, all voters and started;
 * a new member leads; every old member's unit is inactive and its data dir archived under this run's id; every
 * new member's unit runs; every seeded key (v3 and v2) reads back from the new members alone.
 */
export async function assertMigrated(fixture: LabFixture, runId: string): Promise<void> {
  const inv = fixture.inventory;
  const newURLs = clientURLs(fixture, 'new');
  const admin = openAdmin(newURLs);
  try {
    const state = await readEtcdState(admin);
    const members = [...state.members].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(
      members.map((m) => ({ name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner })),
      [...inv.etcd.new].sort((a, b) => a.name.localeCompare(b.name)).map((n) => ({ name: n.name, peerURLs: [n.peerURL], clientURLs: [n.clientURL], isLearner: false })),
      'the member list is exactly the new members, all voters',
    );
    assert.deepEqual([...state.unreachable.keys()], [], 'every new member answers status');
    assert.ok(state.members.some((m) => m.id === state.observed.leaderId), `a new member leads (leader ${state.observed.leaderId})`);
  } finally {
    await admin.close();
  }
  for (const o of inv.etcd.old) {
    const host = new LabHost(fixture.labDir, o.host);
    const unit = await new SupervisorClient(fixture.labDir).state(o.host, o.service);
    if (unit.state !== 'inactive') {
      const log = (await host.readFile(`/var/log/${o.service}.log`))?.toString('utf8').trimEnd().split('\n').slice(-25).join('\n');
      assert.fail(`${o.name}'s ${o.service} unit is ${unit.state}, not inactive: ${JSON.stringify(unit)}\n${log ?? '(no log)'}`);
    }
    assert.equal(await host.exists(o.dataDir), false, `${o.name}'s data dir is gone from its place`);
    assert.equal(await host.exists(`${o.dataDir}.ferry-archived-${runId}`), true, `${o.name}'s data dir is archived`);
  }
  for (const n of inv.etcd.new) {
    const host = new LabHost(fixture.labDir, n.host);
    assert.equal(await host.serviceState(n.service), 'active', `${n.name}'s ${n.service} unit runs`);
  }
  assert.deepEqual(await readLabSeedCheck(newURLs), { ok: true, missing: [], wrong: [] }, 'every seeded key reads back from the new members');
}

/** Live processes whose command line names `dir` (etcd members, the lab supervisor, ferry children). */
export function processesOf(dir: string): number[] {
  return findProcessesWithCmdline(dir);
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the child was killed for running longer than `timeoutMs`. */
  readonly timedOut: boolean;
}

/** Run the real `bin/ferry.js` as a child (cwd: the repo), bounded by `timeoutMs` (then SIGKILLed). */
export function runFerryCli(args: readonly string[], env: Record<string, string | undefined>, timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [FERRY_BIN, ...args], { cwd: REPO_ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
  });
}

/**
 * A failed child run, told so that a report that keeps only its first lines still shows why: the exit, stderr, then
 * the last `tailLines` lines of stdout (where the failing step is), then the rest.
 */
export function describeCliRun(r: Pick<CliResult, 'code' | 'stdout' | 'stderr'> & Partial<CliResult>, tailLines = 40): string {
  const lines = r.stdout.trimEnd().split('\n');
  const tail = lines.slice(-tailLines).join('\n');
  const head = lines.length > tailLines ? `\n--- stdout, first ${lines.length - tailLines} lines ---\n${lines.slice(0, -tailLines).join('\n')}` : '';
  return `exit ${r.code ?? 'none'}${r.signal ? ` (signal ${r.signal})` : ''}${r.timedOut ? ', killed after the timeout' : ''}\n--- stderr ---\n${r.stderr.trimEnd()}\n--- stdout, last ${Math.min(tailLines, lines.length)} lines ---\n${tail}${head}`;
}
