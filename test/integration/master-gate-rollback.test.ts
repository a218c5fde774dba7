/**
 * Issue 3: a new master whose apiserver cannot start fails its step and is rolled back — the run ends rolled-back
 * at master.start-new (exit 1), the old master's services run again and its apiserver answers, and every node is
 * still Ready on the old master. The new master's kube-apiserver is made to fail by replacing its binary with a
 * script that prints the right version (so the version preflight passes) and exits 1 otherwise.
 *
 * Addresses: 127.26.7.x (old etcd .31–.33, new .21–.23, old master .30, new master .20, nodes .39–.41).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRunsDir } from '../../src/home.ts';
import { ExitCode } from '../../src/errors.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { waitUntil } from '../helpers/etcd-cluster.ts';
import { healthz, hostPath, listNodes, OLD_MASTER_STOPPED, startMasterLab, unitState } from '../helpers/master-lab.ts';
import { describeCliRun, processesOf, readEvents, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';

const PREFIX = '127.26.7';
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

test('a new master failing its gate is rolled back: the old master runs again, nodes Ready on it', { timeout: 360_000 }, async (t) => {
  const lab = await startMasterLab(PREFIX);
  fixtureDirs.push(lab.dir);
  try {
    const binary = hostPath(lab, lab.newMasterHost, '/usr/sbin/domeos/k8s/1.4.7/kube-apiserver');
    rmSync(binary);
    writeFileSync(binary, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Kubernetes v1.4.7"; exit 0; fi\necho "broken on purpose" >&2\nexit 1\n');
    chmodSync(binary, 0o755);

    const started = performance.now();
    const r = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes'], lab.env);
    t.diagnostic(`ferry apply (rolled back) took ${Math.round(performance.now() - started)} ms`);
    assert.equal(r.code, ExitCode.failedRolledBack, `exit 1: ${describeCliRun(r)}`);

    const runIds = readdirSync(resolveRunsDir(lab.env));
    assert.equal(runIds.length, 1);
    const view = foldJournal(readEvents(join(resolveRunsDir(lab.env), runIds[0] as string)));
    assert.equal(view.runState, 'rolled-back');
    assert.equal(view.steps.get('master.start-new')?.state, 'rolled-back');
    assert.equal(view.steps.get('master.stop-old')?.state, 'done');
    assert.equal(view.steps.get('nodes.repoint')?.state ?? 'pending', 'pending', 'no node was touched');

    for (const u of OLD_MASTER_STOPPED) assert.equal(await unitState(lab, lab.oldMasterHost, u), 'active', `old master ${u} runs again`);
    assert.equal(await healthz(lab.oldMaster), true, 'the old apiserver answers');
    assert.equal(await healthz(lab.newMaster), false, 'the new apiserver does not');
    const started2 = Date.now();
    await waitUntil('every node Ready on the old master with a heartbeat after the rollback', 60_000, async () => {
      const live = await listNodes(lab.oldMaster);
      return lab.nodes.every((n) => {
        const v = live.find((l) => l.name === n.name);
        return v?.ready === 'True' && v.lastHeartbeat !== undefined && Date.parse(v.lastHeartbeat) >= started2 - 1000;
      });
    }, 500);
    recordReliability('faults', {
      case: 'new apiserver fails to start', outcome: 'rolled back: old master serving, every node Ready on it', code: view.steps.get('master.start-new')?.error?.code ?? '',
      exitCode: r.code ?? -1, seconds: Math.round(performance.now() - started) / 1000,
    });
  } finally {
    await lab.cleanup();
  }
});
