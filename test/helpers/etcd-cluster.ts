/**
 * Real etcd clusters for integration tests: /usr/bin/etcd members as children of the test process, on loopback
 * addresses the caller owns.
 *
 * - Every call gets a unique --initial-cluster-token, so member IDs differ between runs (they derive from name,
 *   peer URLs and token) and a leftover member of an earlier run can never join.
 * - stop() waits for every process's 'exit' event (SIGTERM, then SIGKILL after 5 s): graceful shutdown can take
 *   over 1 s and the ports stay bound until then (docs/design/lab-environment.md §7). It is idempotent.
 * - If the test process exits (or gets SIGINT/SIGTERM/SIGHUP) without stopping them, the members it still owns are
 *   SIGKILLed.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3Admin } from '../../src/adapters/etcd/client.ts';
import { isFerryError } from '../../src/errors.ts';

export const ETCD_BIN = '/usr/bin/etcd';

export interface TestMember {
  readonly name: string;
  readonly ip: string;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly dataDir: string;
  readonly logPath: string;
  readonly proc: ChildProcess;
}

export interface TestCluster {
  /** Every member started for this cluster, including ones added by startExtraMember. */
  readonly members: TestMember[];
  /** Client URLs of `members`, in the same order. */
  readonly endpoints: string[];
  readonly token: string;
  readonly dataRoot: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly enableV2: boolean;
  /** SIGTERM every member, SIGKILL after 5 s, and resolve once all have exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Name of the member that is the leader now (asks each running member's status). */
  leaderName(): Promise<string>;
}

export interface StartEtcdClusterOptions {
  readonly ips: readonly string[];
  /** Default 4012 (the real layout). */
  readonly clientPort?: number;
  /** Default 4010. */
  readonly peerPort?: number;
  /** Default m1, m2, ... */
  readonly names?: readonly string[];
  /** Data dirs (`<dataRoot>/<name>`) and logs (`<dataRoot>/<name>.log`) go here. */
  readonly dataRoot: string;
  /** Default: unique per call. */
  readonly token?: string;
  readonly enableV2?: boolean;
  /** Default 30000. */
  readonly startTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
/** Processes whose spawn failed: they never emit 'exit'. */
const spawnErrors = new WeakMap<ChildProcess, Error>();
function killLive(): void {
  for (const proc of live) proc.kill('SIGKILL');
}
process.on('exit', killLive);
// A signal ends the process without 'exit' unless someone listens: kill the members, then let the signal do what it
// would have done (re-raise it only when nobody else handles it, e.g. node's test runner).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killLive();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

export async function startEtcdCluster(opts: StartEtcdClusterOptions): Promise<TestCluster> {
  const clientPort = opts.clientPort ?? 4012;
  const peerPort = opts.peerPort ?? 4010;
  const names = opts.names ?? opts.ips.map((_, i) => `m${i + 1}`);
  const token = opts.token ?? `ferry-test-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const initialCluster = opts.ips.map((ip, i) => `${names[i]}=http://${ip}:${peerPort}`).join(',');
  const members: TestMember[] = [];
  let stopping: Promise<void> | undefined;
  const cluster: TestCluster = {
    members,
    endpoints: [],
    token,
    dataRoot: opts.dataRoot,
    clientPort,
    peerPort,
    enableV2: opts.enableV2 ?? false,
    stop: () => (stopping ??= stopInTurn(members)),
    leaderName: () => readLeaderName(members),
  };
  try {
    opts.ips.forEach((ip, i) => {
      const member = spawnMember(cluster, { name: names[i] ?? `m${i + 1}`, ip, initialCluster, state: 'new' });
      members.push(member);
      cluster.endpoints.push(member.clientURL);
    });
    await waitForCluster(members, opts.startTimeoutMs ?? 30_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/**
 * Start a member that was added with member add (learner or not): `initialCluster` is the member list including
 * it (`name=peerURL,...`). Resolves once it answers status and knows a leader. It joins `cluster.members`.
 */
export async function startExtraMember(
  cluster: TestCluster,
  opts: { name: string; ip: string; initialCluster: string; state: 'existing'; timeoutMs?: number },
): Promise<TestMember> {
  const member = spawnMember(cluster, opts);
  cluster.members.push(member);
  cluster.endpoints.push(member.clientURL);
  const admin = new Etcd3Admin({ endpoints: [member.clientURL], callTimeoutMs: 1000, dialTimeoutMs: 200 });
  try {
    await waitUntil(`${opts.name} answers status with a leader`, opts.timeoutMs ?? 30_000, async () => {
      assertRunning(member);
      const s = await admin.status(member.clientURL).catch(() => undefined);
      return s !== undefined && s.leaderId !== '0';
    });
  } finally {
    await admin.close();
  }
  return member;
}

/** `name=http://ip:peerPort,...` for --initial-cluster. */
export function buildInitialCluster(members: ReadonlyArray<{ name: string; peerURL: string }>): string {
  return members.map((m) => `${m.name}=${m.peerURL}`).join(',');
}

/**
 * One member at a time. Stopped together, a leader spends its whole request timeout (~7 s) trying to hand
 * leadership to a follower that is itself shutting down; stopped in turn, each leader hands over to a live member
 * (or, as the last one, finds no peer and skips the transfer), and each member exits in well under a second.
 */
async function stopInTurn(members: readonly TestMember[]): Promise<void> {
  for (const member of members) await stopMember(member);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves on the process's 'exit'. No-op once it has exited. */
export async function stopMember(member: TestMember, graceMs = 5000): Promise<void> {
  const { proc } = member;
  if (proc.exitCode !== null || proc.signalCode !== null || spawnErrors.has(proc)) return;
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resolves once the member's process has exited by itself (e.g. after being removed), or rejects after timeoutMs. */
export async function waitForExit(member: TestMember, timeoutMs: number): Promise<number | null> {
  const { proc } = member;
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${member.name} did not exit within ${timeoutMs} ms`)), timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

/** Poll `check` every `intervalMs` until it returns true; throws after `timeoutMs` naming `what`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Repeat `fn` while it throws a FerryError with one of `codes`, for up to `timeoutMs`. */
export async function retryOn<T>(codes: readonly string[], timeoutMs: number, fn: () => Promise<T>, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isFerryError(err) || !codes.includes(err.code) || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The last lines of a member's log, for failure messages. */
export function readLogTail(member: TestMember, lines = 15): string {
  try {
    return readFileSync(member.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function spawnMember(cluster: TestCluster, m: { name: string; ip: string; initialCluster: string; state: 'new' | 'existing' }): TestMember {
  const clientURL = `http://${m.ip}:${cluster.clientPort}`;
  const peerURL = `http://${m.ip}:${cluster.peerPort}`;
  const dataDir = join(cluster.dataRoot, m.name);
  const logPath = join(cluster.dataRoot, `${m.name}.log`);
  mkdirSync(cluster.dataRoot, { recursive: true });
  const args = [
    '--name', m.name, '--data-dir', dataDir,
    '--listen-client-urls', clientURL, '--advertise-client-urls', clientURL,
    '--listen-peer-urls', peerURL, '--initial-advertise-peer-urls', peerURL,
    '--initial-cluster', m.initialCluster, '--initial-cluster-state', m.state,
    '--initial-cluster-token', cluster.token,
    ...(cluster.enableV2 ? ['--enable-v2'] : []),
  ];
  const log = openSync(logPath, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(ETCD_BIN, args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  proc.once('error', (err) => {
    spawnErrors.set(proc, err);
    live.delete(proc);
  });
  return { name: m.name, ip: m.ip, clientURL, peerURL, dataDir, logPath, proc };
}

async function waitForCluster(members: readonly TestMember[], timeoutMs: number): Promise<void> {
  const admin = new Etcd3Admin({ endpoints: members.map((m) => m.clientURL), callTimeoutMs: 1000, dialTimeoutMs: 200 });
  try {
    await waitUntil('every member answers status and they agree on a leader', timeoutMs, async () => {
      members.forEach(assertRunning);
      const statuses = await Promise.all(members.map((m) => admin.status(m.clientURL).catch(() => undefined)));
      const leaders = new Set(statuses.map((s) => s?.leaderId));
      const ids = new Set(statuses.map((s) => s?.memberId));
      const [leader] = [...leaders];
      return leaders.size === 1 && leader !== undefined && leader !== '0' && ids.has(leader);
    });
  } finally {
    await admin.close();
  }
}

function assertRunning(member: TestMember): void {
  const { proc } = member;
  const spawnError = spawnErrors.get(proc);
  if (spawnError !== undefined) throw new Error(`cannot start ${ETCD_BIN} for ${member.name}: ${spawnError.message}`);
  if (proc.exitCode !== null || proc.signalCode !== null) {
    throw new Error(`etcd member ${member.name} exited (code ${proc.exitCode}, signal ${proc.signalCode}):\n${readLogTail(member)}`);
  }
}

async function readLeaderName(members: readonly TestMember[]): Promise<string> {
  const running = members.filter((m) => m.proc.exitCode === null && m.proc.signalCode === null);
  const admin = new Etcd3Admin({ endpoints: running.map((m) => m.clientURL), callTimeoutMs: 2000 });
  try {
    for (const m of running) {
      const s = await admin.status(m.clientURL).catch(() => undefined);
      if (s !== undefined && s.leaderId !== '0' && s.memberId === s.leaderId) return m.name;
    }
  } finally {
    await admin.close();
  }
  throw new Error(`no running member reports itself as leader (${running.map((m) => m.name).join(', ')})`);
}
