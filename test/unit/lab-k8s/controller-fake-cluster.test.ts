/**
 * The controller-manager and scheduler loops, in process, against the in-memory v1 server, with the test playing
 * the kubelets (heartbeats, pods Running). The same story as test/integration/lab-controllers.test.ts, fast.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/lab/k8s/client.ts';
import { runControllerManager } from '../../../src/lab/k8s/controller-manager/controller-manager.ts';
import { createLogger } from '../../../src/lab/k8s/common/log.ts';
import { findCondition, isPodActive, type Endpoints, type Node, type Pod, type ReplicationController } from '../../../src/lab/k8s/common/objects.ts';
import { runScheduler } from '../../../src/lab/k8s/scheduler/scheduler.ts';
import { waitUntil } from '../../helpers/etcd-cluster.ts';
import { startFakeApiserver, type FakeApiserver } from './controller-fake-apiserver.ts';

const HOST = '127.24.0.2';
const TIMEOUT_MS = 20_000;

interface Kubelets {
  silence(node: string): void;
  stop(): void;
}

/** Heartbeat every 200 ms for each node not silenced; pods bound to a live node become Running and Ready. */
function startKubelets(api: FakeApiserver, nodes: string[]): Kubelets {
  const silenced = new Set<string>();
  let ip = 10;
  const tick = (): void => {
    for (const name of nodes) {
      const node = api.objects('nodes').get(name);
      if (node === undefined || silenced.has(name)) continue;
      const now = new Date().toISOString();
      const status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: '2024-01-01T00:00:00Z' }] };
      api.put('nodes', { ...node, status });
    }
    for (const pod of api.objects<Pod>('pods').values()) {
      const node = pod.spec.nodeName ?? '';
      if (node === '' || silenced.has(node) || pod.status?.phase === 'Running') continue;
      api.put('pods', { ...pod, status: { phase: 'Running', podIP: `127.24.1.${ip++}`, conditions: [{ type: 'Ready', status: 'True' }] } });
    }
  };
  tick();
  const timer = setInterval(tick, 200);
  return { silence: (n) => silenced.add(n), stop: () => clearInterval(timer) };
}

describe('lab controller-manager + scheduler against a v1 server', () => {
  let api: FakeApiserver;
  let client: KubeClient;
  let stop: AbortController;
  let kubelets: Kubelets | undefined;
  const lines: string[] = [];
  let running: Array<Promise<void>> = [];

  before(async () => {
    api = await startFakeApiserver(HOST);
    client = new KubeClient({ master: api.url, requestTimeoutMs: 2000 });
  });
  afterEach(async () => {
    kubelets?.stop();
    stop.abort();
    await Promise.all(running);
    running = [];
  });
  after(async () => {
    if (process.env.SHOW_LINES === '1') console.log(lines.join('\n'));
    await api.close();
  });

  async function setup(withControllerManager: boolean): Promise<void> {
    for (const name of ['n1', 'n2']) {
      if (!api.objects('nodes').has(name)) await client.create('/api/v1/nodes', { metadata: { name }, spec: {} });
    }
    kubelets = startKubelets(api, ['n1', 'n2']);
    stop = new AbortController();
    const log = createLogger({ out: (l) => lines.push(l), err: (l) => lines.push(l) });
    const cm = { client, log, signal: stop.signal, monitorPeriodMs: 200, gracePeriodMs: 1000, startupGracePeriodMs: 1000, podEvictionTimeoutMs: 1500, resyncMs: 1000 };
    running = [runScheduler({ client, log, signal: stop.signal, retryMs: 300 }), ...(withControllerManager ? [runControllerManager(cm)] : [])];
  }
  const pods = (ns = 'default'): Pod[] => [...api.objects<Pod>('pods').values()].filter((p) => p.metadata.namespace === ns && isPodActive(p));
  const nodeReady = (name: string): string | undefined => findCondition(api.objects<Node>('nodes').get(name)?.status?.conditions, 'Ready')?.status;

  test('RC pods are created, spread over Ready nodes, scaled down; a silent node is marked Unknown and its pods evicted and replaced', async () => {
    await setup(true);
    await client.create('/api/v1/namespaces/default/replicationcontrollers', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
    });
    await client.create('/api/v1/namespaces/default/services', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });

    await waitUntil('3 pods bound to both nodes', TIMEOUT_MS, async () => {
      const p = pods();
      return p.length === 3 && p.every((x) => x.spec.nodeName !== undefined) && new Set(p.map((x) => x.spec.nodeName)).size === 2;
    });
    assert.ok(pods().every((p) => p.metadata.name?.startsWith('web-') && p.metadata.ownerReferences?.[0]?.kind === 'ReplicationController'));
    await waitUntil('endpoints list the 3 running pods on port 8080', TIMEOUT_MS, async () => {
      const ep = api.objects<Endpoints>('endpoints').get('default/web');
      return ep?.subsets?.[0]?.addresses?.length === 3 && ep.subsets[0].ports?.[0]?.port === 8080;
    });
    await waitUntil('rc status says 3 ready', TIMEOUT_MS, async () => api.objects<ReplicationController>('replicationcontrollers').get('default/web')?.status?.readyReplicas === 3);

    const rc = await client.get<ReplicationController>('/api/v1/namespaces/default/replicationcontrollers/web');
    await client.replace('/api/v1/namespaces/default/replicationcontrollers/web', { ...rc, spec: { ...rc.spec, replicas: 1 } });
    await waitUntil('scaled down to 1 pod', TIMEOUT_MS, async () => pods().length === 1);
    await waitUntil('rc status says 1 replica, generation observed', TIMEOUT_MS, async () => {
      const s = api.objects<ReplicationController>('replicationcontrollers').get('default/web')?.status;
      return s?.replicas === 1 && s.observedGeneration === 2;
    });

    const again = await client.get<ReplicationController>('/api/v1/namespaces/default/replicationcontrollers/web');
    await client.replace('/api/v1/namespaces/default/replicationcontrollers/web', { ...again, spec: { ...again.spec, replicas: 4 } });
    await waitUntil('4 pods on both nodes', TIMEOUT_MS, async () => {
      const p = pods();
      return p.length === 4 && p.filter((x) => x.spec.nodeName === 'n1').length === 2 && p.filter((x) => x.spec.nodeName === 'n2').length === 2;
    });

    kubelets?.silence('n1');
    await waitUntil('n1 turns Unknown', TIMEOUT_MS, async () => nodeReady('n1') === 'Unknown');
    assert.equal(findCondition(api.objects<Node>('nodes').get('n1')?.status?.conditions, 'Ready')?.reason, 'NodeStatusUnknown');
    await waitUntil('n1 pods evicted and replaced on n2', TIMEOUT_MS, async () => {
      const p = pods();
      return p.length === 4 && p.every((x) => x.spec.nodeName === 'n2');
    });
    assert.equal(nodeReady('n2'), 'True');
    const events = [...api.objects<{ reason?: string }>('events').values()];
    assert.equal(events.filter((e) => e.reason === 'NodeControllerEviction').length, 2);
    assert.ok(events.some((e) => e.reason === 'NodeNotReady'));
    assert.ok(events.some((e) => e.reason === 'Scheduled'));
    assert.ok(lines.some((l) => /node n1 NotReady/.test(l)));
    assert.equal(lines.filter((l) => /evicted pod default\/web-\S+ from node n1/.test(l)).length, 2);
    assert.ok(lines.some((l) => /created pod default\/web-\S+ for rc default\/web/.test(l)));
    assert.ok(lines.some((l) => /bound default\/web-\S+ to n2/.test(l)));
  });

  test('without the controller-manager, a silent node stays Ready and keeps its pods', async () => {
    // n1 has been silent since the previous test; a fresh heartbeat first, then silence again.
    api.put('nodes', { ...api.objects<Node>('nodes').get('n1'), status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString() }] } });
    await setup(false);
    await client.create('/api/v1/namespaces/default/pods', { metadata: { name: 'lonely' }, spec: { nodeName: 'n1', containers: [] } });
    kubelets?.silence('n1');
    // Longer than grace (1 s) + eviction timeout (1.5 s) plus a few monitor periods of the controller-manager above.
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal(nodeReady('n1'), 'True');
    assert.ok(api.objects('pods').has('default/lonely'));
  });
});
