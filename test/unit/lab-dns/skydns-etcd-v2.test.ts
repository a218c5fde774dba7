import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isFerryError } from '../../../src/errors.ts';
import { unreachable, type HttpAnswer, type HttpClient, type RequestOptions } from '../../../src/lab/node-runtime/http-client.ts';
import { buildKeysPath, EtcdV2AnswerError, EtcdV2Client } from '../../../src/lab/k8s/common/etcd-v2.ts';

type Reply = HttpAnswer | 'down';

/** A scripted endpoint: each request takes the next reply. */
function endpoint(base: string, replies: Reply[], calls: string[]): HttpClient {
  return {
    target: { base },
    request: async (method: string, path: string, o?: RequestOptions): Promise<HttpAnswer> => {
      calls.push(`${base} ${method} ${path}${o?.body !== undefined ? ` ${String(o.body)}` : ''}`);
      const r = replies.shift();
      if (r === undefined) throw new Error(`unexpected ${method} ${path}`);
      if (r === 'down') throw unreachable(base, method, path, Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
      return r;
    },
  } as unknown as HttpClient;
}

const json = (status: number, body: unknown): HttpAnswer => ({ status, text: JSON.stringify(body), json: body });
const signal = new AbortController().signal;

describe('etcd v2 keys client', () => {
  test('key paths are escaped segment by segment', () => {
    assert.equal(buildKeysPath('/skydns/local/d/svc/ns/web/_tcp/_http/ab12'), '/v2/keys/skydns/local/d/svc/ns/web/_tcp/_http/ab12');
    assert.equal(buildKeysPath('//a b/c'), '/v2/keys/a%20b/c');
  });

  test('get, set and delete; a missing key is undefined / missing', async () => {
    const calls: string[] = [];
    const etcd = new EtcdV2Client([
      endpoint('http://e1', [json(200, { node: { key: '/k', value: 'v' } }), json(404, { errorCode: 100, message: 'Key not found' }), json(201, { node: { key: '/k' } }), json(200, {}), json(404, { errorCode: 100 })], calls),
    ]);
    assert.deepEqual(await etcd.get('/k', { recursive: true }, signal), { key: '/k', value: 'v' });
    assert.equal(await etcd.get('/nope', {}, signal), undefined);
    await etcd.set('/k', '{"host":"10.0.0.1"}', signal);
    assert.equal(await etcd.delete('/d', { recursive: true }, signal), 'deleted');
    assert.equal(await etcd.delete('/d', { recursive: true }, signal), 'missing');
    assert.deepEqual(calls, [
      'http://e1 GET /v2/keys/k?quorum=false&recursive=true',
      'http://e1 GET /v2/keys/nope?quorum=false',
      'http://e1 PUT /v2/keys/k value=%7B%22host%22%3A%2210.0.0.1%22%7D',
      'http://e1 DELETE /v2/keys/d?recursive=true',
      'http://e1 DELETE /v2/keys/d?recursive=true',
    ]);
  });

  test('fails over past endpoints that are down or answer 5xx, then prefers the one that answered', async () => {
    const calls: string[] = [];
    const etcd = new EtcdV2Client([
      endpoint('http://e1', ['down'], calls),
      endpoint('http://e2', [json(503, {})], calls),
      endpoint('http://e3', [json(200, { node: { key: '/k', value: '1' } }), json(200, { node: { key: '/k', value: '2' } })], calls),
    ]);
    assert.equal((await etcd.get('/k', {}, signal))?.value, '1');
    assert.equal((await etcd.get('/k', {}, signal))?.value, '2');
    assert.deepEqual(calls.map((c) => c.split(' ')[0]), ['http://e1', 'http://e2', 'http://e3', 'http://e3']);
  });

  test('none answers: LAB_AGENT_UNREACHABLE worded as the Go client; v2 disabled: an answer error', async () => {
    const down = new EtcdV2Client([endpoint('http://e1', ['down'], []), endpoint('http://e2', ['down'], [])]);
    await assert.rejects(down.get('/k', {}, signal), (err: unknown) => {
      assert.ok(isFerryError(err));
      assert.equal(err.code, 'LAB_AGENT_UNREACHABLE');
      assert.match(err.message, /^client: etcd cluster is unavailable or misconfigured; error #0: .*connection refused; error #1: /);
      return true;
    });
    const v3only = new EtcdV2Client([endpoint('http://e1', [{ status: 404, text: '404 page not found\n', json: undefined }], [])]);
    await assert.rejects(v3only.get('/k', {}, signal), (err: unknown) => err instanceof EtcdV2AnswerError && /--enable-v2/.test(err.message));
  });
});
