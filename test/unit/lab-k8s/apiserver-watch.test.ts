import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMasterLeaseValue, buildMasterSubsets } from '../../../src/lab/k8s/apiserver/bootstrap.ts';
import { buildEndpointSlices } from '../../../src/lab/k8s/apiserver/endpoint-slices.ts';
import { decodeObject, encodeObject } from '../../../src/lab/k8s/apiserver/etcd-store.ts';
import type { StoreWatchEvent } from '../../../src/lab/k8s/apiserver/etcd-store.ts';
import { cacheHealthCheck, renderHealth } from '../../../src/lab/k8s/apiserver/health.ts';
import type { KubeObject } from '../../../src/lab/k8s/apiserver/json.ts';
import { parseObjectFilter } from '../../../src/lab/k8s/apiserver/selectors.ts';
import { computeWatchEvent, computeWatchTimeoutMs } from '../../../src/lab/k8s/apiserver/watch.ts';

const pod = (phase: string, rv: string): KubeObject => ({ kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' }, resourceVersion: rv }, status: { phase } });
const change = (type: 'put' | 'delete', object: KubeObject | undefined, previous: KubeObject | undefined, revision: string): StoreWatchEvent => ({ type, key: '/registry/pods/default/p', object, previous, revision });

describe('watch events', () => {
  const all = parseObjectFilter(null, null);
  const running = parseObjectFilter('app=web', 'status.phase=Running');

  test('put without a previous value is ADDED, with one MODIFIED; delete is DELETED at the delete revision', () => {
    assert.equal(computeWatchEvent(change('put', pod('Pending', '5'), undefined, '5'), all)?.type, 'ADDED');
    assert.equal(computeWatchEvent(change('put', pod('Running', '6'), pod('Pending', '5'), '6'), all)?.type, 'MODIFIED');
    const deleted = computeWatchEvent(change('delete', undefined, pod('Running', '6'), '7'), all);
    assert.equal(deleted?.type, 'DELETED');
    assert.equal(deleted?.object.metadata.resourceVersion, '7');
  });

  test('selectors apply to both sides of a change', () => {
    assert.equal(computeWatchEvent(change('put', pod('Pending', '5'), undefined, '5'), running), undefined);
    assert.equal(computeWatchEvent(change('put', pod('Running', '6'), pod('Pending', '5'), '6'), running)?.type, 'ADDED');
    assert.equal(computeWatchEvent(change('put', pod('Running', '7'), pod('Running', '6'), '7'), running)?.type, 'MODIFIED');
    const left = computeWatchEvent(change('put', pod('Failed', '8'), pod('Running', '7'), '8'), running);
    assert.equal(left?.type, 'DELETED');
    assert.equal((left?.object['status'] as Record<string, unknown>)['phase'], 'Running', 'the last matching state');
    assert.equal(left?.object.metadata.resourceVersion, '8');
    assert.equal(computeWatchEvent(change('delete', undefined, pod('Failed', '8'), '9'), running), undefined);
  });

  test('timeoutSeconds, else 30 to 60 minutes', () => {
    assert.equal(computeWatchTimeoutMs(new URLSearchParams('timeoutSeconds=5')), 5000);
    assert.equal(computeWatchTimeoutMs(new URLSearchParams(''), () => 0), 1_800_000);
    assert.equal(computeWatchTimeoutMs(new URLSearchParams(''), () => 0.5), 2_700_000);
  });
});

describe('storage encoding', () => {
  test('resourceVersion and selfLink are not stored; they come back from the mod revision', () => {
    const text = encodeObject({ kind: 'Node', metadata: { name: 'n', resourceVersion: '3', selfLink: '/x' } });
    assert.deepEqual(JSON.parse(text), { kind: 'Node', metadata: { name: 'n' } });
    const kv = { key: Buffer.from('k'), value: Buffer.from(text), mod_revision: '12', create_revision: '3', version: '2', lease: '0' };
    assert.equal(decodeObject(kv)?.metadata.resourceVersion, '12');
    assert.equal(decodeObject({ ...kv, value: Buffer.from('not json') }), undefined);
    assert.equal(decodeObject(null), undefined);
  });
});

describe('health', () => {
  test('ok, verbose, a failed check, one check', () => {
    assert.deepEqual(renderHealth([{ name: 'ping', ok: true }, { name: 'etcd', ok: true }], { verbose: false }), { code: 200, body: 'ok' });
    assert.deepEqual(renderHealth([{ name: 'ping', ok: true }, { name: 'etcd', ok: true }], { verbose: true }), { code: 200, body: '[+]ping ok\n[+]etcd ok\nhealthz check passed\n' });
    assert.deepEqual(renderHealth([{ name: 'ping', ok: true }, { name: 'etcd', ok: false }], { verbose: false }), { code: 500, body: '[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n' });
    assert.equal(renderHealth([{ name: 'etcd', ok: false }], { check: 'etcd', verbose: false }).code, 500);
    assert.equal(renderHealth([{ name: 'etcd', ok: true }], { check: 'nope', verbose: false }).code, 404);
  });

  test('the cached check runs at most once per max age, counted from its answer', async () => {
    let runs = 0;
    let clock = 0;
    const check = cacheHealthCheck({ name: 'etcd', run: async () => (++runs) % 2 === 1 }, 1000, () => clock);
    assert.equal(await check.run(), true);
    clock = 900;
    assert.equal(await check.run(), true);
    assert.equal(runs, 1);
    clock = 1001;
    assert.equal(await check.run(), false);
    assert.equal(runs, 2);
  });
});

describe('masters and endpoint slices', () => {
  test('the kubernetes endpoints list every lease holder once, sorted', () => {
    assert.deepEqual(buildMasterSubsets(['127.17.33.30', '127.17.33.20', '127.17.33.30'], 8080), [
      { addresses: [{ ip: '127.17.33.20' }, { ip: '127.17.33.30' }], ports: [{ name: 'https', port: 8080, protocol: 'TCP' }] },
    ]);
    assert.deepEqual(buildMasterSubsets([], 8080), []);
    assert.equal(JSON.parse(buildMasterLeaseValue('127.17.33.30', 8080)).subsets[0].addresses[0].ip, '127.17.33.30');
  });

  test('one slice per subset, ready and not-ready addresses, named ports', () => {
    const slices = buildEndpointSlices({
      metadata: { name: 'skydns-svc', namespace: 'kube-system', resourceVersion: '4' },
      subsets: [{ addresses: [{ ip: '1.1.1.1', nodeName: 'n1' }], notReadyAddresses: [{ ip: '1.1.1.2' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { port: 54 }] }],
    });
    assert.equal(slices.length, 1);
    const slice = slices[0] as KubeObject;
    assert.equal(slice.metadata.name, 'skydns-svc-0');
    assert.deepEqual(slice.metadata.labels?.['kubernetes.io/service-name'], 'skydns-svc');
    assert.deepEqual(slice['endpoints'], [
      { addresses: ['1.1.1.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1' },
      { addresses: ['1.1.1.2'], conditions: { ready: false, serving: false, terminating: false } },
    ]);
    assert.deepEqual(slice['ports'], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: '', port: 54, protocol: 'TCP' }]);
  });
});
