import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/lab/k8s/client.ts';
import { createLogger } from '../../../src/lab/k8s/common/log.ts';
import { runWatchTrigger, startSyncLoop } from '../../../src/lab/k8s/common/sync-loop.ts';
import { waitUntil } from '../../helpers/etcd-cluster.ts';
import { startFakeApiserver } from './controller-fake-apiserver.ts';

function collectingLogger(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ out: (l) => lines.push(l), err: (l) => lines.push(l), now: () => 0 }) };
}

describe('startSyncLoop', () => {
  test('syncs at once, then on triggers (coalesced, never overlapping) and on resync', async () => {
    const stop = new AbortController();
    const { log } = collectingLogger();
    let running = 0;
    let overlapped = false;
    let syncs = 0;
    const loop = startSyncLoop({
      name: 't',
      resyncMs: 60_000,
      coalesceMs: 10,
      signal: stop.signal,
      log,
      sync: async () => {
        if (++running > 1) overlapped = true;
        syncs++;
        await new Promise((r) => setTimeout(r, 50));
        running--;
      },
    });
    await waitUntil('first sync', 5000, async () => syncs === 1, 5);
    for (let i = 0; i < 20; i++) loop.trigger();
    await waitUntil('one more sync for the burst', 5000, async () => syncs === 2, 5);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(syncs, 2, 'a burst of triggers is one sync');
    assert.equal(overlapped, false);
    stop.abort();
    await loop.done;
  });

  test('failures are logged once per message, retried with backoff, and recovery is said', async () => {
    const stop = new AbortController();
    const { lines, log } = collectingLogger();
    let calls = 0;
    const loop = startSyncLoop({
      name: 'replication-manager',
      resyncMs: 60_000,
      coalesceMs: 0,
      signal: stop.signal,
      log,
      sync: async () => {
        if (++calls <= 3) throw new Error('apiserver did not answer');
      },
    });
    await waitUntil('recovered', 10_000, async () => calls >= 4, 10);
    stop.abort();
    await loop.done;
    assert.deepEqual(lines, ['1970-01-01T00:00:00.000Z replication-manager: apiserver did not answer', '1970-01-01T00:00:00.000Z replication-manager: ok again']);
  });
});

describe('runWatchTrigger', () => {
  test('fires after the list and on every event; keeps retrying while the apiserver is down', async () => {
    const api = await startFakeApiserver('127.24.0.2');
    const client = new KubeClient({ master: api.url, requestTimeoutMs: 1000 });
    const stop = new AbortController();
    const { lines, log } = collectingLogger();
    const seen: string[] = [];
    const running = runWatchTrigger(client, { path: '/api/v1/pods', onChange: (e) => seen.push(e === undefined ? 'list' : `${e.type} ${e.object.metadata.name}`), signal: stop.signal, log, timeoutSeconds: 1 });
    try {
      await waitUntil('listed', 5000, async () => seen.includes('list'), 10);
      await client.create('/api/v1/namespaces/default/pods', { metadata: { name: 'a' }, spec: {} });
      await client.delete('/api/v1/namespaces/default/pods/a');
      await waitUntil('both events', 5000, async () => seen.includes('DELETED a'), 10);
      assert.deepEqual(seen.filter((s) => s !== 'list'), ['ADDED a', 'DELETED a']);
      await api.close();
      await waitUntil('the failure is logged', 10_000, async () => lines.some((l) => /watch \/api\/v1\/pods: .*did not answer/.test(l)), 20);
    } finally {
      stop.abort();
      await running;
      await api.close().catch(() => undefined);
    }
  });
});
