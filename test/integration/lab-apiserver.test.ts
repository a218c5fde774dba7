/**
 * The lab's kube-apiserver stand-in (lab-bin/kube-apiserver) against a real etcd 3.4, driven over HTTP, by
 * @kubernetes/client-node 1.4 and by the real kubectl. This file owns 127.23.0.1 (etcd, ports 4012/4010) and
 * 127.23.0.2:8080 (the apiserver). The tests run in order and share one etcd and one apiserver; the last one stops
 * and restarts etcd.
 */
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import * as k8s from '@kubernetes/client-node';
import { buildInitialCluster, startEtcdCluster, startExtraMember, stopMember, waitUntil } from '../helpers/etcd-cluster.ts';
import type { TestCluster } from '../helpers/etcd-cluster.ts';

const ETCD_IP = '127.23.0.1';
const API = 'http://127.23.0.2:8080';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SHIM = join(REPO, 'lab-bin/kube-apiserver');
const KUBECTL = '/usr/bin/kubectl';
const WAIT_MS = 30_000;

type Obj = Record<string, unknown>;
/** The value at a dotted path, array indexes included (`status.conditions.0.type`). */
function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Obj)[k] : undefined), value);
}

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Obj }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Obj) : { text } };
}

async function expectStatus(answer: Promise<{ status: number; body: Obj }>, code: number, reason?: string): Promise<Obj> {
  const { status, body } = await answer;
  assert.equal(status, code, JSON.stringify(body));
  if (reason !== undefined) {
    assert.equal(body['kind'], 'Status');
    assert.equal(body['reason'], reason);
    assert.equal(body['code'], code);
  }
  return body;
}

const rvOf = (obj: Obj): string => String(at(obj, 'metadata.resourceVersion'));

interface WatchStream {
  readonly events: Array<{ type: string; object: Obj }>;
  waitFor(count: number): Promise<void>;
  readonly ended: Promise<void>;
  close(): void;
}

function openWatch(path: string): WatchStream {
  const events: WatchStream['events'] = [];
  let buffer = '';
  let finish: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  const req = request(`${API}${path}`, { agent: false }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as { type: string; object: Obj });
    });
    res.on('end', finish);
    res.on('close', finish);
  });
  req.on('error', finish);
  req.end();
  return {
    events,
    ended,
    waitFor: (count) => waitUntil(`${count} events on ${path}`, WAIT_MS, async () => events.length >= count, 20),
    close: () => req.destroy(),
  };
}

describe('kube-apiserver stand-in', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ferry-apiserver-'));
  let cluster: TestCluster | undefined;
  let apiserver: ChildProcess | undefined;
  let etcd: Etcd3 | undefined;
  const logPath = join(tmp, 'apiserver.log');
  const killApiserver = (): void => void apiserver?.kill('SIGKILL');

  before(async () => {
    cluster = await startEtcdCluster({ ips: [ETCD_IP], dataRoot: join(tmp, 'etcd') });
    etcd = new Etcd3({ hosts: cluster.endpoints });
    const log = openSync(logPath, 'a');
    apiserver = spawn(process.execPath, [SHIM, `--etcd-servers=${cluster.endpoints[0]}`, '--insecure-bind-address=127.23.0.2', '--insecure-port=8080', '--v=2'], { cwd: REPO, stdio: ['ignore', log, log] });
    closeSync(log);
    process.on('exit', killApiserver);
    await waitUntil('the apiserver answers /healthz', 90_000, async () => {
      assert.equal(apiserver?.exitCode, null, `the apiserver exited:\n${readFileSync(logPath, 'utf8')}`);
      return (await fetch(`${API}/healthz`).catch(() => undefined))?.status === 200;
    }, 200);
  });

  after(async () => {
    if (apiserver !== undefined && apiserver.exitCode === null && apiserver.signalCode === null) {
      const exited = new Promise((resolve) => apiserver?.once('exit', resolve));
      apiserver.kill('SIGTERM');
      const timer = setTimeout(killApiserver, 5000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killApiserver);
    etcd?.close();
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('--version, /version and discovery', async () => {
    assert.equal(execFileSync(process.execPath, [SHIM, '--version'], { encoding: 'utf8' }), 'Kubernetes v1.4.7\n');
    // Reached through a versioned directory, as on a DomeOS master: /usr/sbin/domeos/k8s/current -> 1.3.11
    mkdirSync(join(tmp, 'k8s/1.3.11'), { recursive: true });
    symlinkSync(SHIM, join(tmp, 'k8s/1.3.11/kube-apiserver'));
    symlinkSync('1.3.11', join(tmp, 'k8s/current'));
    assert.equal(execFileSync(process.execPath, [join(tmp, 'k8s/current/kube-apiserver'), '--version'], { encoding: 'utf8' }), 'Kubernetes v1.3.11\n');
    const noEtcd = spawnSync(process.execPath, [SHIM, '--insecure-port=1'], { encoding: 'utf8' });
    assert.equal(noEtcd.status, 1);
    assert.match(noEtcd.stderr, /--etcd-servers must be specified/);

    const version = await expectStatus(call('GET', '/version'), 200);
    assert.deepEqual([version['major'], version['minor'], version['gitVersion'], version['platform']], ['1', '4', 'v1.4.7', 'linux/amd64']);
    assert.deepEqual((await expectStatus(call('GET', '/api'), 200))['serverAddressByClientCIDRs'], [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.23.0.2:8080' }]);
    assert.deepEqual((await expectStatus(call('GET', '/apis'), 200))['groups'], []);
    const resources = (await expectStatus(call('GET', '/api/v1'), 200))['resources'] as Obj[];
    assert.ok(resources.some((r) => r['name'] === 'pods/binding'));
    assert.equal((await call('GET', '/healthz')).body['text'], 'ok');
    await expectStatus(call('GET', '/openapi/v2'), 404, 'NotFound');
  });

  test('bootstrap: namespaces, the kubernetes service and endpoints, the masterlease', async () => {
    await expectStatus(call('GET', '/api/v1/namespaces/default'), 200);
    await expectStatus(call('GET', '/api/v1/namespaces/kube-system'), 200);
    const svc = await expectStatus(call('GET', '/api/v1/namespaces/default/services/kubernetes'), 200);
    assert.equal(at(svc, 'spec.clusterIP'), '10.0.0.1');
    assert.deepEqual(at(svc, 'spec.ports'), [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8080 }]);
    assert.deepEqual(at(svc, 'metadata.labels'), { component: 'apiserver', provider: 'kubernetes' });
    const ep = await expectStatus(call('GET', '/api/v1/namespaces/default/endpoints/kubernetes'), 200);
    assert.deepEqual(at(ep, 'subsets'), [{ addresses: [{ ip: '127.23.0.2' }], ports: [{ name: 'https', port: 8080, protocol: 'TCP' }] }]);
    const lease = (await etcd?.get('/registry/masterleases/127.23.0.2').exec())?.kvs[0];
    assert.ok(lease, 'the masterlease exists');
    assert.notEqual(lease.lease, '0', 'it is attached to an etcd lease');
    assert.equal(at(JSON.parse(lease.value.toString()), 'subsets.0.addresses.0.ip'), '127.23.0.2');
  });

  const samples: Array<{ resource: string; key: string; body: Obj }> = [
    { resource: 'nodes', key: '/registry/minions/crud', body: { metadata: { name: 'crud' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } } },
    { resource: 'namespaces', key: '/registry/namespaces/crud', body: { metadata: { name: 'crud' } } },
    { resource: 'namespaces/default/services', key: '/registry/services/specs/default/crud', body: { metadata: { name: 'crud' }, spec: { selector: { app: 'crud' }, ports: [{ port: 80 }] } } },
    { resource: 'namespaces/default/endpoints', key: '/registry/services/endpoints/default/crud', body: { metadata: { name: 'crud' }, subsets: [{ addresses: [{ ip: '127.24.0.9' }], ports: [{ port: 80 }] }] } },
    { resource: 'namespaces/default/pods', key: '/registry/pods/default/crud', body: { metadata: { name: 'crud', labels: { app: 'crud' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.11' }] } } },
    { resource: 'namespaces/default/replicationcontrollers', key: '/registry/controllers/default/crud', body: { metadata: { name: 'crud' }, spec: { replicas: 2, template: { metadata: { labels: { app: 'crud' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.11' }] } } } } },
    { resource: 'namespaces/default/events', key: '/registry/events/default/crud', body: { metadata: { name: 'crud' }, involvedObject: { kind: 'Pod', name: 'crud', namespace: 'default' }, reason: 'Test', message: 'hello', type: 'Normal' } },
  ];

  test('CRUD with resourceVersion semantics for every resource, stored at its key in etcd', async () => {
    for (const { resource, key, body } of samples) {
      const path = `/api/v1/${resource}`;
      const created = await expectStatus(call('POST', path, body), 201);
      const rv = rvOf(created);
      assert.match(String(at(created, 'metadata.uid')), /^[0-9a-f-]{36}$/, resource);
      assert.match(String(at(created, 'metadata.creationTimestamp')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const kv = (await etcd?.get(key).exec())?.kvs[0];
      assert.ok(kv, `${key} is in etcd`);
      assert.equal(kv.mod_revision, rv, 'resourceVersion is the mod revision');
      const stored = JSON.parse(kv.value.toString()) as Obj;
      assert.equal(at(stored, 'metadata.name'), 'crud');
      assert.equal(at(stored, 'metadata.resourceVersion'), undefined, 'the resourceVersion is not stored');
      assert.equal(rvOf(await expectStatus(call('GET', `${path}/crud`), 200)), rv);
      const list = await expectStatus(call('GET', path), 200);
      assert.ok(BigInt(rvOf(list)) >= BigInt(rv));
      assert.ok((list['items'] as Obj[]).some((i) => at(i, 'metadata.name') === 'crud'), `${resource} list`);
      await expectStatus(call('POST', path, body), 409, 'AlreadyExists');
      const next = { ...created, metadata: { ...(created['metadata'] as Obj), labels: { updated: 'yes' } } };
      const updated = await expectStatus(call('PUT', `${path}/crud`, next), 200);
      assert.ok(BigInt(rvOf(updated)) > BigInt(rv));
      assert.deepEqual(at(updated, 'metadata.labels'), { updated: 'yes' });
      await expectStatus(call('PUT', `${path}/crud`, next), 409, 'Conflict');
      assert.equal(at(await expectStatus(call('DELETE', `${path}/crud`), 200), 'metadata.name'), 'crud');
      await expectStatus(call('GET', `${path}/crud`), 404, 'NotFound');
      await expectStatus(call('DELETE', `${path}/crud`), 404, 'NotFound');
      assert.equal((await etcd?.get(key).exec())?.kvs.length, 0, `${key} is gone`);
    }
    await expectStatus(call('POST', '/api/v1/namespaces/nowhere/pods', samples[4]?.body), 404, 'NotFound');
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'bad' }, spec: { containers: [] } }), 422, 'Invalid');
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', { metadata: { generateName: 'gen-' }, spec: { containers: [{ name: 'c', image: 'x' }] } }), 201)
      .then((pod) => assert.match(String(at(pod, 'metadata.name')), /^gen-[a-z0-9]{5}$/));
    await expectStatus(call('DELETE', '/api/v1/namespaces/default'), 403, 'Forbidden');
  });

  test('services get cluster IPs in order; a given one must be in range and free; it cannot change', async () => {
    const svc = (name: string, clusterIP?: string): Obj => ({ metadata: { name }, spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) } });
    const ipOf = async (name: string, clusterIP?: string) => at(await expectStatus(call('POST', '/api/v1/namespaces/default/services', svc(name, clusterIP)), 201), 'spec.clusterIP');
    assert.equal(await ipOf('ip-a'), '10.0.0.2');
    assert.equal(await ipOf('ip-b'), '10.0.0.3');
    await expectStatus(call('POST', '/api/v1/namespaces/default/services', svc('ip-c', '10.0.0.3')), 422, 'Invalid');
    await expectStatus(call('POST', '/api/v1/namespaces/default/services', svc('ip-c', '10.1.0.5')), 422, 'Invalid');
    assert.equal(await ipOf('ip-c', '10.0.0.50'), '10.0.0.50');
    await expectStatus(call('DELETE', '/api/v1/namespaces/default/services/ip-a'), 200);
    assert.equal(await ipOf('ip-d'), '10.0.0.2', 'a deleted service frees its address');
    await expectStatus(call('PATCH', '/api/v1/namespaces/default/services/ip-d', { spec: { clusterIP: '10.0.0.9' } }, 'application/merge-patch+json'), 422, 'Invalid');
    for (const name of ['ip-b', 'ip-c', 'ip-d']) await expectStatus(call('DELETE', `/api/v1/namespaces/default/services/${name}`), 200);
  });

  const pod = (name: string, labels: Record<string, string>): Obj => ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.11' }] } });
  const names = (list: Obj): string[] => (list['items'] as Obj[]).map((i) => String(at(i, 'metadata.name'))).sort();

  test('label and field selectors on lists, in a namespace and across namespaces', async () => {
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', pod('sel-a', { app: 'web', tier: 'front' })), 201);
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', pod('sel-b', { app: 'web', tier: 'back' })), 201);
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', pod('sel-c', { app: 'db' })), 201);
    await expectStatus(call('POST', '/api/v1/namespaces/kube-system/pods', pod('sel-d', { app: 'web' })), 201);
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods/sel-a/binding', { target: { kind: 'Node', name: 'sel-node' } }), 201);
    const list = async (query: string): Promise<string[]> => names(await expectStatus(call('GET', `/api/v1/${query}`), 200));
    assert.deepEqual(await list('namespaces/default/pods?labelSelector=app%3Dweb'), ['sel-a', 'sel-b']);
    assert.deepEqual(await list(`namespaces/default/pods?labelSelector=${encodeURIComponent('app in (web,db),tier!=front')}`), ['sel-b', 'sel-c']);
    assert.deepEqual(await list(`namespaces/default/pods?labelSelector=${encodeURIComponent('app,!tier')}`), ['sel-c']);
    assert.deepEqual(await list('namespaces/default/pods?fieldSelector=spec.nodeName%3Dsel-node'), ['sel-a']);
    assert.deepEqual(await list(`pods?fieldSelector=${encodeURIComponent('metadata.name=sel-d,metadata.namespace=kube-system')}`), ['sel-d']);
    assert.deepEqual(await list(`pods?labelSelector=app%3Dweb&fieldSelector=${encodeURIComponent('status.phase=Pending')}`), ['sel-a', 'sel-b', 'sel-d']);
    await expectStatus(call('GET', '/api/v1/pods?labelSelector=app%3D%3D%3D'), 400, 'BadRequest');
  });

  test('patch: merge, strategic merge, JSON patch; stale resourceVersion and unknown types', async () => {
    const node = await expectStatus(call('POST', '/api/v1/nodes', { metadata: { name: 'patch-node', labels: { a: '1' } }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'OutOfDisk', status: 'False' }] } }), 201);
    const merged = await expectStatus(call('PATCH', '/api/v1/nodes/patch-node', { metadata: { labels: { a: null, b: '2' } } }, 'application/merge-patch+json'), 200);
    assert.deepEqual(at(merged, 'metadata.labels'), { b: '2' });
    const strategic = await expectStatus(call('PATCH', '/api/v1/nodes/patch-node/status', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'application/strategic-merge-patch+json'), 200);
    assert.deepEqual(at(strategic, 'status.conditions'), [{ type: 'Ready', status: 'False' }, { type: 'OutOfDisk', status: 'False' }]);
    const json = await expectStatus(call('PATCH', '/api/v1/nodes/patch-node', [{ op: 'add', path: '/metadata/labels/c', value: '3' }, { op: 'test', path: '/metadata/labels/b', value: '2' }], 'application/json-patch+json'), 200);
    assert.deepEqual(at(json, 'metadata.labels'), { b: '2', c: '3' });
    await expectStatus(call('PATCH', '/api/v1/nodes/patch-node', [{ op: 'test', path: '/metadata/labels/b', value: 'x' }], 'application/json-patch+json'), 422);
    await expectStatus(call('PATCH', '/api/v1/nodes/patch-node', { metadata: { resourceVersion: rvOf(node), labels: { d: '4' } } }, 'application/merge-patch+json'), 409, 'Conflict');
    await expectStatus(call('PATCH', '/api/v1/nodes/patch-node', { spec: {} }, 'application/apply-patch+yaml'), 415);
    await expectStatus(call('PATCH', '/api/v1/nodes/nope', { spec: {} }, 'application/merge-patch+json'), 404, 'NotFound');
    const noChange = await expectStatus(call('PATCH', '/api/v1/nodes/patch-node', { metadata: { labels: { b: '2' } } }, 'application/merge-patch+json'), 200);
    assert.equal(rvOf(noChange), rvOf(json), 'a patch that changes nothing writes nothing');
  });

  test('status subresources, binding, scale, graceful pod deletion', async () => {
    const node = await expectStatus(call('GET', '/api/v1/nodes/patch-node'), 200);
    const viaStatus = await expectStatus(call('PUT', '/api/v1/nodes/patch-node/status', { ...node, metadata: { ...(node['metadata'] as Obj), labels: { ignored: 'yes' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }), 200);
    assert.deepEqual(at(viaStatus, 'metadata.labels'), { b: '2', c: '3' }, 'a status update changes only the status');
    assert.equal(at(viaStatus, 'status.conditions.0.status'), 'True');
    const viaMain = await expectStatus(call('PUT', '/api/v1/nodes/patch-node', { ...viaStatus, status: { conditions: [] } }), 200);
    assert.equal(at(viaMain, 'status.conditions.0.status'), 'True', 'an update of the node keeps its status');

    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', pod('bind-a', {})), 201);
    const bound = await expectStatus(call('POST', '/api/v1/namespaces/default/pods/bind-a/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-a' }, target: { apiVersion: 'v1', kind: 'Node', name: 'patch-node' } }), 201);
    assert.deepEqual([bound['kind'], bound['status']], ['Status', 'Success']);
    const pa = await expectStatus(call('GET', '/api/v1/namespaces/default/pods/bind-a'), 200);
    assert.equal(at(pa, 'spec.nodeName'), 'patch-node');
    assert.equal(at(pa, 'status.conditions.0.type'), 'PodScheduled');
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods/bind-a/binding', { target: { kind: 'Node', name: 'other' } }), 409, 'Conflict');
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods', pod('bind-b', {})), 201);
    await expectStatus(call('POST', '/api/v1/namespaces/default/bindings', { metadata: { name: 'bind-b' }, target: { kind: 'Node', name: 'patch-node' } }), 201);
    await expectStatus(call('POST', '/api/v1/namespaces/default/pods/missing/binding', { target: { kind: 'Node', name: 'n' } }), 404, 'NotFound');

    const marked = await expectStatus(call('DELETE', '/api/v1/namespaces/default/pods/bind-a'), 200);
    assert.match(String(at(marked, 'metadata.deletionTimestamp')), /Z$/, 'a bound pod is deleted gracefully');
    assert.equal(at(marked, 'metadata.deletionGracePeriodSeconds'), 30);
    await expectStatus(call('GET', '/api/v1/namespaces/default/pods/bind-a'), 200);
    await expectStatus(call('DELETE', '/api/v1/namespaces/default/pods/bind-a', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }), 200);
    await expectStatus(call('GET', '/api/v1/namespaces/default/pods/bind-a'), 404);

    const rc = await expectStatus(call('POST', '/api/v1/namespaces/default/replicationcontrollers', samples[5]?.body), 201);
    const scale = await expectStatus(call('GET', '/api/v1/namespaces/default/replicationcontrollers/crud/scale'), 200);
    assert.deepEqual([scale['kind'], scale['apiVersion'], at(scale, 'spec.replicas'), at(scale, 'status.selector')], ['Scale', 'autoscaling/v1', 2, 'app=crud']);
    await expectStatus(call('PUT', '/api/v1/namespaces/default/replicationcontrollers/crud/scale', { ...scale, spec: { replicas: 5 } }), 200);
    const scaled = await expectStatus(call('GET', '/api/v1/namespaces/default/replicationcontrollers/crud'), 200);
    assert.deepEqual([at(scaled, 'spec.replicas'), at(scaled, 'metadata.generation')], [5, 2]);
    await expectStatus(call('PUT', '/api/v1/namespaces/default/replicationcontrollers/crud/scale', { ...scale, spec: { replicas: 1 } }), 409, 'Conflict');
    const rcStatus = await expectStatus(call('PUT', '/api/v1/namespaces/default/replicationcontrollers/crud/status', { ...scaled, status: { replicas: 5, readyReplicas: 4 } }), 200);
    assert.equal(at(rcStatus, 'status.readyReplicas'), 4);
    assert.ok(rc);
  });

  test('watch: ADDED, MODIFIED, DELETED in order; selectors; initial state; timeout; 410 after compaction', async () => {
    const start = rvOf(await expectStatus(call('GET', '/api/v1/namespaces/default/pods'), 200));
    const all = openWatch(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${start}`);
    const selected = openWatch(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${start}&labelSelector=role%3Dwatched`);
    try {
      await expectStatus(call('POST', '/api/v1/namespaces/default/pods', pod('w-1', {})), 201);
      await expectStatus(call('PATCH', '/api/v1/namespaces/default/pods/w-1', { metadata: { labels: { role: 'watched' } } }, 'application/merge-patch+json'), 200);
      await expectStatus(call('PATCH', '/api/v1/namespaces/default/pods/w-1', { metadata: { labels: { role: 'other' } } }, 'application/merge-patch+json'), 200);
      await expectStatus(call('DELETE', '/api/v1/namespaces/default/pods/w-1'), 200);
      await all.waitFor(4);
      assert.deepEqual(all.events.map((e) => `${e.type} ${String(at(e.object, 'metadata.name'))}`), ['ADDED w-1', 'MODIFIED w-1', 'MODIFIED w-1', 'DELETED w-1']);
      const rvs = all.events.map((e) => BigInt(rvOf(e.object)));
      assert.deepEqual([...rvs].sort((a, b) => (a < b ? -1 : 1)), rvs, 'resourceVersions increase');
      assert.equal(all.events[0]?.object['kind'], 'Pod');
      await selected.waitFor(2);
      assert.deepEqual(selected.events.map((e) => e.type), ['ADDED', 'DELETED'], 'a watch sees an object enter and leave its selector');
    } finally {
      all.close();
      selected.close();
    }
    const initial = openWatch('/api/v1/namespaces?watch=true&timeoutSeconds=2');
    await initial.ended;
    assert.deepEqual(initial.events.map((e) => `${e.type} ${String(at(e.object, 'metadata.name'))}`), ['ADDED default', 'ADDED kube-system']);
    const header = (await etcd?.get('x').exec())?.header.revision ?? '0';
    await etcd?.kv.compact({ revision: header, physical: true });
    const expired = openWatch('/api/v1/pods?watch=true&resourceVersion=2');
    await expired.waitFor(1);
    expired.close();
    assert.deepEqual([expired.events[0]?.type, at(expired.events[0]?.object, 'code'), at(expired.events[0]?.object, 'reason')], ['ERROR', 410, 'Expired']);
  });

  test('@kubernetes/client-node 1.4.0', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'lab', server: API, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'ctx', cluster: 'lab', user: 'u' }],
      currentContext: 'ctx',
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nodes = await core.listNode();
    assert.ok(nodes.items.some((n) => n.metadata?.name === 'patch-node'));
    const created = await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'client-node-pod' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    assert.equal(created.status?.phase, 'Pending');
    const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    assert.equal(svc.spec?.clusterIP, '10.0.0.1');
    await assert.rejects(core.readNamespacedService({ name: 'nope', namespace: 'default' }), (err: unknown) => (err as { code?: number }).code === 404);
  });

  describe('the real kubectl', { skip: existsSync(KUBECTL) ? false : `${KUBECTL} is not installed` }, () => {
    const kubectlEnv = { ...process.env, KUBECONFIG: join(tmp, 'no-kubeconfig') };
    const base = ['--server', API, '--cache-dir', join(tmp, 'kube-cache'), '--request-timeout=20s'];
    const kubectl = async (...args: string[]): Promise<string> =>
      (await promisify(execFile)(KUBECTL, [...base, ...args], { env: kubectlEnv, timeout: 60_000 })).stdout;
    /** Rows of a kubectl table, split on runs of 2+ spaces; the header first. */
    const table = (out: string): string[][] => out.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));

    before(async () => {
      const status = (ready: string, ip: string) => ({ conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: ip }], nodeInfo: { kubeletVersion: 'v1.4.7', osImage: 'CentOS Linux 7 (Core)', kernelVersion: '3.10.0-514', containerRuntimeVersion: 'docker://1.12.6' } });
      await expectStatus(call('POST', '/api/v1/nodes', { metadata: { name: 'kc-node-1' }, status: status('True', '127.23.1.1') }), 201);
      await expectStatus(call('POST', '/api/v1/nodes', { metadata: { name: 'kc-node-2' }, status: status('False', '127.23.1.2') }), 201);
      await expectStatus(call('POST', '/api/v1/namespaces/kube-system/pods', pod('kc-pod', { app: 'skydns' })), 201);
      await expectStatus(call('POST', '/api/v1/namespaces/kube-system/pods/kc-pod/binding', { target: { kind: 'Node', name: 'kc-node-1' } }), 201);
      const running = await expectStatus(call('GET', '/api/v1/namespaces/kube-system/pods/kc-pod'), 200);
      await expectStatus(call('PUT', '/api/v1/namespaces/kube-system/pods/kc-pod/status', { ...running, status: { phase: 'Running', podIP: '127.24.4.2', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }] } }), 200);
      await expectStatus(call('POST', '/api/v1/namespaces/kube-system/replicationcontrollers', { metadata: { name: 'kc-rc' }, spec: { replicas: 3, template: { metadata: { labels: { app: 'skydns' } }, spec: { containers: [{ name: 'skydns', image: 'skydns:2015' }] } } } }), 201);
      const svc = await expectStatus(call('POST', '/api/v1/namespaces/kube-system/services', { metadata: { name: 'skydns-svc', labels: { app: 'skydns' } }, spec: { selector: { app: 'skydns' }, clusterIP: '10.0.0.40', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } }), 201);
      await expectStatus(call('PUT', '/api/v1/namespaces/kube-system/endpoints/skydns-svc', { metadata: { name: 'skydns-svc' }, subsets: [{ addresses: [{ ip: '127.24.4.2' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }] }), 201);
      await expectStatus(call('POST', '/api/v1/namespaces/kube-system/events', { metadata: { name: 'skydns-svc.1' }, involvedObject: { kind: 'Service', namespace: 'kube-system', name: 'skydns-svc', uid: at(svc, 'metadata.uid') }, reason: 'Checked', message: 'endpoints are ready', type: 'Normal', count: 1, source: { component: 'lab-test' } }), 201);
    });

    test('get nodes, get pods -o wide, get rc, get svc, version', async () => {
      const nodes = table(await kubectl('get', 'nodes'));
      assert.deepEqual(nodes[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      assert.deepEqual(nodes.find((r) => r[0] === 'kc-node-1')?.filter((_, i) => i !== 3), ['kc-node-1', 'Ready', '<none>', 'v1.4.7']);
      assert.deepEqual(nodes.find((r) => r[0] === 'kc-node-2')?.[1], 'NotReady');
      const wideNodes = table(await kubectl('get', 'nodes', '-o', 'wide'));
      assert.deepEqual(wideNodes.find((r) => r[0] === 'kc-node-1')?.slice(5), ['127.23.1.1', '<none>', 'CentOS Linux 7 (Core)', '3.10.0-514', 'docker://1.12.6']);
      const pods = table(await kubectl('get', 'pods', '-o', 'wide', '-n', 'kube-system'));
      assert.deepEqual(pods[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
      const kcPod = pods.find((r) => r[0] === 'kc-pod');
      assert.deepEqual([kcPod?.slice(0, 4), kcPod?.slice(5)], [['kc-pod', '1/1', 'Running', '0'], ['127.24.4.2', 'kc-node-1', '<none>', '<none>']]);
      const rcs = table(await kubectl('get', 'rc', '-n', 'kube-system'));
      assert.deepEqual(rcs[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
      assert.deepEqual(rcs.find((r) => r[0] === 'kc-rc')?.slice(0, 4), ['kc-rc', '3', '0', '0']);
      const svcs = table(await kubectl('get', 'svc', '--all-namespaces'));
      assert.deepEqual(svcs[0], ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.deepEqual(svcs.find((r) => r[1] === 'skydns-svc')?.slice(0, 6), ['kube-system', 'skydns-svc', 'ClusterIP', '10.0.0.40', '<none>', '53/UDP,53/TCP']);
      assert.deepEqual(svcs.find((r) => r[1] === 'kubernetes')?.slice(2, 6), ['ClusterIP', '10.0.0.1', '<none>', '443/TCP']);
      assert.match(await kubectl('version'), /Server Version: v1\.4\.7/);
    });

    test('describe svc shows the ports, endpoints and events', async () => {
      const out = await kubectl('describe', 'svc', 'skydns-svc', '-n', 'kube-system');
      assert.match(out, /^Name:\s+skydns-svc$/m);
      assert.match(out, /^Selector:\s+app=skydns$/m);
      assert.match(out, /^IP:\s+10\.0\.0\.40$/m);
      assert.match(out, /^Port:\s+dns\s+53\/UDP$/m);
      assert.match(out, /^Endpoints:\s+127\.24\.4\.2:53$/m);
      assert.match(out, /Normal\s+Checked\s+.*lab-test\s+endpoints are ready/);
    });

    test('get nodes --watch prints a line per change', async (t: TestContext) => {
      const watcher = spawn(KUBECTL, [...base, 'get', 'nodes', '--watch'], { env: kubectlEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      watcher.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise((resolve) => watcher.once('exit', resolve));
      try {
        await waitUntil('kubectl lists the nodes', WAIT_MS, async () => /^kc-node-2\s/m.test(out));
        await expectStatus(call('POST', '/api/v1/nodes', { metadata: { name: 'kc-watch' }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.4.7' } } }), 201);
        await waitUntil('the new node appears', WAIT_MS, async () => /^kc-watch\s+Ready\s+<none>\s+\S+\s+v1\.4\.7$/m.test(out));
        await expectStatus(call('PATCH', '/api/v1/nodes/kc-watch/status', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, 'application/merge-patch+json'), 200);
        await waitUntil('the node turns NotReady', WAIT_MS, async () => /^kc-watch\s+NotReady\s/m.test(out));
        assert.equal(out.match(/^NAME\s+STATUS/gm)?.length, 1, 'one header');
      } finally {
        watcher.kill('SIGTERM');
        await exited;
        t.diagnostic(out.trimEnd());
      }
    });
  });

  test('/healthz follows etcd: 500 while it is down, ok once it is back; every request is logged', async () => {
    const member = cluster?.members[0];
    assert.ok(member && cluster);
    await stopMember(member);
    await waitUntil('/healthz fails', WAIT_MS, async () => (await call('GET', '/healthz')).status === 500);
    assert.match(String((await call('GET', '/healthz')).body['text']), /\[-\]etcd failed/);
    const failed = await call('GET', '/api/v1/nodes');
    assert.ok(failed.status === 500 || failed.status === 504, `status ${failed.status}`);
    assert.equal(failed.body['kind'], 'Status');
    await startExtraMember(cluster, { name: member.name, ip: member.ip, initialCluster: buildInitialCluster([member]), state: 'existing' });
    await waitUntil('/healthz is ok again', WAIT_MS, async () => (await call('GET', '/healthz')).status === 200);
    await expectStatus(call('GET', '/api/v1/nodes'), 200);
    const log = readFileSync(logPath, 'utf8');
    assert.match(log, /GET \/api\/v1\/nodes 200 \d+ms/);
    assert.match(log, /POST \/api\/v1\/namespaces\/default\/pods 201 \d+ms/);
    assert.doesNotMatch(log, /"metadata"/, 'no bodies in the log');
  });
});
