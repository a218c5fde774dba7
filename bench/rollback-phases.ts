/**
 * Issue 6 §3, full rollback: a forward run stopped in phase N (SIGKILL by FERRY_FAULT), or finished (phase 9), then
 * `ferry rollback --yes`, then an independent check of the OLD topology — etcdctl's member list is exactly the old
 * peer URLs (with fresh IDs), every seeded and every acknowledged key reads back, the old apiserver serves with
 * every node Ready and the nodes' files on the old master and etcd, the new master's services stopped, `dig`
 * answers through the cluster DNS with the DNS pods on the old etcd and master, the console record old with its
 * watcher RUNNING and the console service active.
 *
 *   node --import tsx bench/rollback-phases.ts [--phases 1,2,…] [--no-write]     (npm run torture:rollback)
 *
 * Runs all nine phases, one lab each (one after another, on the same addresses), and writes the
 * `rollback-all-phases` section of RELIABILITY.md. test/integration/rollback-phases.test.ts runs some of the same
 * cases (runRollbackCase) in CI.
 *
 * Addresses: 127.44.x.y (the console .10, new master .20, new etcd .21–.23, old master .30, old etcd .31–.33,
 * nodes .39–.40); services 127.168.0.0/13 or a /16 in it, flannel 127.176.0.0/13 or a /16 in it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { messageOf } from '../src/errors.ts';
import { resolveRunsDir } from '../src/home.ts';
import type { ServerState } from '../src/lab/domeos/server/model.ts';
import { readLabSeedCheck } from '../src/lab/setup/etcd-seed.ts';
import { buildHostRoot, mapPathIntoRoot } from '../src/lab/paths.ts';
import { startWriterThread } from '../src/write-load/writer-thread.ts';
import { verifyAcknowledged } from '../src/write-load/verify-keys.ts';
import { MASTER_UNITS } from '../src/master/files.ts';
import { foldJournal } from '../src/run/fold.ts';
import { writeReliabilitySection } from '../scripts/reliability.ts';
import { assertNodesReady, healthz, hostPath, kubeClient, NODE_SYSCONFIG, readNodeFiles, startMasterLab, unitState, type MasterLab } from '../test/helpers/master-lab.ts';
import { readEvents, runFerryCli } from '../test/helpers/migration.ts';

const run = promisify(execFile);

export interface RollbackCase {
  /** The phase the forward run is stopped in; 9 means it finished. */
  readonly phase: number;
  /** FERRY_FAULT for the walk-back itself: it dies there, then `ferry resume --run WALKBACK` finishes it. */
  readonly killWalkBack?: string;
}

export interface LabAddresses {
  /** e.g. 127.44.1 */
  readonly prefix: string;
  /** e.g. 127.168.0.0/16 */
  readonly serviceRange: string;
  readonly clusterDns: string;
  readonly flannelNetwork: string;
}

export interface RollbackCaseResult {
  readonly case: string;
  readonly outcome: string;
  readonly forwardStoppedIn: string;
  readonly walkBackSteps: number;
  readonly keysAcked: number;
  readonly lost: number;
  readonly freshMemberIds: number;
  readonly seconds: number;
  readonly walkBackSeconds: number;
}

/** The fault that stops the forward run in `phase` (as in whole-runbook-resume.test.ts); undefined: let it finish. */
function forwardFault(phase: number, prefix: string, leaderName: string): string | undefined {
  const node = `n-${prefix.replaceAll('.', '-')}-39`;
  const faults: Record<number, string> = {
    1: 'kill-after:stop@console.stop',
    2: 'kill-after:remove-member',
    3: 'kill-after:stop:kube-scheduler@master.stop-old',
    4: 'kill-after:start:kube-apiserver@master.start-new',
    5: `kill-after:node:${node}@nodes.repoint`,
    6: 'kill-after:scale:skydns-v10:1@dns.update',
    7: `kill-after:remove-member@etcd.replace.${leaderName}`,
    8: 'kill-after:start@console.start',
  };
  return faults[phase];
}

async function dig(server: string, name: string): Promise<string> {
  const { stdout } = await run('dig', [`@${server}`, '+short', '+time=2', '+tries=2', name], { timeout: 15_000 });
  return stdout.trim();
}

interface EtcdctlMember {
  readonly ID: number | string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly isLearner?: boolean;
}

/** `etcdctl member list -w json`: the member IDs (hex) and peer URLs, read by etcd's own client. */
async function readEtcdctlMembers(endpoints: readonly string[]): Promise<{ id: string; name: string; peerURL: string; isLearner: boolean }[]> {
  const { stdout } = await run('/usr/bin/etcdctl', ['--endpoints', endpoints.join(','), '--command-timeout=5s', 'member', 'list', '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 });
  // Member IDs are uint64: JSON.parse would round them, so read them as text.
  const text = stdout.replace(/"ID":(\d+)/g, '"ID":"$1"');
  const members = (JSON.parse(text) as { members: EtcdctlMember[] }).members;
  return members.map((m) => ({ id: BigInt(m.ID).toString(16), name: m.name, peerURL: m.peerURLs[0] ?? '', isLearner: m.isLearner === true }));
}

async function retry<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > until) throw new Error(`${what}: ${messageOf(err)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

interface PodLike {
  readonly metadata: { readonly name: string };
  readonly spec?: { readonly containers?: readonly { readonly args?: readonly string[] }[] };
}

/** The independent check of the old topology (etcdctl, the apiserver, the files, dig, the console's state file). */
async function checkOldTopology(lab: MasterLab, a: LabAddresses, oldIds: ReadonlySet<string>, log: (l: string) => void): Promise<number> {
  const inv = lab.inventory;
  const oldClient = inv.etcd.old.map((m) => m.clientURL);
  const newHosts = [lab.newMasterHost, ...inv.etcd.new.map((m) => m.host)];
  // etcd: exactly the old members, all voters; those that had been removed are back with fresh IDs.
  const members = await readEtcdctlMembers(oldClient);
  assert.deepEqual(members.map((m) => m.peerURL).sort(), inv.etcd.old.map((m) => m.peerURL).sort(), `the member list is exactly the old members: ${JSON.stringify(members)}`);
  assert.ok(members.every((m) => !m.isLearner), 'every member votes');
  const fresh = members.filter((m) => !oldIds.has(m.id)).length;
  assert.deepEqual(await readLabSeedCheck(oldClient), { ok: true, missing: [], wrong: [] }, 'every seeded key reads back from the old members');
  for (const n of inv.etcd.new) assert.notEqual(await unitState(lab, n.host, n.service), 'active', `${n.name}'s etcd is stopped`);
  // The old master serves, every node Ready on it; the new master's services are stopped.
  assert.ok(await healthz(lab.oldMaster), `the old apiserver ${lab.oldMaster} answers`);
  await retry('every node Ready on the old master', 60_000, () => assertNodesReady(lab.oldMaster, lab.nodes.map((n) => n.name)));
  for (const u of MASTER_UNITS) {
    const s = await unitState(lab, lab.newMasterHost, u);
    assert.ok(s !== 'active' && s !== 'activating', `${u} on the new master is stopped (${s})`);
  }
  for (const u of ['kube-apiserver', 'kube-scheduler', 'kube-controller']) assert.equal(await unitState(lab, lab.oldMasterHost, u), 'active', `${u} runs on the old master`);
  for (const node of lab.nodes) {
    for (const [path, bytes] of readNodeFiles(lab, node.host)) {
      const text = bytes.toString('utf8');
      for (const h of newHosts) assert.ok(!text.includes(`${h}:`), `${node.name}:${path} no longer names ${h}: ${text}`);
      if (path === '/etc/sysconfig/flanneld') for (const u of oldClient) assert.ok(text.includes(u), `${node.name}:${path} names ${u}`);
      else assert.ok(text.includes(`${lab.oldMasterHost}:8080`), `${node.name}:${path} names the old master`);
    }
  }
  assert.equal(NODE_SYSCONFIG.length, 3);
  // DNS: answers through the cluster DNS address; every DNS pod on the old etcd members and the old master.
  const kubernetesIp = a.serviceRange.replace(/\.0\/\d+$/, '.1');
  const answer = await retry('DNS answers', 60_000, async () => {
    const x = await dig(a.clusterDns, 'kubernetes.default.svc.domeos.local');
    if (x !== kubernetesIp) throw new Error(`dig answered "${x}"`);
    return x;
  });
  assert.equal(answer, kubernetesIp);
  const pods = (await kubeClient(lab.oldMaster).list<PodLike>('/api/v1/namespaces/default/pods')).items.filter((p) => /^(kube2sky|skydns)/.test(p.metadata.name));
  assert.ok(pods.length >= 2, `DNS pods exist: ${pods.map((p) => p.metadata.name).join(', ')}`);
  for (const p of pods) {
    const args = (p.spec?.containers ?? []).flatMap((c) => c.args ?? []).join(' ');
    for (const h of newHosts) assert.ok(!args.includes(`${h}:`), `DNS pod ${p.metadata.name} no longer names ${h}: ${args}`);
    assert.ok(oldClient.some((u) => args.includes(u)), `DNS pod ${p.metadata.name} names the old etcd: ${args}`);
    if (p.metadata.name.startsWith('kube2sky')) assert.ok(args.includes(`--kube_master_url=${lab.oldMaster}`), `${p.metadata.name} on the old master: ${args}`);
  }
  // The console: record old, its watcher RUNNING, the service active.
  const state = JSON.parse(readFileSync(mapPathIntoRoot(buildHostRoot(lab.labDir, `${a.prefix}.10`), '/var/lib/domeos/state.json'), 'utf8')) as ServerState;
  const cluster = state.clusters.find((c) => c.name === 'mit');
  assert.ok(cluster !== undefined, 'the console still has the cluster');
  assert.equal(cluster.api, `${lab.oldMasterHost}:8080`, 'the console record has the old apiserver');
  assert.equal(cluster.etcd, oldClient.map((u) => `${u},`).join(''), 'the console record has exactly the old etcd members');
  const watcher = state.deployments.find((d) => d.id === state.watchers[String(cluster.id)]);
  assert.equal(watcher?.state, 'RUNNING', 'the watcher runs');
  assert.equal(state.deployments.filter((d) => d.clusterId === cluster.id).length, 1, 'exactly one watcher');
  assert.equal(await unitState(lab, `${a.prefix}.10`, 'domeos'), 'active', 'the console service runs');
  log(`old topology checked: ${members.length} members (${fresh} fresh IDs), ${lab.nodes.length} nodes Ready, DNS ${answer}, console ${cluster.api}`);
  return fresh;
}

function runDirs(lab: MasterLab): string[] {
  const root = resolveRunsDir(lab.env);
  return readdirSync(root).sort().map((id) => join(root, id));
}

/** One case on a fresh lab, torn down afterwards. Throws (assert) when anything is off. */
export async function runRollbackCase(c: RollbackCase, a: LabAddresses, log: (l: string) => void = () => undefined, labDirs: string[] = []): Promise<RollbackCaseResult> {
  const started = Date.now();
  const lab = await startMasterLab(a.prefix, {
    nodes: 2,
    extra: { domeos: { url: `http://${a.prefix}.10:8080`, cluster: 'mit' } },
    lab: { dns: true, serviceClusterIpRange: a.serviceRange, clusterDns: a.clusterDns, flannelNetwork: a.flannelNetwork },
  });
  labDirs.push(lab.dir);
  const label = `stopped in phase ${c.phase}${c.phase === 9 ? ' (done)' : ''}${c.killWalkBack !== undefined ? `, walk-back killed (${c.killWalkBack}) and resumed` : ''}`;
  let writer: Awaited<ReturnType<typeof startWriterThread>> | undefined;
  try {
    const inv = lab.inventory;
    const before = await readEtcdctlMembers(inv.etcd.old.map((m) => m.clientURL));
    const oldIds = new Set(before.map((m) => m.id));
    const { stdout: leaderOut } = await run('/usr/bin/etcdctl', ['--endpoints', inv.etcd.old.map((m) => m.clientURL).join(','), 'endpoint', 'status', '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' } });
    const statuses = JSON.parse(leaderOut.replace(/"(member_id|leader)":(\d+)/g, '"$1":"$2"')) as { Endpoint: string; Status: { header: { member_id: string }; leader: string } }[];
    const leaderURL = statuses.find((s) => s.Status.header.member_id === s.Status.leader)?.Endpoint;
    const leaderName = inv.etcd.old.find((m) => m.clientURL === leaderURL)?.name ?? 'old0';

    const tag = `p${c.phase}-${Date.now()}`;
    const keyRoot = 'ferry-rollback';
    writer = await startWriterThread({ endpoints: [...inv.etcd.old, ...inv.etcd.new].map((m) => m.clientURL), tag, keyRoot, intervalMs: 50 });

    const fault = c.phase === 9 ? undefined : forwardFault(c.phase, a.prefix, leaderName);
    const fwd = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes'], { ...lab.env, ...(fault !== undefined ? { FERRY_FAULT: fault } : {}) });
    const [forwardDir] = runDirs(lab);
    assert.ok(forwardDir !== undefined, 'the forward run has a folder');
    const forwardView = foldJournal(readEvents(forwardDir));
    if (fault === undefined) assert.equal(fwd.code, 0, `the forward run finishes:\n${fwd.stdout}\n${fwd.stderr}`);
    else assert.equal(fwd.signal, 'SIGKILL', `the forward run dies by ${fault} (code ${fwd.code}):\n${fwd.stdout.slice(-3000)}\n${fwd.stderr}`);
    const stoppedIn = forwardView.currentStepId ?? forwardView.runState;
    log(`phase ${c.phase}: forward run ${forwardView.runState} in ${stoppedIn}`);

    const wbStarted = Date.now();
    const back = await runFerryCli(['rollback', '--yes'], { ...lab.env, ...(c.killWalkBack !== undefined ? { FERRY_FAULT: c.killWalkBack } : {}) });
    const dirs = runDirs(lab);
    const walkBackDir = dirs.find((d) => d !== forwardDir);
    assert.ok(walkBackDir !== undefined, `the walk-back has its own run folder:\n${back.stdout}\n${back.stderr}`);
    const walkBackId = walkBackDir.split('/').pop() as string;
    if (c.killWalkBack !== undefined) {
      assert.equal(back.signal, 'SIGKILL', `the walk-back dies by ${c.killWalkBack} (code ${back.code}):\n${back.stdout.slice(-3000)}\n${back.stderr}`);
      // Walking back the interrupted walk-back, or the original run again, is refused with what to do instead.
      const again = await runFerryCli(['rollback', '--yes'], lab.env);
      assert.equal(again.code, 2, again.stderr);
      assert.match(again.stderr, new RegExp(`ferry resume --run ${walkBackId}`), again.stderr);
      const original = await runFerryCli(['rollback', '--yes', '--run', forwardDir.split('/').pop() as string], lab.env);
      assert.equal(original.code, 2, original.stderr);
      assert.match(original.stderr, new RegExp(`ferry resume --run ${walkBackId}`), original.stderr);
      const resumed = await runFerryCli(['resume', '--run', walkBackId, '--yes'], lab.env);
      assert.equal(resumed.code, 0, `ferry resume --run ${walkBackId} finishes the walk-back:\n${resumed.stdout.slice(-4000)}\n${resumed.stderr}`);
    } else assert.equal(back.code, 0, `ferry rollback finishes:\n${back.stdout.slice(-6000)}\n${back.stderr}`);
    const walkBackSeconds = (Date.now() - wbStarted) / 1000;
    const wbView = foldJournal(readEvents(walkBackDir));
    assert.equal(wbView.runState, 'done', 'the walk-back is done');
    assert.equal(foldJournal(readEvents(forwardDir)).runState, 'walked-back', 'the forward run is marked walked back');

    const records = (await writer.stop()).records;
    writer = undefined;
    const acked = records.filter((r) => r.ackAt !== undefined).length;
    const loss = await verifyAcknowledged(records, inv.etcd.old.map((m) => m.clientURL), `${keyRoot}/${tag}/`);
    const lost = Math.max(0, ...loss.map((l) => l.lost));
    assert.equal(lost, 0, `no acknowledged write is lost: ${JSON.stringify(loss)}`);
    const fresh = await checkOldTopology(lab, a, oldIds, log);
    if (c.phase >= 2) assert.ok(fresh > 0, 'the members the forward run removed came back with fresh IDs');
    // The old data of every member that came back fresh is kept: archived by the forward run after it removed the
    // member, or (killed between the remove and the archive) set aside by the walk-back before the fresh start.
    const forwardId = forwardDir.split('/').pop() as string;
    const kept = inv.etcd.old.filter((m) => [`${m.dataDir}.ferry-archived-${forwardId}`, `${m.dataDir}.ferry-preexisting-${walkBackId}`].some((p) => existsSync(hostPath(lab, m.host, p)))).length;
    assert.equal(kept, fresh, 'every member that came back fresh still has its old data dir, archived or set aside');
    return { case: label, outcome: 'old topology restored', forwardStoppedIn: stoppedIn, walkBackSteps: wbView.steps.size, keysAcked: acked, lost, freshMemberIds: fresh, seconds: Math.round((Date.now() - started) / 1000), walkBackSeconds: Math.round(walkBackSeconds) };
  } finally {
    await writer?.stop().catch(() => undefined);
    await lab.cleanup();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { phases: { type: 'string' }, 'no-write': { type: 'boolean' } } });
  const phases = (values.phases ?? '1,2,3,4,5,6,7,8,9').split(',').map(Number);
  const a: LabAddresses = { prefix: '127.44.9', serviceRange: '127.168.0.0/13', clusterDns: '127.168.40.1', flannelNetwork: '127.176.0.0/13' };
  const rows: string[] = [];
  let failed = 0;
  for (const phase of phases) {
    const t0 = Date.now();
    try {
      const r = await runRollbackCase({ phase }, a, (l) => process.stderr.write(`${l}\n`));
      rows.push(`| ${r.case} | ${r.outcome} | ${r.forwardStoppedIn} | ${r.walkBackSteps} | ${r.keysAcked} | ${r.lost} | ${r.freshMemberIds} | ${r.walkBackSeconds} | ${r.seconds} |`);
    } catch (err) {
      failed += 1;
      rows.push(`| stopped in phase ${phase} | FAILED: ${messageOf(err).split('\n')[0]?.replaceAll('|', '\\|') ?? ''} | | | | | | | ${Math.round((Date.now() - t0) / 1000)} |`);
    }
    process.stderr.write(`${rows[rows.length - 1] ?? ''}\n`);
  }
  const body = [
    '## 3b. Rollback from each phase, one lab per phase',
    '',
    `Command: \`npm run torture:rollback${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. One lab per phase (3+3 etcd, 2 nodes, DNS, DomeOS console), a writer putting unique keys throughout; the forward run is SIGKILLed in the phase (phase 9: it finishes), then \`ferry rollback --yes\`; etcdctl, the apiserver, the node files, \`dig\` and the console's state decide.`,
    '',
    '| case | outcome | forward stopped in | walk-back steps | keys acked | lost | fresh member IDs | walk-back s | total s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  if (values['no-write'] !== true) writeReliabilitySection('RELIABILITY.md', 'rollback-all-phases', body);
  process.stdout.write(body);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  process.exit(await main());
}
