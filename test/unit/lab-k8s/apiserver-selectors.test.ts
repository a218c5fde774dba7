import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabels, matchesFields, matchesFilter, matchesLabels, parseFieldSelector, parseLabelSelector, parseObjectFilter,
} from '../../../src/lab/k8s/apiserver/selectors.ts';
import { ApiError } from '../../../src/lab/k8s/apiserver/status.ts';
import type { KubeObject } from '../../../src/lab/k8s/apiserver/json.ts';

const labels = { app: 'web', tier: 'front', 'kubernetes.io/role': 'master', n: '5' };
const matches = (selector: string): boolean => matchesLabels(parseLabelSelector(selector), labels);

describe('label selectors', () => {
  test('equality and inequality', () => {
    assert.equal(matches('app=web'), true);
    assert.equal(matches('app==web'), true);
    assert.equal(matches('app=db'), false);
    assert.equal(matches('app!=db'), true);
    assert.equal(matches('missing!=x'), true);
    assert.equal(matches('app=web,tier=front'), true);
    assert.equal(matches('app=web, tier=back'), false);
    assert.equal(matches('kubernetes.io/role=master'), true);
  });

  test('set-based, exists, gt/lt', () => {
    assert.equal(matches('app in (web, db)'), true);
    assert.equal(matches('app in (db)'), false);
    assert.equal(matches('app notin (db,cache)'), true);
    assert.equal(matches('missing notin (x)'), true);
    assert.equal(matches('app in (web),tier notin (back)'), true);
    assert.equal(matches('tier'), true);
    assert.equal(matches('!tier'), false);
    assert.equal(matches('!missing'), true);
    assert.equal(matches('n>4'), true);
    assert.equal(matches('n<4'), false);
    assert.equal(matches(''), true);
  });

  test('malformed selectors are 400 BadRequest', () => {
    for (const bad of ['app=we b', 'app in web', '=x', 'n>x']) {
      assert.throws(() => parseLabelSelector(bad), (err: unknown) => err instanceof ApiError && err.code === 400, bad);
    }
  });

  test('formatLabels sorts keys', () => {
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '');
  });
});

describe('field selectors', () => {
  const pod: KubeObject = {
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
    spec: { nodeName: 'node-1' },
    status: { phase: 'Running' },
  };
  const event: KubeObject = { kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Service', name: 'a,b' }, source: { component: 'kubelet' } };

  test('the fields ferry and kubectl use', () => {
    assert.equal(matchesFields(parseFieldSelector('metadata.name=web-1'), pod), true);
    assert.equal(matchesFields(parseFieldSelector('metadata.namespace==default,spec.nodeName=node-1'), pod), true);
    assert.equal(matchesFields(parseFieldSelector('status.phase!=Running'), pod), false);
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), pod), false);
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName=,status.phase=Running'), { ...pod, spec: {} }), true);
  });

  test('escaped commas, event source alias, unschedulable default', () => {
    assert.equal(matchesFields(parseFieldSelector('involvedObject.name=a\\,b,involvedObject.kind=Service'), event), true);
    assert.equal(matchesFields(parseFieldSelector('source=kubelet'), event), true);
    assert.equal(matchesFields(parseFieldSelector('spec.unschedulable=false'), { kind: 'Node', metadata: {} }), true);
  });

  test('malformed field selectors are 400', () => {
    assert.throws(() => parseFieldSelector('metadata.name'), (err: unknown) => err instanceof ApiError && err.code === 400);
  });

  test('labels and fields together', () => {
    assert.equal(matchesFilter(parseObjectFilter('app=web', 'spec.nodeName=node-1'), pod), true);
    assert.equal(matchesFilter(parseObjectFilter('app=db', null), pod), false);
    assert.equal(matchesFilter(parseObjectFilter(null, null), pod), true);
  });
});
