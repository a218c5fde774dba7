// `ferry lab up` with a master and nodes: the old master on the old etcd, node agents (kubelet, kube-proxy,
// flanneld) in shared node runtimes, nodes Ready, flannel leases in etcd v2, systemd semantics per node unit.
// Addresses (this file's own): etcd 127.25.0.31–.33 (peer 4010, client 4012), old master 127.25.0.30:8080, new
// master 127.25.0.20:8080, nodes 127.25.1.1–.3, generated nodes 127.25.2.x, a dead apiserver at 127.25.0.99:8080.
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabHost } from '../../src/lab/host.ts';
import type { EtcdMember, Inventory } from '../../src/inventory/types.ts';
import { renderKubeletSysconfig } from '../../src/lab/domeos/node-files.ts';
import { stopLab } from '../../src/lab/setup/down.ts';
import { readLabSeedCheck } from '../../src/lab/setup/etcd-seed.ts';
import { readReadyNodeNames } from '../../src/lab/setup/nodes-up.ts';
import { buildHostRoot } from '../../src/lab/paths.ts';
import { findProcessesWithCmdline } from '../../src/lab/supervisor/processes.ts';
import type { LabState } from '../../src/lab/setup/state.ts';
import { readLabStatus } from '../../src/lab/setup/status.ts';
import { renderLabK8sStatusLines } from '../../src/lab/setup/status-lines.ts';
import { SupervisorClient } from '../../src/lab/supervisor/supervisor-client.ts';
import { startLab } from '../../src/lab/setup/up.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ferry-nodes-it-'));
const OLD_API = 'http://127.25.0.30:8080';
const ETCD = ['http://127.25.0.31:4012', 'http://127.25.0.32:4012', 'http://127.25.0.33:4012'];
const NODES = [1, 2, 3].map((i) => ({ name: `n-${i}`, host: `127.25.1.${i}` }));

function member(i: number): EtcdMember {
  const host = `127.25.0.${i}`;
  return { name: `domeosEtcd${i}`, host, clientURL: `http://${host}:4012`, peerURL: `http://${host}:4010`, dataDir: '/var/lib/etcd', service: 'etcd', binary: '/usr/sbin/domeos/etcd/current/etcd', configFile: '/etc/sysconfig/etcd' };
}

function inventory(labDir: string): Inventory {
  return {
    apiVersion: 'ferry/v1',
    name: 'lab-nodes-test',
    access: { mode: 'lab', labDir },
    hosts: {},
    etcd: { old: [31, 32, 33].map(member), new: [21].map(member) },
    master: { old: { host: '127.25.0.30', apiserver: OLD_API }, new: { host: '127.25.0.20', apiserver: 'http://127.25.0.20:8080' } },
    nodes: NODES,
  };
}

/** Poll until `check` returns a value (bounded). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

async function expectLabGone(labDir: string): Promise<void> {
  await stopLab(labDir);
  assert.deepEqual(findProcessesWithCmdline(labDir), [], 'no process of the lab is left');
  assert.equal(existsSync(labDir), false, 'the lab folder is removed');
}

function readHostFile(labDir: string, host: string, path: string): string {
  return readFileSync(join(buildHostRoot(labDir, host), path), 'utf8');
}

after(() => rmSync(tmp, { recursive: true, force: true }));

describe('lab up with a master and 3 nodes', () => {
  const labDir = join(tmp, 'lab1');
  let state: LabState;
  const client = new SupervisorClient(labDir);

  before(async () => {
    // The new master at another Kubernetes version, as the master switch's refusal test needs it.
    state = await startLab({ inventory: inventory(labDir), inventoryPath: 'test', labDir, dns: false, healthTimeoutMs: 60_000, nodesReadyTimeoutMs: 90_000, k8sVersions: { '127.25.0.20': '1.5.5' } });
  });
  after(async () => {
    await expectLabGone(labDir);
  });

  test('every node is Ready on the old master; the new master is prepared only', async () => {
    const ready = await readReadyNodeNames(OLD_API);
    for (const n of NODES) assert.ok(ready.has(n.name), `${n.name} Ready`);
    const { body: node } = await getJson(`${OLD_API}/api/v1/nodes/n-1`);
    const status = node['status'] as { addresses: { type: string; address: string }[]; capacity: Record<string, string>; nodeInfo: Record<string, string> };
    assert.ok(status.addresses.some((a) => a.type === 'InternalIP' && a.address === '127.25.1.1'));
    assert.equal(status.capacity['pods'], '70', '--max-pods=70 from KUBELET_OPTS');
    assert.equal(status.nodeInfo['kubeletVersion'], 'v1.4.7');
    assert.deepEqual(state.k8s?.nodes.map((n) => n.name), ['n-1', 'n-2', 'n-3']);
    assert.deepEqual(state.k8s?.masters.map((m) => [m.role, m.address, m.k8sVersion, m.units.length]), [
      ['old', '127.25.0.30', '1.4.7', 5],
      ['new', '127.25.0.20', '1.5.5', 0],
    ]);
    const fresh = new LabHost(labDir, '127.25.0.20');
    assert.equal((await fresh.run(['/usr/sbin/domeos/k8s/current/kube-apiserver', '--version'])).stdout, 'Kubernetes v1.5.5\n');
    assert.equal((await new LabHost(labDir, '127.25.0.30').run(['/usr/sbin/domeos/k8s/current/kube-apiserver', '--version'])).stdout, 'Kubernetes v1.4.7\n');
    assert.equal(await fresh.exists('/etc/sysconfig/kube-apiserver'), false);
    await assert.rejects(fetch('http://127.25.0.20:8080/healthz', { signal: AbortSignal.timeout(2_000) }), 'nothing runs on the new master');
  });

  test('DomeOS files on a node; versions from the install path', async () => {
    assert.equal(readHostFile(labDir, '127.25.1.2', 'etc/sysconfig/kubelet'), renderKubeletSysconfig({ apiServer: OLD_API, clusterDns: '127.16.40.1', clusterDomain: 'domeos.local', hostnameOverride: 'n-2' }));
    assert.match(readHostFile(labDir, '127.25.1.2', 'etc/sysconfig/flanneld'), /^FLANNEL_ETCD="http:\/\/127\.25\.0\.31:4012,http:\/\/127\.25\.0\.32:4012,http:\/\/127\.25\.0\.33:4012"\n/);
    const host = new LabHost(labDir, '127.25.1.2');
    assert.equal((await host.run(['/usr/sbin/domeos/k8s/current/kubelet', '--version'])).stdout, 'Kubernetes v1.4.7\n');
    assert.equal((await host.run(['/usr/sbin/domeos/k8s/current/kube-proxy', '--version'])).stdout, 'Kubernetes v1.4.7\n');
    assert.equal((await host.run(['/usr/sbin/domeos/flannel/current/flanneld', '--version'])).stderr, '0.5.5\n', 'flanneld prints its version on stderr');
    const bad = await host.run(['/usr/sbin/domeos/k8s/current/kubelet', '--no-such-flag'], { check: false });
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /unknown flag: --no-such-flag/);
  });

  test('node units run in a shared node runtime: their status shows its pid', async () => {
    const units = await client.list();
    const nodeUnits = units.filter((u) => u.host.startsWith('127.25.1.'));
    assert.equal(nodeUnits.length, 9);
    for (const u of nodeUnits) assert.equal(u.state, 'active', `${u.host} ${u.unit}`);
    const pids = new Set(nodeUnits.map((u) => u.pid));
    assert.equal(pids.size, 1, 'one runtime process hosts all of them');
    const apiserver = units.find((u) => u.host === '127.25.0.30' && u.unit === 'kube-apiserver');
    assert.ok(apiserver?.pid !== undefined && !pids.has(apiserver.pid), 'the apiserver is a process of its own');
  });

  test('flannel leases are in etcd v2, and each host wrote its subnet.env and docker options', async () => {
    const { body } = await getJson(`${ETCD[0]}/v2/keys/flannel/network/subnets`);
    const leases = ((body['node'] as { nodes?: { key: string; value: string }[] }).nodes ?? []).map((n) => ({ key: n.key, publicIP: (JSON.parse(n.value) as { PublicIP: string }).PublicIP }));
    assert.deepEqual(leases.map((l) => l.publicIP).sort(), ['127.25.0.30', '127.25.1.1', '127.25.1.2', '127.25.1.3']);
    for (const n of NODES) {
      const env = readHostFile(labDir, n.host, 'run/flannel/subnet.env');
      const subnet = /FLANNEL_SUBNET=(\d+\.\d+\.\d+)\.1\/22/.exec(env)?.[1];
      assert.ok(subnet !== undefined, env);
      assert.ok(leases.some((l) => l.key === `/flannel/network/subnets/${subnet}.0-22` && l.publicIP === n.host), `${n.host}'s lease`);
      assert.match(readHostFile(labDir, n.host, 'run/flannel/docker'), new RegExp(`DOCKER_NETWORK_OPTIONS=" --bip=${subnet.replace(/\./g, '\\.')}\\.1/22 --ip-masq=true --mtu=1450"`));
    }
  });

  test('a killed flanneld is restarted by Restart=always and keeps its lease', async () => {
    const before = readHostFile(labDir, '127.25.1.1', 'run/flannel/subnet.env');
    const restartsBefore = (await client.state('127.25.1.1', 'flanneld')).restarts;
    await client.kill('127.25.1.1', 'flanneld', 'SIGKILL');
    const after = await waitFor('flanneld restarted', async () => {
      const s = await client.state('127.25.1.1', 'flanneld');
      return s.restarts > restartsBefore && s.state === 'active' ? s : undefined;
    });
    assert.deepEqual(after.lastExit, { code: null, signal: 'SIGKILL' });
    await waitFor('the lease reused', async () => (readHostFile(labDir, '127.25.1.1', 'var/log/flanneld.log').includes('for current IP (127.25.1.1), reusing') ? true : undefined));
    assert.equal(readHostFile(labDir, '127.25.1.1', 'run/flannel/subnet.env'), before);
  });

  test('a shim executed directly runs one agent in its own process, and SIGTERM ends it by that signal', async () => {
    const root = buildHostRoot(labDir, '127.25.1.3');
    const child = spawn(join(root, 'usr/sbin/domeos/flannel/current/flanneld'), [`-etcd-endpoints=${ETCD.join(',')}`, '-etcd-prefix=/flannel/network', '-iface=127.25.1.3'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor('the direct flanneld acquired its lease', async () => (stderr.includes('Lease acquired') ? true : undefined));
      assert.match(stderr, /Found lease \(127\.\d+\.\d+\.0\/22\) for current IP \(127\.25\.1\.3\), reusing/);
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [null, 'SIGTERM']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a pod bound to a node runs there with an address from its flannel subnet, and is forgotten once deleted', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lab-nodes-it', namespace: 'default' }, spec: { nodeName: 'n-2', containers: [{ name: 'c', image: 'nginx' }] } };
    const created = await getJson(`${OLD_API}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pod) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const running = await waitFor('the pod Running', async () => {
      const { body } = await getJson(`${OLD_API}/api/v1/namespaces/default/pods/lab-nodes-it`);
      const st = body['status'] as { phase?: string; podIP?: string; hostIP?: string } | undefined;
      return st?.phase === 'Running' ? st : undefined;
    });
    const subnet = /FLANNEL_SUBNET=(\d+\.\d+\.\d+)\.1\/22/.exec(readHostFile(labDir, '127.25.1.2', 'run/flannel/subnet.env'))?.[1];
    assert.equal(running.podIP, `${subnet}.2`);
    assert.equal(running.hostIP, '127.25.1.2');
    await getJson(`${OLD_API}/api/v1/namespaces/default/pods/lab-nodes-it`, { method: 'DELETE' });
    await waitFor('the kubelet forgot it', async () => (readHostFile(labDir, '127.25.1.2', 'var/log/kubelet.log').includes('default/lab-nodes-it was deleted') ? true : undefined));
  });

  test('a kubelet pointed at a dead apiserver keeps running and retrying', async () => {
    const host = new LabHost(labDir, '127.25.1.3');
    const original = readHostFile(labDir, '127.25.1.3', 'etc/sysconfig/kubelet');
    await host.writeFile('/etc/sysconfig/kubelet', original.replace(OLD_API, 'http://127.25.0.99:8080'));
    await host.service('kubelet', 'restart');
    await sleep(3_000);
    assert.equal(await host.serviceState('kubelet'), 'active');
    const log = readHostFile(labDir, '127.25.1.3', 'var/log/kubelet.log');
    assert.match(log, /Unable to register node "n-3" with API server: Get http:\/\/127\.25\.0\.99:8080\/api\/v1\/nodes\/n-3: dial tcp 127\.25\.0\.99:8080: getsockopt: connection refused/);
    await host.writeFile('/etc/sysconfig/kubelet', original);
    await host.service('kubelet', 'restart');
    assert.equal(await host.serviceState('kubelet'), 'active');
  });

  test('lab status shows the masters and the nodes', async () => {
    const status = await readLabStatus(labDir);
    const k8s = status.k8s;
    assert.ok(k8s !== undefined);
    assert.equal(k8s.masters[0]?.healthz, 'ok');
    assert.deepEqual(k8s.masters[0]?.unitStates.map((u) => `${u.unit} ${u.state}`), ['flanneld active', 'kube-apiserver active', 'kube-controller active', 'kube-scheduler active', 'kube-proxy active']);
    assert.deepEqual(k8s.nodes.unitStates, { flanneld: { active: 3 }, 'kube-proxy': { active: 3 }, kubelet: { active: 3 } });
    assert.equal(k8s.nodes.ready[0]?.ready, 3);
    assert.ok(k8s.nodes.ready[1]?.error !== undefined, 'the new master does not answer');
    assert.ok(renderLabK8sStatusLines(k8s).some((l) => l.includes('Ready on http://127.25.0.30:8080: 3/3')));
  });

  test('the seeded data reads back although a control plane runs on it', async () => {
    assert.deepEqual(await readLabSeedCheck(ETCD), { ok: true, missing: [], wrong: [] });
  });
});

describe('scale: 200 nodes', () => {
  test('lab up --nodes 200: every node Ready, then everything stops', async () => {
    const labDir = join(tmp, 'lab2');
    try {
      const state = await startLab({ inventory: inventory(labDir), inventoryPath: 'test', labDir, dns: false, nodes: 200, generatedNodeBase: '127.25.2.0', healthTimeoutMs: 60_000, nodesReadyTimeoutMs: 240_000 });
      assert.equal(state.k8s?.nodes.length, 200);
      assert.deepEqual(state.k8s?.nodes[3], { name: 'lab-node-1', address: '127.25.2.1', generated: true, k8sVersion: '1.4.7' });
      const ready = await readReadyNodeNames(OLD_API);
      assert.equal(state.k8s?.nodes.filter((n) => ready.has(n.name)).length, 200);
    } finally {
      await expectLabGone(labDir);
    }
  });
});
