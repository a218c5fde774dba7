/**
 * etcd faults during a migration (issue 6 §2), each on its own lab with a writer putting unique keys throughout:
 * every case ends completed or cleanly rolled back to a healthy cluster, every acknowledged key reads back with
 * `etcdctl get`, and the error says what happened, where, and what to do.
 *   1. a new member that cannot start: its data dir cannot be created (rolled back, resumed once fixed), and a data
 *      dir holding another cluster's data (moved aside, kept, migration completes). (Port taken: migrate-failures.)
 *   2. a learner that never catches up: its peer traffic blocked through TCP proxies (rolled back, then resumed).
 *   3. an old voter that dies while a learner catches up (promote refused, rolled back), and one that dies between
 *      two replacements (the next step refused before anything changes); each brought back, then `ferry resume`.
 *   4. an old voter that dies right after the replaced member's removal: the step's gate fails and it cannot be undone
 *      (exit 3, forwardOnly); resume is refused while the voter is down, and finishes the step forward once it is back.
 * Faults are timed through the run's deps (a hook on an etcd call ferry makes anyway), so they land at one exact
 * point of the step, not at a guessed moment.
 * This file owns 127.43.1.* (case 1), 127.43.2.* (case 2), 127.43.3.* (case 3), 127.43.4.* (case 4): peer port 4010, client 4012.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { ExitCode } from '../../src/errors.ts';
import { readClusterHealth, renderFailedChecks } from '../../src/observe/etcd-health.ts';
import { idToHex } from '../../src/etcd/ids.ts';
import type { MemberInfo } from '../../src/etcd/types.ts';
import type { Host } from '../../src/ports/host.ts';
import { LabHost } from '../../src/lab/host.ts';
import type { EtcdMember } from '../../src/inventory/types.ts';
import type { WriteRecord } from '../../src/write-load/writer.ts';
import { startWriterThread, type ThreadWriter } from '../../src/write-load/writer-thread.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import type { Plan } from '../../src/plan/types.ts';
import type { ErrorRecord } from '../../src/run/events.ts';
import type { OwnedDeps } from '../../src/app/deps.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { loadRun } from '../../src/app/session.ts';
import { startLabFixture, type LabFixture } from '../helpers/lab-fixture.ts';
import { applyInProcess, assertMigrated, clientURLs, openAdmin, planFor, processesOf, readEvents, resumeInProcess, withDeps } from '../helpers/migration.ts';
import { waitUntil } from '../helpers/etcd-cluster.ts';
import { recordReliability } from '../helpers/reliability.ts';

const run = promisify(execFile);
const KEY_ROOT = 'faults';
/** 50 writes/s: enough to move the leader's index while a learner is cut off, light on a shared 2-core machine. */
const WRITE_INTERVAL_MS = 20;

// ---------- load and its check ----------

/**
 * The writer runs in a worker thread (as `ferry demo` runs it), so that ferry's synchronous journal writes here do
 * not stall it. It is stopped for each check of the keys and started again (under a new tag) for the next phase;
 * `stop()` returns every write of every phase so far.
 */
class Load {
  private readonly all: WriteRecord[] = [];
  private current: ThreadWriter | undefined;
  private phase = 0;
  constructor(
    private readonly fixture: LabFixture,
    readonly tag: string,
  ) {}
  async start(): Promise<void> {
    const endpoints = [...clientURLs(this.fixture, 'old'), ...clientURLs(this.fixture, 'new')];
    this.current = await startWriterThread({ endpoints, tag: `${this.tag}-${this.phase++}`, keyRoot: KEY_ROOT, intervalMs: WRITE_INTERVAL_MS });
  }
  async stop(): Promise<readonly WriteRecord[]> {
    const w = this.current;
    this.current = undefined;
    if (w !== undefined) this.all.push(...(await w.stop()).records);
    return this.all;
  }
}

/** Every acknowledged key so far, read back with etcdctl (an independent checker) from `endpoints`. */
async function checkAcked(load: Load, endpoints: readonly string[]): Promise<{ acked: number; lost: number; missing: string[] }> {
  const records = await load.stop();
  const acked = records.filter((r) => r.ackAt !== undefined);
  const { stdout } = await run('etcdctl', ['--endpoints', endpoints.join(','), '--command-timeout=20s', 'get', '--prefix', `${KEY_ROOT}/${load.tag}-`, '--keys-only'], {
    maxBuffer: 256 << 20,
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  const present = new Set(stdout.split('\n').filter((l) => l !== ''));
  const missing = acked.filter((r) => !present.has(r.key)).map((r) => r.key);
  return { acked: acked.length, lost: missing.length, missing: missing.slice(0, 10) };
}

// ---------- the cluster ----------

async function readMembers(urls: readonly string[]): Promise<MemberInfo[]> {
  const admin = openAdmin(urls);
  try {
    return (await admin.memberList()).sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    await admin.close();
  }
}

async function waitHealthy(urls: readonly string[], what: string): Promise<void> {
  const admin = openAdmin(urls);
  let last = '';
  try {
    await waitUntil(what, 60_000, async () => {
      const h = await readClusterHealth(admin);
      last = renderFailedChecks(h);
      return h.ok;
    }, 250);
  } catch (err) {
    throw new Error(`${String(err)}: ${last}`);
  } finally {
    await admin.close();
  }
}

async function assertHealthy(urls: readonly string[], what: string): Promise<void> {
  const admin = openAdmin(urls);
  try {
    const h = await readClusterHealth(admin);
    assert.ok(h.ok, `${what}: ${renderFailedChecks(h)}`);
  } finally {
    await admin.close();
  }
}

function replaceSteps(plan: Plan): Extract<ReturnType<typeof planSteps>[number], { kind: 'etcd.replace' }>[] {
  return planSteps(plan).flatMap((s) => (s.kind === 'etcd.replace' ? [s] : []));
}

/** The plan with every etcd step's catch-up bound set to `ms` (what an operator does by editing a saved plan). */
function withCatchUpTimeout(plan: Plan, ms: number): Plan {
  return JSON.parse(JSON.stringify(plan), (key: string, value: unknown) => (key === 'catchUpTimeoutMs' ? ms : value)) as Plan;
}

/** The error a failed case must carry: its code, the member (and host) it concerns, and a hint. */
function assertClearError(error: ErrorRecord | undefined, code: string, member: EtcdMember, hintMentions: readonly string[]): void {
  assert.ok(error, 'the run reports an error');
  assert.equal(error.code, code, JSON.stringify(error));
  assert.match(error.message, new RegExp(`\\b${member.name}\\b`), `the message names ${member.name}: ${error.message}`);
  assert.equal(error.subjects?.['member'], member.name, `subjects: ${JSON.stringify(error.subjects)}`);
  assert.ok(error.hint !== undefined && error.hint.length > 20, `a hint: ${error.hint}`);
  for (const m of hintMentions) assert.ok(error.hint.includes(m), `the hint mentions ${m}: ${error.hint}`);
}

// ---------- hooks on the run's deps ----------

interface Hooks {
  /** Runs after a status call that succeeded, before ferry sees its answer. */
  afterStatus?: (url: string) => Promise<void>;
  /** Runs before every member list ferry reads. */
  beforeMemberList?: () => Promise<void>;
  /** Rewrites a file ferry writes on a host. */
  rewriteFile?: (address: string, path: string, data: string | Buffer) => string | Buffer;
}

function instrument(deps: OwnedDeps, hooks: Hooks): void {
  const etcd = deps.etcd;
  const status = etcd.status.bind(etcd);
  const memberList = etcd.memberList.bind(etcd);
  Object.assign(etcd, {
    status: async (url: string) => {
      const s = await status(url);
      await hooks.afterStatus?.(url);
      return s;
    },
    memberList: async (endpoint?: string) => {
      await hooks.beforeMemberList?.();
      return memberList(endpoint);
    },
  });
  const rewrite = hooks.rewriteFile;
  if (rewrite === undefined) return;
  const openHost = deps.host.bind(deps);
  const patched = new WeakSet<Host>();
  Object.assign(deps, {
    host: async (address: string) => {
      const h = await openHost(address);
      if (!patched.has(h)) {
        patched.add(h);
        const writeFile = h.writeFile.bind(h);
        Object.assign(h, { writeFile: (path: string, data: string | Buffer, o?: Parameters<Host['writeFile']>[2]) => writeFile(path, rewrite(address, path, data), o) });
      }
      return h;
    },
  });
}

const fixtureDirs: string[] = [];
after(() => {
  for (const dir of fixtureDirs) assert.deepEqual(processesOf(dir), [], `no process of ${dir} is left`);
});

// ---------- 1. a new member that cannot start ----------

describe('a new member that cannot start: a bad data dir', () => {
  let fixture: LabFixture;
  let load: Load | undefined;
  const tag = `baddir-${process.pid}`;
  before(async () => {
    const prefix = '127.43.1';
    fixture = await startLabFixture(prefix, 3, 3, {
      etcd: {
        old: [0, 1, 2].map((i) => ({ name: `old${i}`, host: `${prefix}.${31 + i}` })),
        // new0's data dir lives under /srv/etcd, which the test makes a file: etcd cannot create its data dir.
        new: [0, 1, 2].map((i) => ({ name: `new${i}`, host: `${prefix}.${21 + i}`, ...(i === 0 ? { dataDir: '/srv/etcd/data' } : {}) })),
      },
    });
    fixtureDirs.push(fixture.dir);
  });
  after(async () => {
    await load?.stop();
    await fixture.cleanup();
  });

  test('data dir cannot be created → step rolled back (exit 1); the cause removed, resume completes; another cluster\'s data dir is moved aside and kept', { timeout: 600_000 }, async () => {
    const [n0, n1] = fixture.inventory.etcd.new;
    assert.ok(n0 && n1);
    const h0 = new LabHost(fixture.labDir, n0.host);
    const h1 = new LabHost(fixture.labDir, n1.host);
    rmSync(h0.mapPath('/srv/etcd'), { recursive: true }); // the lab made it (empty), as an installer would
    writeFileSync(h0.mapPath('/srv/etcd'), 'a file where the data dir\'s parent should be\n');
    // new1's data dir holds data of another cluster (a leftover member dir): ferry must keep it, out of the way.
    await h1.mkdir(`${n1.dataDir}/member/wal`);
    await h1.writeFile(`${n1.dataDir}/member/wal/0000000000000000-0000000000000000.wal`, 'foreign wal\n');
    const oldURLs = clientURLs(fixture, 'old');
    const membersBefore = await readMembers(oldURLs);
    load = new Load(fixture, tag);
    await load.start();

    const started = performance.now();
    let runId = '';
    let failedCode = '';
    await withDeps(fixture, async (deps) => {
      const plan = await planFor(fixture, deps);
      const steps = replaceSteps(plan);
      assert.equal(steps[0]?.params.new.name, n0.name, 'the first replacement brings in new0');
      assert.equal(steps[1]?.params.new.name, n1.name, 'the second brings in new1');
      const r = await applyInProcess(fixture, deps, plan);
      runId = r.runId;
      failedCode = r.outcome.error?.code ?? '';
      assert.equal(r.outcome.exitCode, ExitCode.failedRolledBack, JSON.stringify(r.outcome));
      assert.equal(r.outcome.runState, 'rolled-back');
      assert.equal(r.outcome.failedStep, steps[0]?.id);
      assert.ok(['ETCD_MEMBER_START_FAILED', 'ETCD_MEMBER_START_TIMEOUT'].includes(r.outcome.error?.code ?? ''), JSON.stringify(r.outcome.error));
      assertClearError(r.outcome.error, r.outcome.error?.code ?? '', n0, [n0.host]);
      assert.ok(r.outcome.error?.message.includes(n0.host), 'the message names the host');
      assert.equal(foldJournal(readEvents(r.runDir)).steps.get(steps[0]?.id ?? '')?.state, 'rolled-back');
    });
    const failedSeconds = (performance.now() - started) / 1000;

    // Rolled back: the original members (same ids, no learner), new0 stopped, the cluster healthy, nothing lost.
    assert.deepEqual(await readMembers(oldURLs), membersBefore, 'the member list is the original one');
    assert.ok(['inactive', 'failed'].includes(await h0.serviceState(n0.service)), `${n0.name}'s unit is not running`);
    await assertHealthy(oldURLs, 'the old cluster is healthy after the rollback');
    const afterRollback = await checkAcked(load, oldURLs);
    await load.start();
    assert.equal(afterRollback.lost, 0, `acknowledged keys missing: ${afterRollback.missing.join(', ')}`);
    recordReliability('faults', {
      case: 'new etcd member cannot start: data dir cannot be created (its parent is a file)',
      outcome: 'rolled back',
      code: failedCode,
      exitCode: ExitCode.failedRolledBack,
      keysAcked: afterRollback.acked,
      lost: afterRollback.lost,
      seconds: Math.round(failedSeconds),
      then: 'cause removed, resume completed',
    });

    // The operator removes the cause (the file is moved, not deleted), then resumes.
    await h0.rename('/srv/etcd', '/srv/etcd.not-a-dir');
    const resumedAt = performance.now();
    await withDeps(fixture, async (deps) => {
      const r = await resumeInProcess(fixture, deps, runId);
      assert.equal(r.outcome.runState, 'done', JSON.stringify(r.outcome.error));
      assert.equal(r.outcome.exitCode, ExitCode.ok);
    });
    await assertMigrated(fixture, runId);
    assert.equal(await h1.exists(`${n1.dataDir}.ferry-preexisting-${runId}/member/wal/0000000000000000-0000000000000000.wal`), true, 'the foreign data dir is kept, moved aside');
    assert.equal(await h0.exists('/srv/etcd.not-a-dir'), true);
    const final = await checkAcked(load, clientURLs(fixture, 'new'));
    assert.equal(final.lost, 0, `acknowledged keys missing: ${final.missing.join(', ')}`);
    assert.ok(final.acked > 0, 'the writer was acknowledged');
    recordReliability('faults', {
      case: "new etcd member's data dir holds another cluster's data",
      outcome: 'completed',
      code: 'none',
      exitCode: ExitCode.ok,
      keysAcked: final.acked,
      lost: final.lost,
      seconds: Math.round((performance.now() - resumedAt) / 1000),
      then: 'moved aside to <dataDir>.ferry-preexisting-<run>, kept',
    });
  });
});

// ---------- 2. a learner that never catches up ----------

/**
 * The proxies run in a child process of their own: raft heartbeats between the old members pass through them, and
 * must not wait for this process's event loop (busy with ferry, the writer and the checks on a loaded machine) —
 * or the cluster would hold elections for reasons of the test's making. Commands are JSON lines on stdin, one
 * JSON answer line each on stdout.
 */
const PROXY_HOST_SCRIPT = `
import { createInterface } from 'node:readline';
import { startTcpProxy } from ${JSON.stringify(new URL('../helpers/tcp-proxy.ts', import.meta.url).pathname)};
const allowed = new Set(JSON.parse(process.argv[1]));
let blocked = false;
const proxies = [];
// While blocked, raft requests (streams, pipeline, snapshots) from any member but the old ones are dropped. Probes
// (GET /raft/probing) carry no X-Server-From and no raft messages: they pass, so the old members never lose one.
const oldSide = (first) => {
  if (!blocked) return true;
  const text = first.toString('latin1');
  if (!/^[A-Z]+ \\/raft/.test(text)) return true;
  const from = /\\r\\nX-Server-From: *([0-9a-f]+)/i.exec(text)?.[1]?.toLowerCase();
  return from === undefined || allowed.has(from);
};
for await (const line of createInterface({ input: process.stdin })) {
  const c = JSON.parse(line);
  if (c.op === 'add') {
    const p = await startTcpProxy({ listenHost: c.listenHost, listenPort: c.listenPort, targetHost: c.targetHost, targetPort: c.targetPort, ...(c.side === 'old' ? { filter: oldSide } : {}) });
    proxies.push({ side: c.side, p });
  } else if (c.op === 'block' || c.op === 'unblock') {
    blocked = c.op === 'block';
    for (const { side, p } of proxies) {
      if (side === 'learner') p.mode = blocked ? 'blackhole' : 'forward';
      // Cut open links both ways: on block, the learner's live streams; on unblock, the connections held silent,
      // which a repaired network resets too (etcd then dials afresh instead of waiting on them, even to stop).
      p.cutAll();
    }
  }
  process.stdout.write(JSON.stringify({ dropped: proxies.reduce((n, x) => n + x.p.stats.dropped, 0) }) + '\\n');
}
for (const { p } of proxies) await p.close();
`;

interface ProxyHost {
  add(side: 'old' | 'learner', advertised: string, target: string): Promise<void>;
  block(): Promise<void>;
  unblock(): Promise<void>;
  /** Connections dropped so far. */
  dropped(): Promise<number>;
  close(): Promise<void>;
}

function startProxyHost(oldIdsHex: readonly string[]): ProxyHost {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROXY_HOST_SCRIPT, JSON.stringify(oldIdsHex)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const send = async (command: Record<string, unknown>): Promise<{ dropped: number }> => {
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const next = await answers.next();
    if (next.done === true) throw new Error('the proxy process exited');
    return JSON.parse(next.value) as { dropped: number };
  };
  return {
    async add(side, advertised, target) {
      const a = new URL(advertised);
      const t = new URL(target);
      await send({ op: 'add', side, listenHost: a.hostname, listenPort: Number(a.port), targetHost: t.hostname, targetPort: Number(t.port) });
    },
    block: async () => void (await send({ op: 'block' })),
    unblock: async () => void (await send({ op: 'unblock' })),
    dropped: async () => (await send({ op: 'stats' })).dropped,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Peer traffic is routed through proxies: every old member listens on a hidden address (127.43.2.13x) and a proxy
 * takes its advertised peer URL; the learner listens on 127.43.2.12x behind a proxy on its own advertised peer URL.
 * etcd 3.4 rafthttp carries the leader's entries to a follower over two paths: streams the FOLLOWER dials to the
 * leader's peer URL (`GET /raftstream/...` with `X-Server-From: <follower id>`), and the leader's pipeline and
 * snapshot POSTs to the follower's peer URL. Blocking the learner therefore takes both: the old members' proxies
 * drop raft requests from any member but the old ones, and the learner's proxy blackholes everything.
 * The block starts once the learner has started (answered ferry's first status call): before that it must reach
 * its peers to join (`GET /members`) and publish itself, or it would never answer — a different fault.
 */
describe('a learner that never catches up (its peer traffic blocked)', () => {
  const prefix = '127.43.2';
  let fixture: LabFixture;
  let load: Load | undefined;
  let proxies: ProxyHost | undefined;
  const tag = `catchup-${process.pid}`;
  const hidden = (url: string) => {
    const u = new URL(url);
    return `${u.protocol}//${prefix}.${Number(u.hostname.split('.')[3]) + 100}:${u.port}`;
  };

  before(async () => {
    fixture = await startLabFixture(prefix, 3, 3);
    fixtureDirs.push(fixture.dir);
    const oldURLs = clientURLs(fixture, 'old');
    proxies = startProxyHost((await readMembers(oldURLs)).map((m) => idToHex(m.id)));
    for (const o of fixture.inventory.etcd.old) {
      const host = new LabHost(fixture.labDir, o.host);
      await host.service(o.service, 'stop');
      const text = (await host.readFile(o.configFile))?.toString('utf8') ?? '';
      const moved = text.replace(`-listen-peer-urls ${o.peerURL}`, `-listen-peer-urls ${hidden(o.peerURL)}`);
      assert.notEqual(moved, text, `${o.configFile} of ${o.name} names its listen peer URL`);
      await host.writeFile(o.configFile, moved);
      await proxies.add('old', o.peerURL, hidden(o.peerURL));
      await host.service(o.service, 'start');
      await waitHealthy(oldURLs, `the old cluster is healthy after ${o.name} moved behind its proxy`);
    }
  });
  after(async () => {
    await load?.stop();
    await proxies?.close();
    await fixture.cleanup();
  });

  test('ferry waits its bounded catch-up time, fails (ETCD_CATCH_UP_TIMEOUT), removes the learner, exit 1; unblocked, resume completes', { timeout: 600_000 }, async () => {
    assert.ok(proxies);
    const px = proxies;
    const oldURLs = clientURLs(fixture, 'old');
    const membersBefore = await readMembers(oldURLs);
    let learner: EtcdMember | undefined;
    let blocked = false;
    let behindAtBlock = 0n;
    const hooks: Hooks = {
      rewriteFile: (address, path, data) => {
        if (learner === undefined || address !== learner.host || path !== learner.configFile) return data;
        return data.toString().replace(`-listen-peer-urls ${learner.peerURL}`, `-listen-peer-urls ${hidden(learner.peerURL)}`);
      },
      afterStatus: async (url) => {
        if (learner === undefined || url !== learner.clientURL || blocked) return;
        blocked = true;
        await px.block();
        // Return to ferry only once the leader has moved past the cut-off learner (the writer keeps it moving).
        const admin = openAdmin([...oldURLs, learner.clientURL]);
        try {
          await waitUntil('the leader is ahead of the blocked learner', 20_000, async () => {
            const self = await admin.status(learner?.clientURL ?? '');
            const leader = (await admin.memberList()).find((m) => m.id === self.leaderId);
            const lead = leader?.clientURLs[0] === undefined ? undefined : await admin.status(leader.clientURLs[0]);
            if (lead === undefined) return false;
            behindAtBlock = lead.raftIndex - self.raftAppliedIndex;
            return behindAtBlock > 5n;
          }, 100);
        } finally {
          await admin.close();
        }
      },
    };
    load = new Load(fixture, tag);
    await load.start();
    await waitHealthy(oldURLs, 'the old cluster is healthy under load');
    const started = performance.now();
    let runId = '';
    await withDeps(fixture, async (deps) => {
      instrument(deps, hooks);
      const plan = withCatchUpTimeout(await planFor(fixture, deps), 8_000);
      const first = replaceSteps(plan)[0];
      assert.ok(first);
      learner = first.params.new;
      await px.add('learner', learner.peerURL, hidden(learner.peerURL));
      const r = await applyInProcess(fixture, deps, plan);
      runId = r.runId;
      assert.ok(blocked, `the learner was cut off once it had started: ${JSON.stringify(r.outcome)}`);
      assert.equal(r.outcome.exitCode, ExitCode.failedRolledBack, JSON.stringify(r.outcome));
      assert.equal(r.outcome.runState, 'rolled-back');
      assert.equal(r.outcome.failedStep, first.id);
      assertClearError(r.outcome.error, 'ETCD_CATCH_UP_TIMEOUT', learner, ['peer URL', 'ferry resume']);
      assert.match(r.outcome.error?.message ?? '', /\d+ entries behind/, 'the message says how far behind');
      assert.ok(r.outcome.error?.message.includes(learner.host), 'the message names the host');
      const events = readEvents(r.runDir);
      assert.ok(events.some((e) => e.type === 'progress' && e.stepId === first.id && e.kind === 'catch-up'), 'catch-up progress was journaled');
      assert.ok(events.some((e) => e.type === 'action-finished' && e.stepId === first.id && e.action === 'remove-new-member'), 'the learner was removed');
    });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(learner);
    assert.ok((await px.dropped()) > 0, 'the proxies dropped the learner\'s traffic');

    assert.deepEqual(await readMembers(oldURLs), membersBefore, 'the member list is the original one (no learner)');
    const host = new LabHost(fixture.labDir, learner.host);
    assert.ok(['inactive', 'failed'].includes(await host.serviceState(learner.service)), 'the learner\'s unit is stopped');
    assert.equal(await host.exists(learner.dataDir), false, 'its data dir is moved aside');
    assert.equal(await host.exists(`${learner.dataDir}.ferry-rolledback-${runId}`), true, 'and kept');
    await assertHealthy(oldURLs, 'the old cluster is healthy after the rollback');
    const rolledBack = await checkAcked(load, oldURLs);
    await load.start();
    assert.equal(rolledBack.lost, 0, `acknowledged keys missing: ${rolledBack.missing.join(', ')}`);
    recordReliability('faults', {
      case: 'learner never catches up (peer traffic blocked by TCP proxies)',
      outcome: 'rolled back',
      code: 'ETCD_CATCH_UP_TIMEOUT',
      exitCode: ExitCode.failedRolledBack,
      keysAcked: rolledBack.acked,
      lost: rolledBack.lost,
      seconds: Math.round(seconds),
      behindAtBlock: Number(behindAtBlock),
      then: 'unblocked, resume completed',
    });

    // The network is repaired: the same run resumes and completes.
    await px.unblock();
    await withDeps(fixture, async (deps) => {
      instrument(deps, { ...(hooks.rewriteFile ? { rewriteFile: hooks.rewriteFile } : {}) });
      const r = await resumeInProcess(fixture, deps, runId);
      assert.equal(r.outcome.runState, 'done', JSON.stringify(r.outcome.error));
    });
    await assertMigrated(fixture, runId);
    const final = await checkAcked(load, clientURLs(fixture, 'new'));
    assert.equal(final.lost, 0, `acknowledged keys missing: ${final.missing.join(', ')}`);
  });
});

// ---------- 3. an old voter that dies mid-migration ----------

describe('an old voter dies mid-migration', () => {
  let fixture: LabFixture;
  let load: Load | undefined;
  const tag = `voter-${process.pid}`;
  before(async () => {
    fixture = await startLabFixture('127.43.3', 3, 3);
    fixtureDirs.push(fixture.dir);
  });
  after(async () => {
    await load?.stop();
    await fixture.cleanup();
  });

  test('dies while the learner catches up → promote refused, rolled back (exit 1); dies between replacements → next step refused (exit 2); each brought back, resume completes', { timeout: 900_000 }, async () => {
    const oldURLs = clientURLs(fixture, 'old');
    const membersBefore = await readMembers(oldURLs);
    load = new Load(fixture, tag);
    await load.start();
    let runId = '';
    let plan: Plan | undefined;

    // (a) A voter not being replaced dies the moment the learner has started.
    let started = performance.now();
    let victimA: EtcdMember | undefined;
    await withDeps(fixture, async (deps) => {
      plan = await planFor(fixture, deps);
      const [s1, s2] = replaceSteps(plan);
      assert.ok(s1 && s2);
      const learner = s1.params.new;
      victimA = s2.params.old;
      const victim = victimA;
      let fired = false;
      instrument(deps, {
        afterStatus: async (url) => {
          if (fired || url !== learner.clientURL) return;
          fired = true;
          await new LabHost(fixture.labDir, victim.host).service(victim.service, 'stop');
        },
      });
      const r = await applyInProcess(fixture, deps, plan);
      runId = r.runId;
      assert.ok(fired, `${victim.name} was stopped while ${learner.name} caught up: ${JSON.stringify(r.outcome)}`);
      assert.equal(r.outcome.exitCode, ExitCode.failedRolledBack, JSON.stringify(r.outcome));
      assert.equal(r.outcome.runState, 'rolled-back');
      assert.equal(r.outcome.failedStep, s1.id);
      assertClearError(r.outcome.error, 'ETCD_QUORUM_GUARD', victim, [victim.host, 'ferry resume']);
      const events = readEvents(r.runDir);
      assert.equal(events.some((e) => e.type === 'action-started' && e.stepId === s1.id && (e.action === 'promote' || e.action === 'remove-member')), false, 'nothing was promoted or removed');
      assert.ok(events.some((e) => e.type === 'action-finished' && e.stepId === s1.id && e.action === 'remove-new-member'), 'the learner was removed');
    });
    assert.ok(victimA && plan);
    const liveOld = oldURLs.filter((u) => u !== victimA?.clientURL);
    const live = (await readMembers(liveOld)).map((m) => ({ id: m.id, isLearner: m.isLearner }));
    assert.deepEqual(live, membersBefore.map((m) => ({ id: m.id, isLearner: false })), 'the member list is the original one');
    const degraded = await checkAcked(load, liveOld);
    await load.start();
    assert.equal(degraded.lost, 0, `acknowledged keys missing: ${degraded.missing.join(', ')}`);
    recordReliability('faults', {
      case: 'old voter dies while a learner catches up',
      outcome: 'rolled back',
      code: 'ETCD_QUORUM_GUARD',
      exitCode: ExitCode.failedRolledBack,
      keysAcked: degraded.acked,
      lost: degraded.lost,
      seconds: Math.round((performance.now() - started) / 1000),
      then: 'voter restarted, resume completed',
    });

    // Brought back; the resume redoes the first replacement, and (b) the old member the second step does NOT
    // replace dies right after the first one finished: the second step is refused before it changes anything.
    await new LabHost(fixture.labDir, victimA.host).service(victimA.service, 'start');
    await waitHealthy(oldURLs, `${victimA.name} is back and the cluster healthy`);
    const [s1, s2, s3] = replaceSteps(plan);
    assert.ok(s1 && s2 && s3);
    const victimB = s3.params.old;
    started = performance.now();
    await withDeps(fixture, async (deps) => {
      let fired = false;
      const runDir = loadRun(runId, fixture.env).runDir;
      instrument(deps, {
        beforeMemberList: async () => {
          if (fired || foldJournal(readEvents(runDir)).steps.get(s1.id)?.state !== 'done') return;
          fired = true;
          await new LabHost(fixture.labDir, victimB.host).service(victimB.service, 'stop');
        },
      });
      const r = await resumeInProcess(fixture, deps, runId);
      assert.ok(fired, `${victimB.name} was stopped after ${s1.id}`);
      assert.equal(r.outcome.exitCode, ExitCode.badInput, JSON.stringify(r.outcome));
      assert.equal(r.outcome.runState, 'refused');
      assert.equal(r.outcome.failedStep, s2.id);
      assertClearError(r.outcome.error, 'ETCD_UNHEALTHY', victimB, [victimB.host, 'ferry resume']);
      const events = readEvents(r.runDir);
      assert.equal(events.filter((e) => e.type === 'action-started' && e.stepId === s2.id).length, 0, 'the refused step changed nothing');
    });
    const nowURLs = [s1.params.new.clientURL, s2.params.old.clientURL];
    const members = await readMembers(nowURLs);
    assert.equal(members.length, 3, 'three voters: the first new member, and the two old ones');
    assert.ok(members.every((m) => !m.isLearner));
    const halted = await checkAcked(load, nowURLs);
    await load.start();
    assert.equal(halted.lost, 0, `acknowledged keys missing: ${halted.missing.join(', ')}`);
    const haltedSeconds = (performance.now() - started) / 1000;

    await new LabHost(fixture.labDir, victimB.host).service(victimB.service, 'start');
    await waitHealthy([...nowURLs, victimB.clientURL], `${victimB.name} is back and the cluster healthy`);
    await withDeps(fixture, async (deps) => {
      const r = await resumeInProcess(fixture, deps, runId);
      assert.equal(r.outcome.runState, 'done', JSON.stringify(r.outcome.error));
      assert.equal(r.outcome.exitCode, ExitCode.ok);
    });
    await assertMigrated(fixture, runId);
    const final = await checkAcked(load, clientURLs(fixture, 'new'));
    assert.equal(final.lost, 0, `acknowledged keys missing: ${final.missing.join(', ')}`);
    recordReliability('faults', {
      case: 'old voter dies between two replacements',
      outcome: 'halted, then resumed',
      code: 'ETCD_UNHEALTHY',
      exitCode: ExitCode.badInput,
      keysAcked: final.acked,
      lost: final.lost,
      seconds: Math.round(haltedSeconds),
    });
  });
});

describe('an old voter dies after the replaced member was removed (past the point of no return)', () => {
  let fixture: LabFixture;
  let load: Load | undefined;
  const tag = `noreturn-${process.pid}`;
  before(async () => {
    fixture = await startLabFixture('127.43.4', 3, 3);
    fixtureDirs.push(fixture.dir);
  });
  after(async () => {
    await load?.stop();
    await fixture.cleanup();
  });

  test('the gate fails and the step cannot be undone: exit 3 saying resume finishes it; refused while the voter is down; brought back, resume completes', { timeout: 900_000 }, async () => {
    load = new Load(fixture, tag);
    await load.start();
    const started = performance.now();
    let runId = '';
    let plan: Plan | undefined;
    let victim: EtcdMember | undefined;
    await withDeps(fixture, async (deps) => {
      plan = await planFor(fixture, deps);
      const [s1, s2] = replaceSteps(plan);
      assert.ok(s1 && s2);
      const v = s2.params.old;
      victim = v;
      // The moment the first step's old member is removed, another old voter (not the leader) stops.
      const remove = deps.etcd.remove.bind(deps.etcd);
      let fired = false;
      Object.assign(deps.etcd, {
        remove: async (id: string) => {
          await remove(id);
          if (fired || id !== s1.params.oldId) return;
          fired = true;
          await new LabHost(fixture.labDir, v.host).service(v.service, 'stop');
        },
      });
      const r = await applyInProcess(fixture, deps, plan);
      runId = r.runId;
      assert.ok(fired, `${v.name} was stopped after ${s1.params.old.name} was removed: ${JSON.stringify(r.outcome)}`);
      assert.equal(r.outcome.exitCode, ExitCode.rollbackFailed, JSON.stringify(r.outcome));
      assert.equal(r.outcome.runState, 'rollback-failed');
      assert.equal(r.outcome.failedStep, s1.id);
      assert.equal(r.outcome.error?.code, 'ROLLBACK_PAST_POINT_OF_NO_RETURN', JSON.stringify(r.outcome.error));
      assert.equal(r.outcome.error?.forwardOnly, true, 'the step can be finished forward');
      assert.match(r.outcome.error?.hint ?? '', /ferry resume/);
      const events = readEvents(r.runDir);
      assert.ok(events.some((e) => e.type === 'gate' && e.stepId === s1.id && !e.ok), 'the step\'s gate failed');
    });
    assert.ok(plan && victim);
    const [s1, s2] = replaceSteps(plan);
    assert.ok(s1 && s2);
    const liveURLs = [s1.params.new.clientURL, ...clientURLs(fixture, 'old').filter((u) => u !== s1.params.old.clientURL && u !== victim?.clientURL)];
    const members = await readMembers(liveURLs);
    assert.equal(members.length, 3, 'three voters: the new member, the stopped one and the last old one');
    const degraded = await checkAcked(load, liveURLs);
    await load.start();
    assert.equal(degraded.lost, 0, `acknowledged keys missing: ${degraded.missing.join(', ')}`);

    // Resumed while the voter is still down: the step's precheck refuses, changing nothing.
    await withDeps(fixture, async (deps) => {
      const r = await resumeInProcess(fixture, deps, runId);
      assert.equal(r.outcome.exitCode, ExitCode.badInput, JSON.stringify(r.outcome));
      assert.equal(r.outcome.runState, 'refused');
      assert.equal(r.outcome.failedStep, s1.id);
      assert.equal(r.outcome.error?.code, 'ETCD_UNHEALTHY');
    });

    // Brought back: resume finishes the step forward, then the rest of the migration.
    const v = victim;
    await new LabHost(fixture.labDir, v.host).service(v.service, 'start');
    await waitHealthy([...liveURLs, v.clientURL], `${v.name} is back and the cluster healthy`);
    await withDeps(fixture, async (deps) => {
      const r = await resumeInProcess(fixture, deps, runId);
      assert.equal(r.outcome.runState, 'done', JSON.stringify(r.outcome.error));
      assert.equal(r.outcome.exitCode, ExitCode.ok);
      const states = readEvents(r.runDir).filter((e) => e.type === 'step-state' && e.stepId === s1.id).map((e) => (e.type === 'step-state' ? e.state : ''));
      assert.deepEqual(states.slice(-4), ['rollback-failed', 'running', 'verifying', 'done'], 'the step was finished forward');
    });
    await assertMigrated(fixture, runId);
    const final = await checkAcked(load, clientURLs(fixture, 'new'));
    assert.equal(final.lost, 0, `acknowledged keys missing: ${final.missing.join(', ')}`);
    recordReliability('faults', {
      case: 'old voter dies after the replaced member was removed',
      outcome: 'exit 3 (cannot be undone), resume refused while down, then finished forward',
      code: 'ROLLBACK_PAST_POINT_OF_NO_RETURN',
      exitCode: ExitCode.rollbackFailed,
      keysAcked: final.acked,
      lost: final.lost,
      seconds: Math.round((performance.now() - started) / 1000),
    });
  });
});
