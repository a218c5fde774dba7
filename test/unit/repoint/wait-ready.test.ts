import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../src/errors.ts';
import { computeNodeReadiness, createNodeReadyWaiter } from '../../../src/repoint/wait-ready.ts';

const SINCE = Date.parse('2024-05-01T10:00:00.400Z');
const node = (status: string, heartbeat: string) => ({
  kind: 'Node',
  metadata: { name: 'l-33-39' },
  status: { conditions: [{ type: 'OutOfDisk', status: 'False' }, { type: 'Ready', status, reason: 'KubeletReady', lastHeartbeatTime: heartbeat }] },
});

/** A fetch that answers from a script, one entry per call (the last one repeats). */
function scriptedFetch(answers: (object | number | Error)[], urls: string[] = []): typeof fetch {
  let i = 0;
  return (async (url: string | URL | Request) => {
    urls.push(String(url));
    const a = answers[Math.min(i++, answers.length - 1)];
    if (a instanceof Error) throw a;
    if (typeof a === 'number') return new Response('{}', { status: a });
    return new Response(JSON.stringify(a), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}
const noSleep = async (_ms: number, signal?: AbortSignal) => signal?.throwIfAborted();

describe('computeNodeReadiness', () => {
  test('Ready True with a heartbeat after the restart', () => {
    assert.equal(computeNodeReadiness(node('True', '2024-05-01T10:00:05Z'), SINCE).ready, true);
  });
  test('stale True, False, Unknown, no condition', () => {
    assert.match(computeNodeReadiness(node('True', '2024-05-01T09:55:00Z'), SINCE).reason, /before the restart/);
    assert.match(computeNodeReadiness(node('False', '2024-05-01T10:00:05Z'), SINCE).reason, /Ready is False \(KubeletReady\)/);
    assert.equal(computeNodeReadiness(node('Unknown', '2024-05-01T10:00:05Z'), SINCE).ready, false);
    assert.equal(computeNodeReadiness({ status: {} }, SINCE).ready, false);
    assert.equal(computeNodeReadiness(null, SINCE).ready, false);
  });
});

describe('createNodeReadyWaiter', () => {
  test('polls GET /api/v1/nodes/<name> until Ready with a fresh heartbeat', async () => {
    const urls: string[] = [];
    const wait = createNodeReadyWaiter({ fetchImpl: scriptedFetch([new TypeError('fetch failed'), 404, node('True', '2024-05-01T09:55:00Z'), node('True', '2024-05-01T10:00:00Z')], urls), sleep: noSleep });
    await wait('l-33-39', 'http://10.17.33.20:8080/', AbortSignal.timeout(10_000), SINCE);
    assert.equal(urls.length, 4);
    assert.equal(urls[0], 'http://10.17.33.20:8080/api/v1/nodes/l-33-39');
  });

  test('a heartbeat newer than the first one seen counts, whatever the clocks say', async () => {
    const wait = createNodeReadyWaiter({ fetchImpl: scriptedFetch([node('True', '2024-05-01T09:00:00Z'), node('True', '2024-05-01T09:00:10Z')]), sleep: noSleep });
    await wait('l-33-39', 'http://10.17.33.20:8080', AbortSignal.timeout(10_000), SINCE);
  });

  test('never Ready: NODE_NOT_READY with the last reason once the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const fetchImpl = (async () => {
      if (++calls === 3) controller.abort();
      return new Response(JSON.stringify(node('False', '2024-05-01T10:00:05Z')), { status: 200 });
    }) as typeof fetch;
    const wait = createNodeReadyWaiter({ fetchImpl, sleep: noSleep });
    await assert.rejects(wait('l-33-39', 'http://10.17.33.20:8080', controller.signal, SINCE), (err: unknown) => {
      assert.ok(err instanceof FerryError);
      assert.equal(err.code, 'NODE_NOT_READY');
      assert.match(err.message, /Ready is False/);
      return true;
    });
  });
});
