/**
 * Issue 3: `ferry apply --scope etcd` on a lab with a master and nodes replaces the etcd members only: the plan has
 * only etcd steps, the master is not switched, and no node file changes by a single byte.
 *
 * Addresses: 127.26.6.x (old etcd .31–.33, new .21–.23, old master .30, new master .20, nodes .39–.41).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode } from '../../src/errors.ts';
import { planSteps } from '../../src/plan/plan-steps.ts';
import { observeAndPlan } from '../../src/app/session.ts';
import { healthz, NODE_SYSCONFIG, readNodeFiles, startMasterLab, unitState } from '../helpers/master-lab.ts';
import { clientURLs, describeCliRun, openAdmin, processesOf, runFerryCli, withDeps } from '../helpers/migration.ts';

const PREFIX = '127.26.6';
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

test('ferry apply --scope etcd: only etcd steps, node files untouched', { timeout: 300_000 }, async (t) => {
  const lab = await startMasterLab(PREFIX);
  fixtureDirs.push(lab.dir);
  try {
    const plan = await withDeps(lab, (deps) => observeAndPlan(lab.inventory, lab.inventoryPath, lab.sha256, deps, 'etcd'));
    const ids = planSteps(plan).map((s) => s.id);
    assert.ok(ids.length > 0 && ids.every((id) => id.startsWith('etcd.')), `only etcd steps: ${ids.join(', ')}`);

    const before = new Map(lab.nodes.map((n) => [n.host, readNodeFiles(lab, n.host)]));
    const started = performance.now();
    const r = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes', '--scope', 'etcd'], lab.env);
    t.diagnostic(`ferry apply --scope etcd took ${Math.round(performance.now() - started)} ms`);
    assert.equal(r.code, ExitCode.ok, `exit 0: ${describeCliRun(r)}`);

    const admin = openAdmin(clientURLs(lab, 'new'));
    try {
      assert.deepEqual((await admin.memberList()).map((m) => m.name).sort(), lab.inventory.etcd.new.map((m) => m.name).sort(), 'etcd is the new members');
    } finally {
      await admin.close();
    }
    for (const n of lab.nodes) {
      const b = before.get(n.host) as Map<string, Buffer>;
      const a = readNodeFiles(lab, n.host);
      for (const p of NODE_SYSCONFIG) assert.ok((a.get(p) as Buffer).equals(b.get(p) as Buffer), `${n.name} ${p} byte-identical`);
    }
    assert.equal(await unitState(lab, lab.newMasterHost, 'kube-apiserver'), 'inactive', 'the new master was not started');
    assert.equal(await healthz(lab.newMaster), false, 'the new apiserver does not answer');
    assert.equal(await unitState(lab, lab.oldMasterHost, 'kube-apiserver'), 'active', 'the old master was not stopped');
  } finally {
    await lab.cleanup();
  }
});
