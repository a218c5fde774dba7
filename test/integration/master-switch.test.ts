/**
 * Issue 3, the whole runbook phase 2–7 sequence through the real CLI on a lab (3 old etcd → 3 new, old master →
 * new master, 3 nodes): objects created on the old apiserver are all on the new one, every node is Ready there,
 * the old master is stopped, the new master runs its held-back services, etcd is exactly the new members, and
 * each node's files point at the new master and etcd, with backups under the run's id.
 *
 * Addresses: 127.26.1.x (old etcd .31–.33, new .21–.23, old master .30, new master .20, nodes .39–.41).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRunsDir } from '../../src/home.ts';
import { ExitCode } from '../../src/errors.ts';
import type { Pod } from '../../src/lab/k8s/common/objects.ts';
import { waitUntil } from '../helpers/etcd-cluster.ts';
import { assertNodesReady, healthz, hostPath, kubeClient, OLD_MASTER_STOPPED, startMasterLab, sysconfigLine, unitState, type MasterLab } from '../helpers/master-lab.ts';
import { clientURLs, describeCliRun, openAdmin, processesOf, runFerryCli } from '../helpers/migration.ts';

const PREFIX = '127.26.1';
const fixtureDirs: string[] = [];

after(() => {
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

interface Names {
  namespaces: string[];
  services: string[];
  rcs: string[];
  pods: string[];
}

async function readNames(url: string): Promise<Names> {
  const c = kubeClient(url);
  const names = async (path: string) => (await c.list<{ metadata: { namespace?: string; name: string } }>(path)).items.map((i) => `${i.metadata.namespace ?? ''}/${i.metadata.name}`).sort();
  return {
    namespaces: await names('/api/v1/namespaces'),
    services: await names('/api/v1/services'),
    rcs: await names('/api/v1/replicationcontrollers'),
    pods: await names('/api/v1/pods'),
  };
}

async function activePods(url: string, ns: string): Promise<Pod[]> {
  const pods = (await kubeClient(url).list<Pod>(`/api/v1/namespaces/${ns}/pods`)).items;
  return pods.filter((p) => p.metadata.deletionTimestamp === undefined && p.spec.nodeName !== undefined && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
}

async function createObjects(lab: MasterLab): Promise<void> {
  const c = kubeClient(lab.oldMaster);
  await c.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ferry-it' } });
  await c.create('/api/v1/namespaces/ferry-it/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] },
  });
  await c.create('/api/v1/namespaces/ferry-it/replicationcontrollers', {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
  await waitUntil('the RC has 2 pods scheduled on nodes', 30_000, async () => (await activePods(lab.oldMaster, 'ferry-it')).length === 2, 250);
}

test('ferry apply runs phases 2–7: master switched, nodes repointed, etcd replaced, nothing lost', { timeout: 300_000 }, async (t) => {
  const lab = await startMasterLab(PREFIX);
  fixtureDirs.push(lab.dir);
  try {
    await createObjects(lab);
    const before = await readNames(lab.oldMaster);
    assert.ok(before.namespaces.includes('/ferry-it') && before.services.includes('ferry-it/web') && before.rcs.includes('ferry-it/web'), JSON.stringify(before));
    const podsBefore = (await activePods(lab.oldMaster, 'ferry-it')).map((p) => p.metadata.name).sort();

    const started = performance.now();
    const r = await runFerryCli(['apply', '-f', lab.inventoryPath, '--yes'], lab.env);
    t.diagnostic(`ferry apply took ${Math.round(performance.now() - started)} ms`);
    assert.equal(r.code, ExitCode.ok, `ferry apply exits 0: ${describeCliRun(r)}`);

    const runIds = readdirSync(resolveRunsDir(lab.env));
    assert.equal(runIds.length, 1);
    const runId = runIds[0] as string;

    // Every node Ready on the new master; every object still there.
    await assertNodesReady(lab.newMaster, lab.nodes.map((n) => n.name));
    const afterNames = await readNames(lab.newMaster);
    assert.deepEqual(afterNames.namespaces, before.namespaces, 'the same namespaces');
    assert.deepEqual(afterNames.services, before.services, 'the same services');
    assert.deepEqual(afterNames.rcs, before.rcs, 'the same replication controllers');
    for (const p of podsBefore) assert.ok(afterNames.pods.includes(`ferry-it/${p}`), `pod ${p} is still there`);
    await waitUntil('the RC still counts 2 pods on the new master', 30_000, async () => (await activePods(lab.newMaster, 'ferry-it')).length === 2, 250);

    // The old master is stopped and silent; the new one runs everything, controller and scheduler included.
    for (const u of OLD_MASTER_STOPPED) assert.equal(await unitState(lab, lab.oldMasterHost, u), 'inactive', `old master ${u}`);
    assert.equal(await healthz(lab.oldMaster), false, 'the old apiserver is silent');
    for (const u of ['kube-apiserver', 'kube-proxy', 'kube-controller', 'kube-scheduler']) assert.equal(await unitState(lab, lab.newMasterHost, u), 'active', `new master ${u}`);

    // etcd: exactly the new members.
    const admin = openAdmin(clientURLs(lab, 'new'));
    try {
      const members = await admin.memberList();
      assert.deepEqual(members.map((m) => m.name).sort(), lab.inventory.etcd.new.map((m) => m.name).sort(), JSON.stringify(members));
    } finally {
      await admin.close();
    }

    // Node files point at the new master and the new etcd list; the old ones are backed up under the run's id.
    const newEtcd = clientURLs(lab, 'new').join(',');
    for (const n of lab.nodes) {
      const kubelet = readFileSync(hostPath(lab, n.host, '/etc/sysconfig/kubelet'), 'utf8');
      const proxy = readFileSync(hostPath(lab, n.host, '/etc/sysconfig/kube-proxy'), 'utf8');
      const flannel = readFileSync(hostPath(lab, n.host, '/etc/sysconfig/flanneld'), 'utf8');
      assert.match(sysconfigLine(kubelet, 'API_SERVERS') ?? '', new RegExp(`--api-servers=${lab.newMaster}['"]?$`), `${n.name} kubelet`);
      assert.match(sysconfigLine(proxy, 'KUBE_MASTER') ?? '', new RegExp(`--master=${lab.newMaster}['"]?$`), `${n.name} kube-proxy`);
      assert.equal(sysconfigLine(flannel, 'FLANNEL_ETCD'), `FLANNEL_ETCD="${newEtcd}"`, `${n.name} flanneld`);
      const backupDir = hostPath(lab, n.host, `/var/lib/ferry/backups/${runId}`);
      assert.ok(existsSync(backupDir), `${n.name} has ${backupDir}`);
      const backups = readdirSync(backupDir);
      for (const f of ['etc_sysconfig_kubelet', 'etc_sysconfig_kube-proxy', 'etc_sysconfig_flanneld']) {
        assert.ok(backups.includes(f), `${n.name} backup ${f} in ${backups.join(', ')}`);
        assert.match(readFileSync(join(backupDir, f), 'utf8'), new RegExp(f.endsWith('flanneld') ? PREFIX.replaceAll('.', '\\.') + '\\.31' : `${PREFIX.replaceAll('.', '\\.')}\\.30:8080`), `${f} backup holds the old value`);
      }
    }
  } finally {
    await lab.cleanup();
  }
});
