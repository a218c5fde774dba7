import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildCollectionKey, buildMasterLeaseKey, buildObjectKey, buildSelfLink, findResource, RESOURCES,
} from '../../../src/lab/k8s/apiserver/resources.ts';
import type { ResourceSpec } from '../../../src/lab/k8s/apiserver/resources.ts';
import { parseRoute } from '../../../src/lab/k8s/apiserver/routes.ts';
import { buildApiResourceList, buildVersionInfo } from '../../../src/lab/k8s/apiserver/discovery.ts';

const spec = (name: string): ResourceSpec => {
  const found = findResource(name);
  assert.ok(found, name);
  return found;
};

describe('etcd keys (k8s 1.4 layout)', () => {
  test('every stored resource', () => {
    assert.equal(buildObjectKey('/registry', spec('nodes'), undefined, 'n1'), '/registry/minions/n1');
    assert.equal(buildObjectKey('/registry', spec('namespaces'), undefined, 'default'), '/registry/namespaces/default');
    assert.equal(buildObjectKey('/registry', spec('services'), 'kube-system', 'skydns-svc'), '/registry/services/specs/kube-system/skydns-svc');
    assert.equal(buildObjectKey('/registry', spec('endpoints'), 'default', 'kubernetes'), '/registry/services/endpoints/default/kubernetes');
    assert.equal(buildObjectKey('/registry', spec('pods'), 'default', 'web-1'), '/registry/pods/default/web-1');
    assert.equal(buildObjectKey('/registry', spec('replicationcontrollers'), 'default', 'web'), '/registry/controllers/default/web');
    assert.equal(buildObjectKey('/registry', spec('events'), 'default', 'e.1'), '/registry/events/default/e.1');
    assert.equal(buildMasterLeaseKey('/registry', '127.17.33.30'), '/registry/masterleases/127.17.33.30');
  });

  test('another prefix; collections end with a slash so `default` does not match `default2`', () => {
    assert.equal(buildObjectKey('/domeos/registry', spec('nodes'), undefined, 'n1'), '/domeos/registry/minions/n1');
    assert.equal(buildCollectionKey('/registry', spec('pods'), 'default'), '/registry/pods/default/');
    assert.equal(buildCollectionKey('/registry', spec('pods')), '/registry/pods/');
    assert.equal(buildCollectionKey('/registry', spec('nodes'), 'ignored'), '/registry/minions/');
  });

  test('selfLinks', () => {
    assert.equal(buildSelfLink(spec('pods'), 'default', 'web-1'), '/api/v1/namespaces/default/pods/web-1');
    assert.equal(buildSelfLink(spec('pods'), undefined), '/api/v1/pods');
    assert.equal(buildSelfLink(spec('nodes'), undefined, 'n1'), '/api/v1/nodes/n1');
  });
});

describe('routes', () => {
  test('non-resource paths', () => {
    assert.deepEqual(parseRoute('/version'), { kind: 'version' });
    assert.deepEqual(parseRoute('/healthz'), { kind: 'health', check: undefined });
    assert.deepEqual(parseRoute('/healthz/etcd'), { kind: 'health', check: 'etcd' });
    assert.deepEqual(parseRoute('/api'), { kind: 'api' });
    assert.deepEqual(parseRoute('/apis/'), { kind: 'apis' });
    assert.deepEqual(parseRoute('/api/v1'), { kind: 'apiV1' });
    assert.deepEqual(parseRoute('/openapi/v2'), { kind: 'notFound' });
    assert.deepEqual(parseRoute('/apis/apps/v1'), { kind: 'notFound' });
  });

  test('resource paths', () => {
    const r = (resource: string, namespace?: string, name?: string, subresource?: string, watchPath = false) => ({ kind: 'resource', resource, namespace, name, subresource, watchPath });
    assert.deepEqual(parseRoute('/api/v1/nodes'), r('nodes'));
    assert.deepEqual(parseRoute('/api/v1/nodes/n1/status'), r('nodes', undefined, 'n1', 'status'));
    assert.deepEqual(parseRoute('/api/v1/pods'), r('pods'));
    assert.deepEqual(parseRoute('/api/v1/namespaces'), r('namespaces'));
    assert.deepEqual(parseRoute('/api/v1/namespaces/default'), r('namespaces', undefined, 'default'));
    assert.deepEqual(parseRoute('/api/v1/namespaces/default/status'), r('namespaces', undefined, 'default', 'status'));
    assert.deepEqual(parseRoute('/api/v1/namespaces/default/pods'), r('pods', 'default'));
    assert.deepEqual(parseRoute('/api/v1/namespaces/default/pods/web-1/binding'), r('pods', 'default', 'web-1', 'binding'));
    assert.deepEqual(parseRoute('/api/v1/namespaces/default/replicationcontrollers/web/scale'), r('replicationcontrollers', 'default', 'web', 'scale'));
    assert.deepEqual(parseRoute('/api/v1/watch/namespaces/default/pods'), r('pods', 'default', undefined, undefined, true));
    assert.deepEqual(parseRoute('/api/v1/namespaces/a%2Fb/pods'), r('pods', 'a/b'));
    assert.deepEqual(parseRoute('/api/v1/namespaces/default/pods/a/b/c'), { kind: 'notFound' });
    assert.deepEqual(parseRoute('/api/v1/nodes/a/b/c'), { kind: 'notFound' });
  });

  test('the hidden EndpointSlice view', () => {
    assert.deepEqual(parseRoute('/apis/discovery.k8s.io/v1/namespaces/ks/endpointslices'), { kind: 'endpointSlices', namespace: 'ks', name: undefined });
    assert.deepEqual(parseRoute('/apis/discovery.k8s.io/v1/endpointslices'), { kind: 'endpointSlices', namespace: undefined, name: undefined });
  });
});

describe('discovery', () => {
  test('/api/v1 lists every resource with its short names and subresources', () => {
    const list = buildApiResourceList();
    const resources = list['resources'] as Array<Record<string, unknown>>;
    const byName = new Map(resources.map((r) => [r['name'], r]));
    for (const [name, short] of [['nodes', 'no'], ['namespaces', 'ns'], ['services', 'svc'], ['endpoints', 'ep'], ['pods', 'po'], ['replicationcontrollers', 'rc']]) {
      assert.deepEqual(byName.get(name)?.['shortNames'], [short], name);
    }
    assert.equal(byName.get('nodes')?.['namespaced'], false);
    assert.equal(byName.get('pods')?.['namespaced'], true);
    assert.equal(byName.get('pods')?.['singularName'], 'pod');
    assert.deepEqual(byName.get('pods/status')?.['verbs'], ['get', 'patch', 'update']);
    assert.equal(byName.get('replicationcontrollers/scale')?.['group'], 'autoscaling');
    assert.deepEqual(byName.get('pods/binding')?.['verbs'], ['create']);
    assert.equal(resources.length, RESOURCES.length + RESOURCES.reduce((n, r) => n + r.subresources.length, 0));
  });

  test('/version of the detected version', () => {
    const v = buildVersionInfo('1.5.5');
    assert.equal(v['gitVersion'], 'v1.5.5');
    assert.equal(v['major'], '1');
    assert.equal(v['minor'], '5');
    assert.equal(v['goVersion'], 'go1.6.3');
  });
});
