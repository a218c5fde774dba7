import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeBackoffMs, isConflict, isNotFound, KubeApiError, KubeClient, retryWithBackoff, type WatchEvent } from '../../../src/lab/k8s/client.ts';
import type { Pod } from '../../../src/lab/k8s/common/objects.ts';
import { startFakeApiserver, type FakeApiserver } from './controller-fake-apiserver.ts';

const HOST = '127.24.0.2';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return `http://${HOST}:${(server.address() as AddressInfo).port}`;
}
async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('KubeClient against a v1 REST server', () => {
  let api: FakeApiserver;
  let client: KubeClient;
  before(async () => {
    api = await startFakeApiserver(HOST);
    client = new KubeClient({ master: api.url + '/', requestTimeoutMs: 2000 });
  });
  after(() => api.close());

  test('create, get, list with selectors, replace with resourceVersion, patch, delete', async () => {
    const created = await client.create<Pod>('/api/v1/namespaces/default/pods', { metadata: { generateName: 'web-', labels: { app: 'web' } }, spec: {} });
    assert.match(created.metadata.name ?? '', /^web-/);
    const path = `/api/v1/namespaces/default/pods/${created.metadata.name}`;
    assert.equal((await client.get<Pod>(path)).metadata.uid, created.metadata.uid);
    assert.equal((await client.list<Pod>('/api/v1/pods', { labelSelector: 'app=web' })).items.length, 1);
    assert.equal((await client.list<Pod>('/api/v1/pods', { labelSelector: 'app=db' })).items.length, 0);
    assert.equal((await client.list<Pod>('/api/v1/pods', { fieldSelector: 'spec.nodeName=' })).items.length, 1);
    const replaced = await client.replace<Pod>(path, { ...created, spec: { nodeSelector: { a: 'b' } } });
    await assert.rejects(client.replace(path, created), (e: unknown) => isConflict(e) && e instanceof KubeApiError && e.code === 'LAB_K8S_CONFLICT' && e.retryable);
    const patched = await client.patch<Pod>(path, { metadata: { annotations: { x: 'y' } } });
    assert.equal(patched.metadata.annotations?.x, 'y');
    assert.notEqual(patched.metadata.resourceVersion, replaced.metadata.resourceVersion);
    await client.delete(path);
    await assert.rejects(client.get(path), (e: unknown) => isNotFound(e) && e instanceof KubeApiError && e.code === 'LAB_K8S_NOT_FOUND' && e.reason === 'NotFound');
  });

  test('watch from a resourceVersion yields the later events', async () => {
    const list = await client.list<Pod>('/api/v1/pods');
    await client.create('/api/v1/namespaces/default/pods', { metadata: { name: 'w1' }, spec: {} });
    await client.delete('/api/v1/namespaces/default/pods/w1');
    const seen: Array<WatchEvent<Pod>> = [];
    for await (const ev of client.watch<Pod>('/api/v1/pods', { resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 1 })) seen.push(ev);
    assert.deepEqual(seen.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w1'], ['DELETED', 'w1']]);
  });

  test('a watch ends quietly when the caller aborts', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    assert.deepEqual(await collect(client.watch('/api/v1/nodes', { timeoutSeconds: 30, signal: stop.signal })), []);
  });
});

describe('KubeClient failures', () => {
  test('nothing listening: LAB_K8S_UNREACHABLE, retryable, status 0', async () => {
    const server = createServer();
    const url = await listen(server);
    await close(server);
    const client = new KubeClient({ master: url, requestTimeoutMs: 2000 });
    await assert.rejects(client.get('/api/v1/nodes'), (e: unknown) => e instanceof KubeApiError && e.code === 'LAB_K8S_UNREACHABLE' && e.retryable && e.status === 0 && /ECONNREFUSED/.test(e.message));
  });

  test('a server that never answers: bounded by requestTimeoutMs', async () => {
    const server = createServer(() => undefined);
    const url = await listen(server);
    try {
      const client = new KubeClient({ master: url, requestTimeoutMs: 200 });
      await assert.rejects(client.get('/api/v1/nodes'), (e: unknown) => e instanceof KubeApiError && e.code === 'LAB_K8S_UNREACHABLE' && /timed out/.test(e.message));
    } finally {
      await close(server);
    }
  });

  test('watch lines split across chunks, ERROR events passed on, garbage refused; non-Status errors keep their text', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/garbage')) {
        res.end('not json\n');
        return;
      }
      if (req.url?.startsWith('/plain')) {
        res.writeHead(500).end('boom');
        return;
      }
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n{"type":"MOD');
      setTimeout(() => res.end('IFIED","object":{"metadata":{"name":"a"}}}\n{"type":"ERROR","object":{"kind":"Status","code":410}}'), 50);
    });
    const url = await listen(server);
    try {
      const client = new KubeClient({ master: url });
      const events = await collect(client.watch<{ metadata: { name?: string } }>('/w', { timeoutSeconds: 5 }));
      assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'ERROR']);
      await assert.rejects(collect(client.watch('/garbage')), (e: unknown) => e instanceof KubeApiError && e.code === 'LAB_K8S_BAD_WATCH');
      await assert.rejects(client.get('/plain'), (e: unknown) => e instanceof KubeApiError && e.status === 500 && e.retryable && /boom/.test(e.message));
    } finally {
      await close(server);
    }
  });
});

describe('backoff', () => {
  test('computeBackoffMs doubles from 200 ms up to 5 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map((n) => computeBackoffMs(n)), [0, 200, 400, 800, 1600, 3200, 5000, 5000]);
    assert.equal(computeBackoffMs(3, { initialDelayMs: 10, maxDelayMs: 25 }), 25);
  });
  test('retryWithBackoff retries until success, sleeping between failures', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        if (++calls < 3) throw new Error('down');
        return 'up';
      },
      { signal: new AbortController().signal, sleep: async (ms) => void slept.push(ms) },
    );
    assert.equal(result, 'up');
    assert.deepEqual(slept, [200, 400]);
  });
  test('retryWithBackoff gives undefined once aborted', async () => {
    const stop = new AbortController();
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        if (++calls === 2) stop.abort();
        throw new Error('down');
      },
      { signal: stop.signal, sleep: async () => undefined },
    );
    assert.equal(result, undefined);
    assert.equal(calls, 2);
  });
});
