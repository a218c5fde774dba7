/**
 * Issue 3: `ferry apply --scope master` switches the master and repoints the nodes with --master only: the plan
 * has no etcd step, etcd keeps its old members, each node's kubelet and kube-proxy point at the new master while
 * its flanneld file keeps every byte, and every node is Ready on the new master. Then `ferry node update-config
 * --master <new master>` on a node finds it already up to date and rewrites nothing.
 *
 * Addresses: 127.26.5.x (old etcd .31–.33, new .21–.23 unused, old master .30, new master .20, nodes .39–.41).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ExitCode } from '../../src/errors.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import { observeAndPlan } from '../../src/app/session.ts';
import { assertNodesReady, healthz, hostPath, mtimeOf, NODE_SYSCONFIG, readNodeFiles, startMasterLab, sysconfigLine, unitState } from '../helpers/master-lab.ts';
import { clientURLs, describeCliRun, openAdmin, processesOf, runFerryCli, withDeps } from '../helpers/migration.ts';

const PREFIX = '127.26.5';
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

test('ferry apply --scope master: no etcd step, nodes repointed at the new master only, flanneld untouched', { timeout: 300_000 }, async (t) => {
  const lab = await startMasterLab(PREFIX);
  fixtureDirs.push(lab.dir);
  try {
    const plan = await withDeps(lab, (deps) => observeAndPlan(lab.inventory, lab.inventoryPath, lab.sha256, deps, 'master'));
    const ids = planSteps(plan).map((s) => s.id);
    assert.deepEqual(ids.filter((id) => id.startsWith('etcd.')), [], `no etcd step: ${ids.join(', ')}`);
    assert.deepEqual(ids, ['master.stop-old', 'master.start-new', 'nodes.repoint', 'master.start-held-back']);

    const before = new Map(lab.nodes.map((n) => [n.host, readNodeFiles(lab, n.host)]));
    const started = performance.now();
    const r = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes', '--scope', 'master'], lab.env);
    t.diagnostic(`ferry apply --scope master took ${Math.round(performance.now() - started)} ms`);
    assert.equal(r.code, ExitCode.ok, `exit 0: ${describeCliRun(r)}`);

    await assertNodesReady(lab.newMaster, lab.nodes.map((n) => n.name));
    assert.equal(await healthz(lab.oldMaster), false, 'the old apiserver is silent');
    for (const u of ['kube-controller', 'kube-scheduler']) assert.equal(await unitState(lab, lab.newMasterHost, u), 'active', `new master ${u}`);
    for (const n of lab.nodes) {
      const b = before.get(n.host) as Map<string, Buffer>;
      const a = readNodeFiles(lab, n.host);
      assert.ok((a.get('/etc/sysconfig/flanneld') as Buffer).equals(b.get('/etc/sysconfig/flanneld') as Buffer), `${n.name} flanneld byte-identical`);
      assert.match(sysconfigLine(readFileSync(hostPath(lab, n.host, '/etc/sysconfig/kubelet'), 'utf8'), 'API_SERVERS') ?? '', new RegExp(`${lab.newMaster}['"]?$`), `${n.name} kubelet`);
      assert.match(sysconfigLine(readFileSync(hostPath(lab, n.host, '/etc/sysconfig/kube-proxy'), 'utf8'), 'KUBE_MASTER') ?? '', new RegExp(`${lab.newMaster}['"]?$`), `${n.name} kube-proxy`);
    }
    const admin = openAdmin(clientURLs(lab, 'old'));
    try {
      assert.deepEqual((await admin.memberList()).map((m) => m.name).sort(), lab.inventory.etcd.old.map((m) => m.name).sort(), 'etcd keeps its old members');
    } finally {
      await admin.close();
    }

    // Running the node's update again (what the rollout just did) is harmless: already up to date, nothing rewritten.
    const node = lab.nodes[0] as (typeof lab.nodes)[number];
    const bytes = readNodeFiles(lab, node.host);
    const mtimes = NODE_SYSCONFIG.map((p) => mtimeOf(lab, node.host, p));
    const again = await runFerryCli(['node', 'update-config', '--master', lab.newMaster, '--lab-host', node.host, '--lab-dir', lab.labDir, '--timeout', '20'], lab.env, 120_000);
    assert.equal(again.code, ExitCode.ok, `exit 0: ${describeCliRun(again)}`);
    assert.match(again.stdout, /already up to date/);
    const bytesAfter = readNodeFiles(lab, node.host);
    for (const p of NODE_SYSCONFIG) assert.ok((bytesAfter.get(p) as Buffer).equals(bytes.get(p) as Buffer), `${p} not rewritten`);
    assert.deepEqual(NODE_SYSCONFIG.map((p) => mtimeOf(lab, node.host, p)), mtimes, 'mtimes unchanged');
  } finally {
    await lab.cleanup();
  }
});
