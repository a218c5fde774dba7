import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPodFacts, computeStuckKind, describeNotReady, isSelectedBy } from '../../../src/dns/pods.ts';
import { buildServicePodFacts, computeDnsAnswerCheck, computeEndpointsCheck } from '../../../src/dns/gate.ts';
import { findControllers } from '../../../src/dns/controllers.ts';
import type { Pod, PodTemplate } from '../../../src/kube/objects.ts';
import { load2016, loadDeploymentVariant } from './fixtures.ts';

const template: PodTemplate = {
  metadata: { labels: { app: 'skydns', version: 'v10' } },
  spec: { containers: [{ name: 'skydns', image: 'i:1', command: ['/skydns'], args: ['--machines=http://a:4012'] }] },
};

function pod(name: string, o: { ready?: boolean; args?: string[]; ip?: string; waiting?: string; deleting?: boolean; version?: string } = {}): Pod {
  return {
    metadata: { name, labels: { app: 'skydns', version: o.version ?? 'v10' }, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { containers: [{ name: 'skydns', image: 'other:2', command: ['/skydns'], args: o.args ?? ['--machines=http://a:4012'] }] },
    status: {
      phase: 'Running',
      ...(o.ip ? { podIP: o.ip } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ name: 'skydns', ready: o.ready !== false, ...(o.waiting ? { state: { waiting: { reason: o.waiting, message: 'not found' } } } : {}) }],
    },
  };
}

describe('pod facts', () => {
  test('Ready with the template args; the image does not matter, the args do', () => {
    const f = buildPodFacts(pod('a', { ip: '10.0.0.1' }), template);
    assert.deepEqual({ ready: f.ready, current: f.current, terminating: f.terminating, ip: f.ip }, { ready: true, current: true, terminating: false, ip: '10.0.0.1' });
    assert.equal(buildPodFacts(pod('b', { args: ['--machines=http://old:4012'] }), template).current, false);
    assert.equal(buildPodFacts(pod('c', { deleting: true }), template).terminating, true);
  });

  test('waiting reasons: image pull and crash loops are named', () => {
    const f = buildPodFacts(pod('d', { ready: false, waiting: 'ErrImagePull' }), template);
    assert.equal(f.waiting, 'ErrImagePull');
    assert.equal(computeStuckKind(f.waiting), 'image');
    assert.equal(computeStuckKind('ImagePullBackOff'), 'image');
    assert.equal(computeStuckKind('CrashLoopBackOff'), 'crash');
    assert.equal(computeStuckKind('ContainerCreating'), undefined);
    assert.equal(describeNotReady([f]), 'd: ErrImagePull (not found)');
  });

  test('selectors: every entry must match; an empty selector selects nothing', () => {
    assert.equal(isSelectedBy({ app: 'skydns', version: 'v9' }, { app: 'skydns' }), true);
    assert.equal(isSelectedBy({ app: 'skydns' }, { app: 'skydns', version: 'v9' }), false);
    assert.equal(isSelectedBy({ app: 'skydns' }, {}), false);
  });
});

describe('gate checks', () => {
  test('endpoints must be exactly the Ready new pods, with no old pod behind the service', () => {
    const facts = buildServicePodFacts([pod('n1', { ip: '10.0.0.1' }), pod('n2', { ip: '10.0.0.2', deleting: true })], [template]);
    const ep = { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] };
    assert.equal(computeEndpointsCheck('skydns-svc', ep, facts).ok, true);
    assert.equal(computeEndpointsCheck('skydns-svc', { subsets: [{ addresses: [{ ip: '10.0.0.9' }] }] }, facts).ok, false);
    const withOld = buildServicePodFacts([pod('n1', { ip: '10.0.0.1' }), pod('o1', { ip: '10.0.0.3', version: 'v9', args: ['--machines=http://old:4012'] })], [template]);
    const c = computeEndpointsCheck('skydns-svc', ep, withOld);
    assert.equal(c.ok, false);
    assert.match(c.detail, /o1/);
    assert.equal(computeEndpointsCheck('skydns-svc', undefined, []).ok, false);
  });

  test('the DNS answer must be the kubernetes service IP', () => {
    assert.equal(computeDnsAnswerCheck('q', 's', ['172.16.0.1'], '172.16.0.1').ok, true);
    assert.equal(computeDnsAnswerCheck('q', 's', ['1.2.3.4'], '172.16.0.1').ok, false);
    assert.equal(computeDnsAnswerCheck('q', 's', 'timed out', '172.16.0.1').detail, 'timed out');
  });
});

describe('findControllers', () => {
  test('finds by base name: skydns finds skydns and skydns-v10, not skydns2', () => {
    const { skydns, kube2sky } = load2016();
    const v10 = structuredClone(skydns);
    v10.metadata!.name = 'skydns-v10';
    const other = structuredClone(skydns);
    other.metadata!.name = 'skydns2';
    assert.deepEqual(findControllers('skydns', [kube2sky, skydns, v10, other], []).map((f) => f.name), ['skydns', 'skydns-v10']);
    const d = loadDeploymentVariant();
    assert.deepEqual(findControllers('kube2sky', [], [d.kube2sky, d.skydns]).map((f) => `${f.kind} ${f.name}`), ['Deployment kube2sky']);
  });
});
