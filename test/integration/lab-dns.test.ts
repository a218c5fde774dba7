/**
 * Issue 4 §1, the lab's cluster DNS: `startLab` with `dns` on creates dns.yaml's objects on the old master, the
 * lab scheduler puts kube2sky and skydns on lab nodes, their kubelets run them as containers, kube-proxy makes
 * the service address answer — so the real `dig` gets the `kubernetes` service's cluster IP over UDP and TCP.
 * The containers belong to the node: a kubelet restart neither stops nor restarts them, and DNS keeps
 * answering. A pod whose image cannot be pulled waits with ErrImagePull and is not Ready.
 *
 * Addresses: hosts 127.32.0.x (old etcd .31–.33, new .21–.23, old master .30, new master .20, nodes .39–.40),
 * services 127.40.0.0/13 (cluster DNS 127.40.40.1, `kubernetes` 127.40.0.1), flannel 127.48.0.0/13.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LabHost } from '../../src/lab/host.ts';
import type { Pod } from '../../src/lab/k8s/common/objects.ts';
import { readLabState } from '../../src/lab/setup/state.ts';
import { readLabStatus } from '../../src/lab/setup/status.ts';
import { renderLabK8sStatusLines } from '../../src/lab/setup/status-lines.ts';
import { waitUntil } from '../helpers/etcd-cluster.ts';
import { kubeClient, startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { processesOf } from '../helpers/migration.ts';

const PREFIX = '127.32.0';
const CLUSTER_DNS = '127.40.40.1';
const KUBERNETES_IP = '127.40.0.1';
const NAME = 'kubernetes.default.svc.domeos.local';
const run = promisify(execFile);

async function dig(...extra: string[]): Promise<string> {
  try {
    const { stdout } = await run('dig', [`@${CLUSTER_DNS}`, '+short', '+time=2', '+tries=1', ...extra, NAME], { timeout: 10_000 });
    return stdout.trim();
  } catch (err) {
    return `dig failed: ${(err as Error).message}`;
  }
}

interface PodWithStatus extends Pod {
  status?: Pod['status'] & { containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: { waiting?: { reason?: string } } }[] };
}

const isReady = (p: PodWithStatus): boolean => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('lab cluster DNS', () => {
  let lab: MasterLab;
  before(async () => {
    lab = await startMasterLab(PREFIX, {
      nodes: 2,
      lab: { dns: true, serviceClusterIpRange: '127.40.0.0/13', clusterDns: CLUSTER_DNS, flannelNetwork: '127.48.0.0/13', healthTimeoutMs: 60_000, dnsReadyTimeoutMs: 120_000 },
    });
  });
  after(async () => {
    const dir = lab?.dir;
    await lab?.cleanup();
    if (dir !== undefined) assert.deepEqual(processesOf(dir), [], 'no process left behind');
  });

  async function dnsPods(): Promise<PodWithStatus[]> {
    const pods = (await kubeClient(lab.oldMaster).list<PodWithStatus>('/api/v1/namespaces/default/pods')).items;
    return pods.filter((p) => ['kube2sky', 'skydns'].includes(p.metadata.labels?.['app'] ?? '') && p.metadata.deletionTimestamp === undefined);
  }

  test('dig through the cluster DNS address answers the kubernetes service IP, over UDP and TCP', async () => {
    assert.equal(await dig(), KUBERNETES_IP);
    assert.equal(await dig('+tcp'), KUBERNETES_IP);
    const state = await readLabState(lab.labDir);
    assert.deepEqual(state?.k8s?.network, { serviceClusterIpRange: '127.40.0.0/13', clusterDns: CLUSTER_DNS, flannelNetwork: '127.48.0.0/13' });
    assert.equal(state?.k8s?.dns?.answer, KUBERNETES_IP);
    const status = await readLabStatus(lab.labDir);
    assert.deepEqual(status.k8s?.dns?.answer, [KUBERNETES_IP]);
    assert.ok(renderLabK8sStatusLines(status.k8s!).includes(`dns: default/skydns-svc at ${CLUSTER_DNS}: ${NAME} → ${KUBERNETES_IP}`));
  });

  test('the DNS pods are Running and Ready on lab nodes, with pod IPs from the flannel network', async () => {
    const pods = await dnsPods();
    assert.deepEqual(pods.map((p) => p.metadata.labels?.['app']).sort(), ['kube2sky', 'skydns']);
    const nodeNames = lab.nodes.map((n) => n.name);
    for (const p of pods) {
      assert.equal(p.status?.phase, 'Running', p.metadata.name);
      assert.ok(isReady(p), `${p.metadata.name} Ready`);
      assert.ok(nodeNames.includes(p.spec.nodeName ?? ''), `${p.metadata.name} on a lab node`);
      assert.match(p.status?.podIP ?? '', /^127\.(4[89]|5[0-5])\./, 'a pod address in 127.48.0.0/13');
    }
  });

  test('a kubelet restart neither stops nor restarts the DNS containers; DNS keeps answering', async () => {
    const before = await dnsPods();
    const hosts = new Set(before.map((p) => lab.nodes.find((n) => n.name === p.spec.nodeName)?.host).filter((h): h is string => h !== undefined));
    for (const address of hosts) {
      const host = new LabHost(lab.labDir, address);
      try {
        await host.service('kubelet', 'restart');
      } finally {
        await host.close();
      }
    }
    for (let i = 0; i < 5; i++) {
      assert.equal(await dig(i % 2 === 0 ? '+notcp' : '+tcp'), KUBERNETES_IP, `answer ${i} after the restart`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const after = await dnsPods();
    assert.deepEqual(after.map((p) => [p.metadata.name, p.metadata.uid, p.status?.podIP, isReady(p), p.status?.containerStatuses?.[0]?.restartCount]).sort(), before.map((p) => [p.metadata.name, p.metadata.uid, p.status?.podIP, true, 0]).sort());
  });

  test('an RC whose image cannot be pulled: its pod waits with ErrImagePull, Pending and not Ready', async () => {
    const c = kubeClient(lab.oldMaster);
    await c.create('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'skydns-broken' },
      spec: {
        replicas: 1,
        selector: { app: 'broken' },
        template: { metadata: { labels: { app: 'broken' } }, spec: { containers: [{ name: 'skydns', image: 'pub.domeos.org/domeos/skydns:does-not-exist', command: ['/skydns'] }] } },
      },
    });
    let pod: PodWithStatus | undefined;
    const reasons = new Set<string>();
    await waitUntil('the broken pod reports its waiting container', 60_000, async () => {
      const pods = (await c.list<PodWithStatus>('/api/v1/namespaces/default/pods', { labelSelector: 'app=broken' })).items;
      pod = pods[0];
      const reason = pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (reason !== undefined) reasons.add(reason);
      return reasons.has('ErrImagePull');
    }, 100);
    assert.equal(pod?.status?.phase, 'Pending');
    assert.equal(isReady(pod as PodWithStatus), false);
    assert.equal(pod?.status?.containerStatuses?.[0]?.ready, false);
    assert.ok([...reasons].every((r) => r === 'ErrImagePull' || r === 'ImagePullBackOff'), [...reasons].join(','));
    // DNS is not disturbed by it.
    assert.equal(await dig(), KUBERNETES_IP);
  });
});
