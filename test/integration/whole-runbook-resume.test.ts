/**
 * Issue 4: the whole runbook on a lab (DomeOS console, DNS, master, nodes, etcd), with ferry killed (SIGKILL by
 * FERRY_FAULT) once in every one of the nine phases — each `ferry resume` runs on until the next phase's kill —
 * and a last `ferry resume` that finishes it. Independent checks at the end: etcdctl-level member list and seeded
 * keys (assertMigrated), every node Ready on the new master, the real `dig` through the DNS service, and the
 * console's record and watcher read from its state file.
 *
 * Addresses: 127.35.0.x (console .10, new master .20, etcd new .21–.23, old master .30, old etcd .31–.33,
 * nodes .39–.40); services 127.72.0.0/13 (cluster DNS 127.72.40.1); flannel 127.80.0.0/13.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveRunsDir } from '../../src/home.ts';
import { ExitCode } from '../../src/errors.ts';
import { buildHostRoot, mapPathIntoRoot } from '../../src/lab/paths.ts';
import type { ServerState } from '../../src/lab/domeos/server/model.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { assertNodesReady, startMasterLab } from '../helpers/master-lab.ts';
import { assertMigrated, describeCliRun, processesOf, readEvents, runFerryCli } from '../helpers/migration.ts';

const P = '127.35.0';
const CLUSTER_DNS = '127.72.40.1';
const fixtureDirs: string[] = [];
const run = promisify(execFile);

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

/** One kill per phase: an action inside (or at the end of) a step of that phase. */
const KILLS: readonly { readonly phase: number; readonly fault: string; readonly step: string }[] = [
  { phase: 1, fault: 'kill-after:stop@console.stop', step: 'console.stop' },
  { phase: 2, fault: 'kill-after:promote', step: 'etcd.replace.' },
  { phase: 3, fault: 'kill-after:stop:kube-scheduler@master.stop-old', step: 'master.stop-old' },
  { phase: 4, fault: 'kill-after:start:kube-apiserver@master.start-new', step: 'master.start-new' },
  { phase: 5, fault: `kill-after:node:n-127-35-0-39@nodes.repoint`, step: 'nodes.repoint' },
  { phase: 6, fault: 'kill-after:scale:skydns-v10:1@dns.update', step: 'dns.update' },
  { phase: 7, fault: 'kill-after:remove-member', step: 'etcd.replace.' },
  { phase: 8, fault: 'kill-after:start@console.start', step: 'console.start' },
  { phase: 9, fault: 'kill-after:watcher:delete@console.update', step: 'console.update' },
];

async function dig(name: string): Promise<string> {
  const { stdout } = await run('dig', [`@${CLUSTER_DNS}`, '+short', '+time=2', '+tries=2', name], { timeout: 15_000 });
  return stdout.trim();
}

test('killed once in each of the nine phases, ferry resume finishes the whole runbook', { timeout: 900_000 }, async (t) => {
  const lab = await startMasterLab(P, {
    nodes: 2,
    extra: { domeos: { url: `http://${P}.10:8080`, cluster: 'mit' } },
    lab: { dns: true, serviceClusterIpRange: '127.72.0.0/13', clusterDns: CLUSTER_DNS, flannelNetwork: '127.80.0.0/13' },
  });
  fixtureDirs.push(lab.dir);
  try {
    assert.equal(await dig('kubernetes.default.svc.domeos.local'), '127.72.0.1', 'DNS answers before the migration');
    let runDir: string | undefined;
    for (const [i, k] of KILLS.entries()) {
      const args = i === 0 ? ['apply', '-f', lab.inventoryPath, '--yes'] : ['resume', '--yes'];
      const r = await runFerryCli(args, { ...lab.env, FERRY_FAULT: k.fault });
      assert.equal(r.signal, 'SIGKILL', `phase ${k.phase}: ferry ${args[0]} with FERRY_FAULT=${k.fault} dies by SIGKILL (code ${r.code}): ${describeCliRun(r)}`);
      if (runDir === undefined) {
        const ids = readdirSync(resolveRunsDir(lab.env));
        assert.equal(ids.length, 1);
        runDir = join(resolveRunsDir(lab.env), ids[0] as string);
      }
      const view = foldJournal(readEvents(runDir));
      assert.equal(view.runState, 'interrupted', `phase ${k.phase}: the journal says the run was interrupted`);
      const current = view.currentStepId ?? '';
      assert.ok(current.startsWith(k.step), `phase ${k.phase}: killed in ${current}, expected ${k.step}…`);
      t.diagnostic(`phase ${k.phase}: killed in ${current} after ${k.fault.split(':').slice(1).join(':')}`);
    }
    assert.ok(runDir !== undefined);
    const last = await runFerryCli(['resume', '--yes'], lab.env);
    assert.equal(last.code, ExitCode.ok, `the last resume finishes: ${describeCliRun(last)}`);
    const view = foldJournal(readEvents(runDir));
    assert.equal(view.runState, 'done');
    const runId = runDir.split('/').pop() as string;

    await assertMigrated(lab, runId);
    await assertNodesReady(lab.newMaster, lab.nodes.map((n) => n.name));
    assert.equal(await dig('kubernetes.default.svc.domeos.local'), '127.72.0.1', 'DNS answers after the migration');
    const state = JSON.parse(readFileSync(mapPathIntoRoot(buildHostRoot(lab.labDir, `${P}.10`), '/var/lib/domeos/state.json'), 'utf8')) as ServerState;
    const cluster = state.clusters.find((c) => c.name === 'mit');
    assert.ok(cluster !== undefined, 'the console still has the cluster');
    assert.equal(cluster.api, `${P}.20:8080`, 'the console record has the new apiserver');
    assert.equal(cluster.etcd, lab.inventory.etcd.new.map((m) => `${m.clientURL},`).join(''), 'the console record has exactly the new etcd members');
    const watcherId = state.watchers[String(cluster.id)];
    const watcher = state.deployments.find((d) => d.id === watcherId);
    assert.equal(watcher?.state, 'RUNNING', 'the re-created watcher runs');
    assert.equal(state.deployments.filter((d) => d.clusterId === cluster.id).length, 1, 'exactly one watcher: the old one was deleted');
  } finally {
    await lab.cleanup();
  }
});
