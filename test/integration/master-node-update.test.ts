/**
 * Issue 3, `ferry node update-config` on one lab node at a time (the job of update_node_configs.sh), with the old
 * master running:
 *  - a master where nothing listens: the kubelet cannot get Ready there, so the node is rolled back — exit 1,
 *    `Rollback finished`, its three sysconfig files byte-identical, and Ready (fresh heartbeat) on the old master;
 *  - `--etcd` alone, without a scheme: only flanneld changes (http:// added), kubelet and kube-proxy keep every
 *    byte; a second run finds it already up to date and rewrites nothing.
 *
 * Addresses: 127.26.4.x (old etcd .31–.33, old master .30, nodes .39–.41; .99 is where nothing listens).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ExitCode } from '../../src/errors.ts';
import { waitUntil } from '../helpers/etcd-cluster.ts';
import { assertNodesReady, hostPath, listNodes, mtimeOf, NODE_SYSCONFIG, readNodeFiles, startMasterLab, sysconfigLine, type MasterLab } from '../helpers/master-lab.ts';
import { describeCliRun, processesOf, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';

const PREFIX = '127.26.4';
const fixtureDirs: string[] = [];

describe('ferry node update-config on a lab node', { timeout: 300_000 }, () => {
  let lab: MasterLab;

  before(async () => {
    lab = await startMasterLab(PREFIX);
    fixtureDirs.push(lab.dir);
  });

  after(async () => {
    await lab?.cleanup();
    for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
  });

  function updateConfig(args: readonly string[], address: string, timeoutS = 20) {
    return runFerryCli(['node', 'update-config', ...args, '--lab-host', address, '--lab-dir', lab.labDir, '--timeout', String(timeoutS)], lab.env, 120_000);
  }

  test('a master the kubelet cannot reach → rolled back, files byte-identical, Ready on the old master', async () => {
    const node = lab.nodes[0] as (typeof lab.nodes)[number];
    const bytesBefore = readNodeFiles(lab, node.host);
    const t0 = Date.now();
    const r = await updateConfig(['--master', `http://${PREFIX}.99:8080`], node.host, 10);
    const finishedAt = Date.now();
    assert.equal(r.code, ExitCode.failedRolledBack, `exit 1: ${describeCliRun(r)}`);
    assert.match(r.stdout + r.stderr, /Rollback finished/);
    const bytesAfter = readNodeFiles(lab, node.host);
    for (const p of NODE_SYSCONFIG) assert.ok((bytesAfter.get(p) as Buffer).equals(bytesBefore.get(p) as Buffer), `${p} is byte-identical after the rollback`);
    await waitUntil(`${node.name} is Ready with a fresh heartbeat on the old master`, 60_000, async () => {
      const v = (await listNodes(lab.oldMaster)).find((n) => n.name === node.name);
      // Heartbeat times have a one-second resolution.
      return v?.ready === 'True' && v.lastHeartbeat !== undefined && Date.parse(v.lastHeartbeat) >= finishedAt - 1000;
    }, 500);
    recordReliability('faults', { case: 'node repointed at an unreachable master (ferry node update-config)', outcome: 'Rollback finished: files byte-identical, Ready on the old master', code: 'NODE_UPDATE_ROLLED_BACK', exitCode: r.code ?? -1, seconds: (finishedAt - t0) / 1000 });
  });

  test('--etcd alone (no scheme) changes only flanneld; a second run is already up to date and rewrites nothing', async () => {
    const node = lab.nodes[1] as (typeof lab.nodes)[number];
    const before1 = readNodeFiles(lab, node.host);
    const r = await updateConfig(['--etcd', `${PREFIX}.32:4012`], node.host);
    assert.equal(r.code, ExitCode.ok, `exit 0: ${describeCliRun(r)}`);
    const after1 = readNodeFiles(lab, node.host);
    for (const p of ['/etc/sysconfig/kubelet', '/etc/sysconfig/kube-proxy']) assert.ok((after1.get(p) as Buffer).equals(before1.get(p) as Buffer), `${p} untouched`);
    const flannel = readFileSync(hostPath(lab, node.host, '/etc/sysconfig/flanneld'), 'utf8');
    assert.equal(sysconfigLine(flannel, 'FLANNEL_ETCD'), `FLANNEL_ETCD="http://${PREFIX}.32:4012"`);
    await assertNodesReady(lab.oldMaster, [node.name]);

    const mtimes = NODE_SYSCONFIG.map((p) => mtimeOf(lab, node.host, p));
    const again = await updateConfig(['--etcd', `${PREFIX}.32:4012`], node.host);
    assert.equal(again.code, ExitCode.ok, `second run exits 0: ${describeCliRun(again)}`);
    assert.match(again.stdout, /already up to date/);
    const after2 = readNodeFiles(lab, node.host);
    for (const p of NODE_SYSCONFIG) assert.ok((after2.get(p) as Buffer).equals(after1.get(p) as Buffer), `${p} not rewritten`);
    assert.deepEqual(NODE_SYSCONFIG.map((p) => mtimeOf(lab, node.host, p)), mtimes, 'no file rewritten (mtimes unchanged)');
  });
});
