/**
 * The lab kube-controller-manager and kube-scheduler (lab-bin shims, reached through a k8s/<version> symlink as on
 * a lab host) against the lab kube-apiserver on a real etcd. The test plays the kubelets: it registers two nodes
 * and keeps their Ready heartbeat fresh. It shows the runbook's reason for starting the controller-manager last:
 * with it, a node that stops heartbeating turns Unknown and loses its pods; without it, nothing happens.
 *
 * Addresses: etcd 127.24.0.1 (4012/4010), apiserver 127.24.0.2:8080.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isConflict, KubeClient } from '../../src/lab/k8s/client.ts';
import { findCondition, isPodActive, type Node, type Pod, type ReplicationController } from '../../src/lab/k8s/common/objects.ts';
import { startEtcdCluster, waitUntil, type TestCluster } from '../helpers/etcd-cluster.ts';

const ETCD_IP = '127.24.0.1';
const API_IP = '127.24.0.2';
const MASTER = `http://${API_IP}:8080`;
const LAB_BIN = resolve(import.meta.dirname, '../../lab-bin');
const WAIT_MS = 30_000;
// A grace period of 4 s, about thirteen heartbeats (one every 300 ms): a loaded CI machine delays a few of them.
const CM_FLAGS = ['--cloud-provider=', '--node-monitor-grace-period=4s', '--pod-eviction-timeout=3s', '--node-monitor-period=500ms'];

interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly lines: string[];
}

const children = new Set<Child>();
process.on('exit', () => {
  for (const c of children) c.proc.kill('SIGKILL');
});

describe('lab kube-controller-manager and kube-scheduler', () => {
  let dir: string;
  let etcd: TestCluster | undefined;
  let k8sDir: string;
  const client = new KubeClient({ master: MASTER, requestTimeoutMs: 5000 });
  const silenced = new Set<string>();
  let heartbeats: NodeJS.Timeout | undefined;

  function start(program: string, args: string[]): Child {
    const lines: string[] = [];
    const log = createWriteStream(join(dir, `${program}.log`));
    const proc = spawn(join(k8sDir, 'current', program), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const child: Child = { name: program, proc, lines };
    children.add(child);
    for (const stream of [proc.stdout, proc.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        log.write(chunk);
        lines.push(...chunk.split('\n').filter((l) => l !== ''));
      });
    }
    proc.once('exit', () => {
      children.delete(child);
      log.end();
    });
    return child;
  }

  async function stop(child: Child): Promise<void> {
    const { proc } = child;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((done) => proc.once('exit', () => done()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async function heartbeat(name: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const node = await client.get<Node>(`/api/v1/nodes/${name}`);
      const now = new Date().toISOString();
      const conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: findCondition(node.status?.conditions, 'Ready')?.status === 'True' ? findCondition(node.status?.conditions, 'Ready')?.lastTransitionTime : now }];
      try {
        await client.replace(`/api/v1/nodes/${name}/status`, { ...node, status: { ...node.status, conditions } });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  const activePods = async (): Promise<Pod[]> => (await client.list<Pod>('/api/v1/namespaces/default/pods')).items.filter(isPodActive);
  const readyStatus = async (name: string): Promise<string | undefined> => findCondition((await client.get<Node>(`/api/v1/nodes/${name}`)).status?.conditions, 'Ready')?.status;

  async function scale(name: string, replicas: number): Promise<void> {
    for (;;) {
      const rc = await client.get<ReplicationController>(`/api/v1/namespaces/default/replicationcontrollers/${name}`);
      try {
        await client.replace(`/api/v1/namespaces/default/replicationcontrollers/${name}`, { ...rc, spec: { ...rc.spec, replicas } });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-lab-controllers-'));
    k8sDir = join(dir, 'usr/sbin/domeos/k8s');
    mkdirSync(join(k8sDir, '1.4.7'), { recursive: true });
    for (const program of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) symlinkSync(join(LAB_BIN, program), join(k8sDir, '1.4.7', program));
    symlinkSync('1.4.7', join(k8sDir, 'current'));
    etcd = await startEtcdCluster({ ips: [ETCD_IP], dataRoot: join(dir, 'etcd') });
    const apiserver = start('kube-apiserver', [`--etcd-servers=${etcd.endpoints.join(',')}`, '--service-cluster-ip-range=127.16.0.0/13', `--insecure-bind-address=${API_IP}`, '--insecure-port=8080']);
    await waitUntil('the apiserver answers /healthz', WAIT_MS, async () => {
      if (apiserver.proc.exitCode !== null) throw new Error(`kube-apiserver exited:\n${apiserver.lines.slice(-20).join('\n')}`);
      return (await fetch(`${MASTER}/healthz`).catch(() => undefined))?.status === 200;
    });
    for (const name of ['n1', 'n2']) {
      await client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
      await heartbeat(name);
    }
    heartbeats = setInterval(() => {
      for (const name of ['n1', 'n2']) if (!silenced.has(name)) void heartbeat(name).catch(() => undefined);
    }, 300);
  });

  after(async () => {
    clearInterval(heartbeats);
    await Promise.all([...children].map(stop));
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--version names the version directory it was reached through', async () => {
    for (const program of ['kube-controller-manager', 'kube-scheduler']) {
      const child = start(program, ['--version']);
      const code = await new Promise<number | null>((done) => child.proc.once('exit', (c) => done(c)));
      assert.equal(code, 0);
      assert.deepEqual(child.lines, ['Kubernetes v1.4.7']);
    }
  });

  test('without the controller-manager, nothing keeps RCs or watches heartbeats: a silent node keeps its pods', async () => {
    const scheduler = start('kube-scheduler', [`--master=${MASTER}`]);
    await client.create('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'idle' },
      spec: { replicas: 2, selector: { app: 'idle' }, template: { metadata: { labels: { app: 'idle' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await client.create('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lonely' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await waitUntil('the scheduler binds the pod', WAIT_MS, async () => (await client.get<Pod>('/api/v1/namespaces/default/pods/lonely')).spec.nodeName !== undefined);
    const node = (await client.get<Pod>('/api/v1/namespaces/default/pods/lonely')).spec.nodeName ?? '';
    silenced.add(node);
    // Longer than the grace period (4 s) plus the eviction timeout (3 s) the controller-manager gets below.
    await new Promise((r) => setTimeout(r, 9000));
    assert.equal(await readyStatus(node), 'True');
    assert.equal((await client.get<Pod>('/api/v1/namespaces/default/pods/lonely')).spec.nodeName, node);
    assert.equal((await activePods()).filter((p) => p.metadata.labels?.app === 'idle').length, 0, 'no RC manager, no pods');
    assert.ok(scheduler.lines.some((l) => l.includes(`bound default/lonely to ${node}`)), scheduler.lines.join('\n'));
    silenced.delete(node);
    await client.delete('/api/v1/namespaces/default/pods/lonely');
    await client.delete('/api/v1/namespaces/default/replicationcontrollers/idle');
    await stop(scheduler);
  });

  test('RC pods are created and placed on Ready nodes, scaled down; a silent node turns Unknown and its pods are evicted and replaced', async () => {
    await waitUntil('both nodes heartbeat again', WAIT_MS, async () => (await readyStatus('n1')) === 'True' && (await readyStatus('n2')) === 'True');
    const cm = start('kube-controller-manager', [`--master=${MASTER}`, ...CM_FLAGS]);
    const scheduler = start('kube-scheduler', [`--master=${MASTER}`, '--leader-elect=false']);
    await client.create('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web' },
      spec: { replicas: 3, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await waitUntil('3 pods, bound to both nodes', WAIT_MS, async () => {
      const pods = await activePods();
      return pods.length === 3 && pods.every((p) => (p.spec.nodeName ?? '') !== '') && new Set(pods.map((p) => p.spec.nodeName)).size === 2;
    });
    for (const pod of await activePods()) {
      assert.match(pod.metadata.name ?? '', /^web-/);
      assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'ReplicationController');
    }

    await scale('web', 1);
    await waitUntil('1 pod left', WAIT_MS, async () => (await activePods()).length === 1);
    await waitUntil('the RC reports 1 replica', WAIT_MS, async () => (await client.get<ReplicationController>('/api/v1/namespaces/default/replicationcontrollers/web')).status?.replicas === 1);

    await scale('web', 4);
    await waitUntil('4 pods, 2 per node', WAIT_MS, async () => {
      const pods = await activePods();
      return pods.length === 4 && pods.filter((p) => p.spec.nodeName === 'n1').length === 2 && pods.filter((p) => p.spec.nodeName === 'n2').length === 2;
    });

    silenced.add('n1');
    await waitUntil('n1 turns Unknown', WAIT_MS, async () => (await readyStatus('n1')) === 'Unknown');
    const ready = findCondition((await client.get<Node>('/api/v1/nodes/n1')).status?.conditions, 'Ready');
    assert.equal(ready?.reason, 'NodeStatusUnknown');
    assert.equal(ready?.message, 'Kubelet stopped posting node status.');
    await waitUntil('n1 pods evicted and replaced on n2', WAIT_MS, async () => {
      const pods = await activePods();
      return pods.length === 4 && pods.every((p) => p.spec.nodeName === 'n2');
    });
    assert.equal(await readyStatus('n2'), 'True');

    const events = (await client.list<{ reason?: string; involvedObject?: { name?: string } }>('/api/v1/namespaces/default/events')).items;
    assert.equal(events.filter((e) => e.reason === 'NodeControllerEviction').length, 2);
    assert.ok(events.some((e) => e.reason === 'NodeNotReady' && e.involvedObject?.name === 'n1'));
    await waitUntil('the scheduler has logged its bindings', WAIT_MS, async () => scheduler.lines.filter((l) => /bound default\/web-\S+ to n2/.test(l)).length >= 4);
    assert.ok(cm.lines.some((l) => l.includes('node n1 NotReady')), cm.lines.join('\n'));
    assert.equal(cm.lines.filter((l) => /evicted pod default\/web-\S+ from node n1/.test(l)).length, 2, cm.lines.join('\n'));
    assert.ok(cm.lines.some((l) => /created pod default\/web-\S+ for rc default\/web/.test(l)));
    assert.ok(cm.lines.some((l) => /deleted pod default\/web-\S+ for rc default\/web/.test(l)));
    await Promise.all([stop(cm), stop(scheduler)]);
    assert.equal(cm.proc.exitCode, 0);
    assert.equal(scheduler.proc.exitCode, 0);
  });
});
