/**
 * Etcd3Admin against a real etcd 3.4 cluster. This file owns 127.19.0.1–127.19.0.5 (client port 4012, peer 4010).
 * The tests run in order and share one cluster: a1–a3 start as voters, a4 joins as a learner and is promoted,
 * leadership moves to it, a1 is removed, a5 joins as a learner and stays one.
 */
import { test, describe, before, after } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, openSync, readFileSync, closeSync, readSync, writeSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Etcd3Admin } from '../../src/adapters/etcd/client.ts';
import { hexToId, idToHex, parseBigJson, parseJsonId } from '../../src/etcd/ids.ts';
import { readSnapshotDigest, verifySnapshotFile } from '../../src/adapters/etcd/snapshot-file.ts';
import { FerryError } from '../../src/errors.ts';
import type { MemberInfo } from '../../src/etcd/types.ts';
import { buildInitialCluster, retryOn, startEtcdCluster, startExtraMember, waitForExit, waitUntil } from '../helpers/etcd-cluster.ts';
import type { TestCluster } from '../helpers/etcd-cluster.ts';

const IP = (n: number): string => `127.19.0.${n}`;
const PEER = (n: number): string => `http://${IP(n)}:4010`;
const CLIENT = (n: number): string => `http://${IP(n)}:4012`;

function isCode(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FerryError, `expected a FerryError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

/** Runs `fn`, reports how long it took as a test diagnostic. */
async function timed<T>(t: TestContext, label: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    t.diagnostic(`${label}: ${(performance.now() - start).toFixed(1)} ms`);
  }
}

function etcdctl(args: string[]): string {
  return execFileSync('etcdctl', args, { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 20_000 });
}

describe('Etcd3Admin against etcd 3.4', () => {
  let dataRoot = '';
  let cluster: TestCluster | undefined;
  let admin: Etcd3Admin | undefined;
  const a = (): Etcd3Admin => admin ?? assert.fail('no admin');
  const c = (): TestCluster => cluster ?? assert.fail('no cluster');
  const idOf: Record<string, string> = {};
  let learner: MemberInfo | undefined;

  before(async () => {
    dataRoot = mkdtempSync(join(tmpdir(), 'ferry-etcd-client-'));
    cluster = await startEtcdCluster({ ips: [IP(1), IP(2), IP(3)], names: ['a1', 'a2', 'a3'], dataRoot });
    admin = new Etcd3Admin({ endpoints: cluster.endpoints });
  });

  after(async () => {
    await admin?.close();
    await cluster?.stop();
    if (dataRoot !== '') rmSync(dataRoot, { recursive: true, force: true });
  });

  test('memberList: decimal string IDs that match etcdctl hex and json', async (t) => {
    const members = await timed(t, 'memberList (pool)', () => a().memberList());
    assert.deepEqual(members.map((m) => m.name).sort(), ['a1', 'a2', 'a3']);
    for (const m of members) {
      assert.match(m.id, /^[0-9]+$/);
      assert.equal(hexToId(idToHex(m.id)), m.id);
      assert.equal(m.isLearner, false);
      idOf[m.name] = m.id;
    }
    const simple = etcdctl(['--endpoints', CLIENT(1), 'member', 'list']);
    const hexByName = Object.fromEntries(simple.trim().split('\n').map((line) => line.split(', ')).map((f) => [f[2], f[0]]));
    for (const m of members) assert.equal(hexByName[m.name], idToHex(m.id));
    const json = parseBigJson(etcdctl(['--endpoints', CLIENT(1), 'member', 'list', '-w', 'json'])) as { members: Array<{ ID: bigint; name: string }> };
    assert.deepEqual(json.members.map((m) => parseJsonId(m.ID)).sort(), members.map((m) => m.id).sort());
    const viaOne = await timed(t, 'memberList(endpoint)', () => a().memberList(CLIENT(2)));
    assert.deepEqual(viaOne.map((m) => m.id).sort(), members.map((m) => m.id).sort());
  });

  test('status on each endpoint: its own ID, one agreed leader', async (t) => {
    const statuses = [];
    for (const n of [1, 2, 3]) statuses.push(await timed(t, `status ${CLIENT(n)}`, () => a().status(CLIENT(n))));
    const leaders = new Set(statuses.map((s) => s.leaderId));
    assert.equal(leaders.size, 1);
    assert.ok(Object.values(idOf).includes([...leaders][0] ?? ''));
    statuses.forEach((s, i) => {
      assert.equal(s.endpoint, CLIENT(i + 1));
      assert.equal(s.memberId, idOf[`a${i + 1}`]);
      assert.equal(s.isLearner, false);
      assert.equal(typeof s.raftIndex, 'bigint');
      assert.ok(s.raftAppliedIndex > 0n && s.raftTerm > 0n && s.dbSize > 0n);
      assert.equal(s.version, '3.4.23');
    });
    const name = await c().leaderName();
    assert.equal(idOf[name], [...leaders][0]);
  });

  test('calls are bounded: refused endpoint, silent endpoint, dead endpoint in the pool', async (t) => {
    await assert.rejects(timed(t, 'status on a refused port', () => a().status(`http://${IP(3)}:4999`)), isCode('ETCD_UNAVAILABLE'));
    // A TCP server that accepts and never answers: only the deadline ends the call.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(4998, IP(5), r));
    const short = new Etcd3Admin({ endpoints: [`http://${IP(5)}:4998`], callTimeoutMs: 500 });
    try {
      const err = await timed(t, 'status on a silent server (callTimeoutMs 500)', () => short.status(`http://${IP(5)}:4998`).then(() => undefined, (e: unknown) => e));
      assert.ok(err instanceof FerryError && err.code === 'ETCD_UNAVAILABLE' && err.retryable, String(err));
    } finally {
      await short.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
    // Not-sent failures fail over to the next endpoint; ten tries make a pick of the dead one all but certain.
    const withDead = new Etcd3Admin({ endpoints: [`http://${IP(3)}:4999`, CLIENT(1)] });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await withDead.memberList()).length, 3);
    } finally {
      await withDead.close();
    }
  });

  test('addLearner: an unstarted learner with an empty name; a second one is refused', async (t) => {
    // Right after start, strict reconfig check refuses changes for ~5 s.
    learner = await timed(t, 'addLearner incl. retries on ETCD_UNHEALTHY_CLUSTER', () => retryOn(['ETCD_UNHEALTHY_CLUSTER'], 15_000, () => a().addLearner(PEER(4))));
    assert.equal(learner.name, '');
    assert.equal(learner.isLearner, true);
    assert.deepEqual(learner.peerURLs, [PEER(4)]);
    const listed = (await a().memberList()).find((m) => m.id === learner?.id);
    assert.deepEqual(listed, { id: learner.id, name: '', peerURLs: [PEER(4)], clientURLs: [], isLearner: true });
    await assert.rejects(
      retryOn(['ETCD_UNHEALTHY_CLUSTER'], 15_000, () => a().addLearner(PEER(5))),
      isCode('ETCD_TOO_MANY_LEARNERS'),
    );
    await assert.rejects(retryOn(['ETCD_UNHEALTHY_CLUSTER'], 15_000, () => a().addLearner(PEER(4))), isCode('ETCD_PEER_URL_EXISTS'));
  });

  test('promote before the learner runs: ETCD_LEARNER_NOT_READY (retryable)', async () => {
    const id = learner?.id ?? assert.fail('no learner');
    await assert.rejects(a().promote(id), (err: unknown) => isCode('ETCD_LEARNER_NOT_READY')(err) && (err as FerryError).retryable);
  });

  test('start the learner, wait for catch-up, promote', async (t) => {
    const id = learner?.id ?? assert.fail('no learner');
    const members = await a().memberList();
    const initialCluster = buildInitialCluster(members.map((m) => ({ name: m.id === id ? 'a4' : m.name, peerURL: m.peerURLs[0] ?? '' })));
    await timed(t, 'start a4 until status has a leader', () => startExtraMember(c(), { name: 'a4', ip: IP(4), initialCluster, state: 'existing' }));
    const learnerStatus = await a().status(CLIENT(4));
    assert.equal(learnerStatus.isLearner, true);
    assert.equal(learnerStatus.memberId, id);
    await timed(t, 'catch-up (applied >= leader raftIndex)', () =>
      waitUntil('a4 caught up', 15_000, async () => {
        const leader = await a().status(CLIENT(1)).then((s) => a().status(s.leaderId === idOf['a1'] ? CLIENT(1) : s.leaderId === idOf['a2'] ? CLIENT(2) : CLIENT(3)));
        return (await a().status(CLIENT(4))).raftAppliedIndex >= leader.raftIndex;
      }),
    );
    await timed(t, 'promote incl. retries on ETCD_LEARNER_NOT_READY', () => retryOn(['ETCD_LEARNER_NOT_READY', 'ETCD_UNHEALTHY_CLUSTER'], 15_000, () => a().promote(id)));
    // MemberList is answered by whichever member the pool picks, from its own applied state: a member that has not
    // applied the promotion yet still lists a learner for a moment (etcd 3.4 serves it without a quorum read).
    let promoted: Awaited<ReturnType<Etcd3Admin['memberList']>>[number] | undefined;
    await waitUntil('the member list shows a4 as a voter', 5_000, async () => {
      promoted = (await a().memberList()).find((x) => x.id === id);
      return promoted?.isLearner === false;
    });
    assert.equal(promoted?.name, 'a4');
    assert.equal(promoted?.isLearner, false);
    idOf['a4'] = id;
    await assert.rejects(a().promote(id), isCode('ETCD_MEMBER_NOT_LEARNER'));
    a().setEndpoints([CLIENT(1), CLIENT(2), CLIENT(3), CLIENT(4)]);
  });

  test('moveLeader to a4 via the leader; via a non-leader: ETCD_NOT_LEADER', async (t) => {
    const target = idOf['a4'] ?? assert.fail('a4 not promoted');
    const leaderName = await c().leaderName();
    const leaderEndpoint = c().members.find((m) => m.name === leaderName)?.clientURL ?? assert.fail('leader not found');
    await timed(t, `moveLeader ${leaderName} -> a4`, () => a().moveLeader(target, leaderEndpoint));
    await waitUntil('a4 leads', 10_000, async () => (await c().leaderName()) === 'a4');
    const statuses = await Promise.all([1, 2, 3, 4].map((n) => a().status(CLIENT(n))));
    assert.ok(statuses.every((s) => s.leaderId === target));
    await assert.rejects(a().moveLeader(idOf['a1'] ?? '', CLIENT(2)), (err: unknown) => isCode('ETCD_NOT_LEADER')(err) && (err as FerryError).retryable);
  });

  test('remove a1 (retrying the strict reconfig check); its process exits by itself', async (t) => {
    const id = idOf['a1'] ?? assert.fail('no a1');
    a().setEndpoints([CLIENT(2), CLIENT(3), CLIENT(4)]);
    await timed(t, 'remove incl. retries on ETCD_UNHEALTHY_CLUSTER', () => retryOn(['ETCD_UNHEALTHY_CLUSTER'], 15_000, () => a().remove(id)));
    assert.deepEqual((await a().memberList()).map((m) => m.name).sort(), ['a2', 'a3', 'a4']);
    const a1 = c().members.find((m) => m.name === 'a1') ?? assert.fail('no a1 process');
    assert.equal(await timed(t, 'removed member exits', () => waitForExit(a1, 15_000)), 0);
    await assert.rejects(a().remove(id), isCode('ETCD_MEMBER_NOT_FOUND'));
  });

  test('a learner refuses linearizable reads: ETCD_LEARNER_RPC', async (t) => {
    const added = await retryOn(['ETCD_UNHEALTHY_CLUSTER'], 15_000, () => a().addLearner(PEER(5)));
    const initialCluster = buildInitialCluster((await a().memberList()).map((m) => ({ name: m.id === added.id ? 'a5' : m.name, peerURL: m.peerURLs[0] ?? '' })));
    await startExtraMember(c(), { name: 'a5', ip: IP(5), initialCluster, state: 'existing' });
    assert.equal((await a().status(CLIENT(5))).isLearner, true);
    await assert.rejects(timed(t, 'linearizableRead on a learner', () => a().linearizableRead(CLIENT(5))), isCode('ETCD_LEARNER_RPC'));
    const { revision } = await timed(t, 'linearizableRead on a voter', () => a().linearizableRead(CLIENT(4)));
    assert.match(revision, /^[0-9]+$/);
  });

  test('alarms: none; a raised NOSPACE alarm is reported with its member', async (t) => {
    assert.deepEqual(await timed(t, 'alarms', () => a().alarms()), []);
    const member = idOf['a2'] ?? assert.fail('no a2');
    const raw = new Etcd3({ hosts: CLIENT(2) });
    try {
      await raw.maintenance.alarm({ action: 'Activate', memberID: member, alarm: 'Nospace' });
      try {
        assert.deepEqual(await a().alarms(), [{ memberId: member, alarm: 'NOSPACE' }]);
      } finally {
        await raw.maintenance.alarm({ action: 'Deactivate', memberID: member, alarm: 'Nospace' });
      }
    } finally {
      raw.close();
    }
    assert.deepEqual(await a().alarms(), []);
  });

  test('saveSnapshot: trailer hash and etcdctl status verified; a flipped byte is caught', async (t) => {
    const raw = new Etcd3({ hosts: CLIENT(2) });
    try {
      for (let i = 0; i < 50; i++) await raw.put(`/ferry-test/k${i}`).value(`v${i}`.repeat(100));
    } finally {
      raw.close();
    }
    const path = join(dataRoot, 'snap.db');
    const info = await timed(t, 'saveSnapshot', () => a().saveSnapshot(CLIENT(3), path));
    const bytes = readFileSync(path);
    assert.equal(info.path, path);
    assert.equal(info.endpoint, CLIENT(3));
    assert.equal(info.sizeBytes, bytes.length);
    assert.equal(info.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(bytes.length % 512, 32);
    assert.equal(info.verified.trailerHash, true);
    const st = info.verified.etcdctlStatus ?? assert.fail('etcdctl is installed, so its status should be recorded');
    assert.ok(BigInt(st.revision) >= BigInt(info.revision) && BigInt(info.revision) >= 50n, `${st.revision} vs ${info.revision}`);
    assert.ok(st.totalKeys >= 50);
    assert.throws(() => statSync(`${path}.part`));

    for (const offset of [Math.floor(bytes.length / 2), bytes.length - 1]) {
      const copy = join(dataRoot, `flipped-${offset}.db`);
      copyFileSync(path, copy);
      const fd = openSync(copy, 'r+');
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, offset);
      writeSync(fd, Buffer.from([b[0] === undefined ? 0 : b[0] ^ 0xff]), 0, 1, offset);
      closeSync(fd);
      assert.equal((await readSnapshotDigest(copy)).trailerHash, false);
      await assert.rejects(verifySnapshotFile(copy), isCode('ETCD_SNAPSHOT_CORRUPT'));
    }
    await assert.rejects(a().saveSnapshot(CLIENT(3), join(dataRoot, 'no-such-dir', 'snap.db')), isCode('ETCD_SNAPSHOT_WRITE'));
    await assert.rejects(a().saveSnapshot(CLIENT(5), join(dataRoot, 'learner.db')), isCode('ETCD_LEARNER_RPC'));
  });

  test('after close, setEndpoints/calls are bugs, close is idempotent', async () => {
    const extra = new Etcd3Admin({ endpoints: [CLIENT(2)] });
    await extra.close();
    await extra.close();
    await assert.rejects(extra.status(CLIENT(2)), /after close/);
  });
});
