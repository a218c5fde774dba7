/**
 * The workloads adapter against a fake apiserver over HTTP (node:http on 127.0.0.1, an ephemeral port): plain JSON
 * objects in and out, missing objects as undefined/false, every failure one KUBE_* code, bounded requests, and
 * Deployments found under whichever group the server serves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FerryError } from '../../../../src/errors.ts';
import { openKubeWorkloads } from '../../../../src/adapters/kube/workloads.ts';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

const seen: Seen[] = [];
let deploymentGroup = 'extensions/v1beta1';

function status(res: ServerResponse, code: number, reason: string, message: string, kind?: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code, ...(kind ? { details: { name: 'x', kind } } : {}) }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const rc = {
  kind: 'ReplicationController',
  apiVersion: 'v1',
  metadata: { name: 'skydns', namespace: 'default', resourceVersion: '7', creationTimestamp: '2024-01-02T03:04:05Z', labels: { app: 'skydns', version: 'v9' } },
  spec: { replicas: 1, selector: { app: 'skydns', version: 'v9' }, template: { metadata: { labels: { app: 'skydns', version: 'v9' } }, spec: { containers: [{ name: 'skydns', image: 'skydns:1.5', args: ['--machines=http://a:4012'] }] } } },
  status: { replicas: 1 },
};
const dep = { metadata: { name: 'skydns', namespace: 'default', resourceVersion: '9' }, spec: { replicas: 1, selector: { matchLabels: { app: 'skydns' } }, template: { metadata: { labels: { app: 'skydns' } }, spec: { containers: [{ name: 'skydns', image: 'skydns:1.5' }] } } } };

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = req.url ?? '';
  seen.push({ method: req.method ?? '', url, contentType: req.headers['content-type'], body });
  const path = url.split('?')[0] ?? '';
  if (path.includes('/slow')) return; // never answers
  if (path === '/api/v1/namespaces/default/replicationcontrollers/skydns') {
    if (req.method === 'GET' || req.method === 'PATCH') return json(res, rc);
    if (req.method === 'DELETE') return json(res, { kind: 'Status', status: 'Success' });
  }
  if (path === '/api/v1/namespaces/default/replicationcontrollers' && req.method === 'GET') return json(res, { kind: 'ReplicationControllerList', metadata: {}, items: [{ ...rc, kind: undefined, apiVersion: undefined }] });
  if (path === '/api/v1/namespaces/default/replicationcontrollers' && req.method === 'POST') {
    const name = (JSON.parse(body) as { metadata: { name: string } }).metadata.name;
    if (name === 'skydns') return status(res, 409, 'AlreadyExists', 'replicationcontrollers "skydns" already exists', 'replicationcontrollers');
    if (name === 'bad') return status(res, 422, 'Invalid', 'ReplicationController "bad" is invalid: spec.selector: Required value', 'ReplicationController');
    return json(res, JSON.parse(body));
  }
  if (path === '/api/v1/namespaces/default/services/skydns-svc' && req.method === 'PUT') return status(res, 409, 'Conflict', 'Operation cannot be fulfilled on services "skydns-svc": the object has been modified', 'services');
  if (path === '/api/v1/namespaces/default/services/boom') return status(res, 500, 'InternalError', 'etcd down');
  if (path === '/api/v1/namespaces/default/pods') {
    return json(res, { kind: 'PodList', metadata: {}, items: [{ metadata: { name: 'p1', labels: { app: 'skydns', version: 'v9' } } }, { metadata: { name: 'p2', labels: { app: 'other' } } }] });
  }
  const gv = deploymentGroup;
  if (path === `/apis/${gv}/namespaces/default/deployments/skydns`) {
    if (req.method === 'GET') return json(res, dep);
    if (req.method === 'PUT') return json(res, JSON.parse(body));
  }
  if (path === `/apis/${gv}/namespaces/default/deployments`) return json(res, { kind: 'DeploymentList', items: [dep] });
  if (path.startsWith(`/apis/${gv}/namespaces/default/deployments/`)) return status(res, 404, 'NotFound', 'deployments "x" not found', 'deployments');
  if (path.startsWith('/apis/')) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return void res.end('404 page not found\n');
  }
  return status(res, 404, 'NotFound', `the thing at ${path} not found`, path.split('/')[5] ?? 'x');
}

let server: Server;
let url = '';
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function code(c: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FerryError, String(err));
    assert.equal(err.code, c, err.message);
    return true;
  };
}

describe('openKubeWorkloads', () => {
  test('reads plain JSON (timestamps as strings); a missing object is undefined; lists carry kind', async () => {
    const wl = openKubeWorkloads(url);
    const got = await wl.readController('default', 'skydns');
    assert.equal(got?.metadata?.name, 'skydns');
    assert.equal(typeof got?.metadata?.['creationTimestamp'], 'string');
    assert.deepEqual(got?.spec?.template?.spec?.containers?.[0]?.args, ['--machines=http://a:4012']);
    assert.equal(await wl.readController('default', 'nope'), undefined);
    assert.equal(await wl.readService('default', 'nope'), undefined);
    const list = await wl.listControllers('default');
    assert.equal(list[0]?.kind, 'ReplicationController');
  });

  test('pods by label selector (and filtered here too)', async () => {
    const pods = await openKubeWorkloads(url).listPods('default', { app: 'skydns', version: 'v9' });
    assert.deepEqual(pods.map((p) => p.metadata?.name), ['p1']);
    assert.match(seen.at(-1)?.url ?? '', /labelSelector=app%3Dskydns%2Cversion%3Dv9/);
  });

  test('scale is a merge patch of spec.replicas; delete says whether it was there', async () => {
    const wl = openKubeWorkloads(url);
    await wl.scaleController('default', 'skydns', 3);
    const patch = seen.at(-1);
    assert.equal(patch?.method, 'PATCH');
    assert.equal(patch?.contentType, 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(patch?.body ?? ''), { spec: { replicas: 3 } });
    assert.equal(await wl.deleteController('default', 'skydns'), true);
    assert.equal(await wl.deleteController('default', 'gone'), false);
  });

  test('errors: AlreadyExists, Conflict, Invalid, 500, not found on a write, unreachable, timeout', async () => {
    const wl = openKubeWorkloads(url, { requestTimeoutMs: 300 });
    await assert.rejects(wl.createController('default', { metadata: { name: 'skydns' } }), code('KUBE_ALREADY_EXISTS'));
    await assert.rejects(wl.createController('default', { metadata: { name: 'bad' } }), code('KUBE_INVALID'));
    await assert.rejects(wl.replaceService('default', { metadata: { name: 'skydns-svc', resourceVersion: '1' } }), (e) => code('KUBE_CONFLICT')(e) && (e as FerryError).retryable);
    await assert.rejects(wl.readService('default', 'boom'), (e) => code('KUBE_ERROR')(e) && /etcd down/.test((e as Error).message));
    await assert.rejects(wl.scaleController('default', 'gone', 1), code('KUBE_NOT_FOUND'));
    await assert.rejects(wl.readService('default', 'slow'), (e) => code('KUBE_UNREACHABLE')(e) && /within 300 ms/.test((e as Error).message));
    await assert.rejects(openKubeWorkloads('http://127.0.0.1:1').readService('default', 'x'), (e) => code('KUBE_UNREACHABLE')(e) && (e as FerryError).retryable);
  });

  for (const gv of ['extensions/v1beta1', 'apps/v1']) {
    test(`Deployments served under ${gv}: found, listed, replaced at their own group; a missing one is undefined`, async () => {
      deploymentGroup = gv;
      const wl = openKubeWorkloads(url);
      const d = await wl.readDeployment('default', 'skydns');
      assert.equal(d?.apiVersion, gv);
      assert.equal(d?.kind, 'Deployment');
      assert.equal((await wl.listDeployments('default'))[0]?.apiVersion, gv);
      assert.equal(await wl.readDeployment('default', 'nope'), undefined);
      await wl.replaceDeployment('default', d!);
      assert.equal(seen.at(-1)?.url, `/apis/${gv}/namespaces/default/deployments/skydns`);
      assert.equal(seen.at(-1)?.method, 'PUT');
    });
  }

  test('no Deployments served at all (the lab, a 1.4 apiserver without extensions): undefined and []', async () => {
    deploymentGroup = 'none/v0';
    const wl = openKubeWorkloads(url);
    assert.equal(await wl.readDeployment('default', 'skydns'), undefined);
    assert.deepEqual(await wl.listDeployments('default'), []);
    await assert.rejects(wl.replaceDeployment('default', { apiVersion: 'v1', metadata: { name: 'x' } }), code('KUBE_INVALID'));
  });
});
