import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/lab/k8s/apiserver/json.ts';
import { checkIdentity, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from '../../../src/lab/k8s/apiserver/prepare.ts';
import type { CreateContext } from '../../../src/lab/k8s/apiserver/prepare.ts';
import { findResource } from '../../../src/lab/k8s/apiserver/resources.ts';
import type { ResourceSpec } from '../../../src/lab/k8s/apiserver/resources.ts';
import { ApiError } from '../../../src/lab/k8s/apiserver/status.ts';
import { computeDeletePlan } from '../../../src/lab/k8s/apiserver/graceful-delete.ts';

const spec = (name: string): ResourceSpec => findResource(name) as ResourceSpec;
const ctx = (namespace?: string): CreateContext => ({ namespace, timestamp: '2017-03-01T12:00:00Z', uid: 'uid-1', nameSuffix: 'x7k2q' });
const isStatus = (code: number, text?: RegExp) => (err: unknown) => err instanceof ApiError && err.code === code && (text === undefined || text.test(err.message));
const pod = (extra: Partial<KubeObject> = {}): KubeObject => ({ metadata: { name: 'web-1' }, spec: { containers: [{ name: 'web', image: 'nginx:1.11' }] }, ...extra });

describe('prepareForCreate', () => {
  test('system fields, defaults, pod status reset to Pending', () => {
    const out = prepareForCreate(spec('pods'), pod({ metadata: { name: 'web-1', resourceVersion: '9', uid: 'mine' }, status: { phase: 'Running' } }), ctx('default'));
    assert.equal(out.kind, 'Pod');
    assert.equal(out.apiVersion, 'v1');
    assert.deepEqual(out.metadata, { name: 'web-1', namespace: 'default', uid: 'uid-1', creationTimestamp: '2017-03-01T12:00:00Z' });
    assert.deepEqual(out['status'], { phase: 'Pending' });
    const podSpec = out['spec'] as Record<string, unknown>;
    assert.equal(podSpec['restartPolicy'], 'Always');
    assert.equal(podSpec['dnsPolicy'], 'ClusterFirst');
    assert.equal((podSpec['containers'] as Array<Record<string, unknown>>)[0]?.['imagePullPolicy'], 'IfNotPresent');
  });

  test('generateName; missing name; namespace mismatch; wrong kind', () => {
    assert.equal(prepareForCreate(spec('pods'), pod({ metadata: { generateName: 'web-' } }), ctx('default')).metadata.name, 'web-x7k2q');
    assert.throws(() => prepareForCreate(spec('pods'), pod({ metadata: {} }), ctx('default')), isStatus(422, /name or generateName is required/));
    assert.throws(() => prepareForCreate(spec('pods'), pod({ metadata: { name: 'a', namespace: 'other' } }), ctx('default')), isStatus(400, /namespace/));
    assert.throws(() => prepareForCreate(spec('pods'), pod({ kind: 'Service' }), ctx('default')), isStatus(400, /cannot be handled as a Pod/));
    assert.equal(prepareForCreate(spec('nodes'), { metadata: { name: 'n1', namespace: 'x' } }, ctx()).metadata.namespace, undefined);
  });

  test('nodes keep the status they are created with; namespaces become Active', () => {
    const node = prepareForCreate(spec('nodes'), { metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, ctx());
    assert.deepEqual(node['status'], { conditions: [{ type: 'Ready', status: 'True' }] });
    const ns = prepareForCreate(spec('namespaces'), { metadata: { name: 'team-a' } }, ctx());
    assert.deepEqual(ns['status'], { phase: 'Active' });
    assert.deepEqual(ns['spec'], { finalizers: ['kubernetes'] });
  });

  test('replication controllers: selector and labels from the template, replicas 1, generation 1', () => {
    const rc = prepareForCreate(spec('replicationcontrollers'), { metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }, ctx('default'));
    const rcSpec = rc['spec'] as Record<string, unknown>;
    assert.deepEqual(rcSpec['selector'], { app: 'web' });
    assert.equal(rcSpec['replicas'], 1);
    assert.deepEqual(rc.metadata.labels, { app: 'web' });
    assert.equal(rc.metadata.generation, 1);
    assert.deepEqual(rc['status'], { replicas: 0 });
  });

  test('services: port defaults; validation reports every problem', () => {
    const svc = prepareForCreate(spec('services'), { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }, ctx('default'));
    assert.deepEqual((svc['spec'] as Record<string, unknown>)['ports'], [{ protocol: 'TCP', port: 80, targetPort: 80 }]);
    assert.equal((svc['spec'] as Record<string, unknown>)['type'], 'ClusterIP');
    assert.throws(
      () => prepareForCreate(spec('services'), { metadata: { name: 'Bad_Name' }, spec: { type: 'Weird', ports: [{ port: 0, protocol: 'ICMP' }] } }, ctx('default')),
      (err: unknown) => err instanceof ApiError && err.code === 422 && (err.details?.causes?.length ?? 0) === 4,
    );
  });

  test('pods and RCs are validated', () => {
    assert.throws(() => prepareForCreate(spec('pods'), pod({ spec: { containers: [] } }), ctx('default')), isStatus(422, /spec.containers: Required value/));
    assert.throws(
      () => prepareForCreate(spec('replicationcontrollers'), { metadata: { name: 'web' }, spec: { selector: { app: 'db' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }, ctx('default')),
      isStatus(422, /selector. does not match template/),
    );
  });
});

describe('prepareForUpdate', () => {
  const old = prepareForCreate(spec('pods'), pod(), ctx('default'));
  const stored: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: '5' }, status: { phase: 'Running' } };

  test('keeps uid, creationTimestamp and (for objects with a status subresource) the old status', () => {
    const next = prepareForUpdate(spec('pods'), { metadata: { name: 'web-1', labels: { a: 'b' }, uid: 'forged' }, spec: stored['spec'], status: { phase: 'Failed' } }, stored);
    assert.equal(next.metadata.uid, 'uid-1');
    assert.equal(next.metadata.creationTimestamp, '2017-03-01T12:00:00Z');
    assert.deepEqual(next.metadata.labels, { a: 'b' });
    assert.deepEqual(next['status'], { phase: 'Running' });
  });

  test('the name must match; a service keeps its clusterIP, and may not change it', () => {
    assert.throws(() => prepareForUpdate(spec('pods'), { metadata: { name: 'other' }, spec: stored['spec'] }, stored), isStatus(400, /does not match the name/));
    const svc = prepareForCreate(spec('services'), { metadata: { name: 's' }, spec: { clusterIP: '10.0.0.5', ports: [{ port: 80 }] } }, ctx('default'));
    const kept = prepareForUpdate(spec('services'), { metadata: { name: 's' }, spec: { ports: [{ port: 81 }] } }, svc);
    assert.equal((kept['spec'] as Record<string, unknown>)['clusterIP'], '10.0.0.5');
    assert.throws(() => prepareForUpdate(spec('services'), { metadata: { name: 's' }, spec: { clusterIP: '10.0.0.6', ports: [{ port: 80 }] } }, svc), isStatus(422, /immutable/));
  });

  test('an RC spec change bumps the generation', () => {
    const rc = prepareForCreate(spec('replicationcontrollers'), { metadata: { name: 'web' }, spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }, ctx('default'));
    const same = prepareForUpdate(spec('replicationcontrollers'), rc, rc);
    assert.equal(same.metadata.generation, 1);
    const scaled = prepareForUpdate(spec('replicationcontrollers'), { ...rc, spec: { ...(rc['spec'] as object), replicas: 3 } }, rc);
    assert.equal(scaled.metadata.generation, 2);
  });

  test('status updates change only the status', () => {
    const next = prepareForStatusUpdate(spec('pods'), { metadata: { name: 'web-1', labels: { x: 'y' } }, spec: { containers: [] }, status: { phase: 'Running', podIP: '1.2.3.4' } }, stored);
    assert.deepEqual(next['spec'], stored['spec']);
    assert.deepEqual(next.metadata, stored.metadata);
    assert.deepEqual(next['status'], { phase: 'Running', podIP: '1.2.3.4' });
  });

  test('checkIdentity fills the namespace of namespaced kinds', () => {
    assert.equal(checkIdentity(spec('pods'), { metadata: { name: 'a' } }, 'ns1').metadata.namespace, 'ns1');
    assert.throws(() => checkIdentity(spec('pods'), { apiVersion: 'apps/v1', metadata: {} }, 'ns1'), isStatus(400));
  });
});

describe('graceful deletion', () => {
  const now = new Date('2017-03-01T12:00:00Z');
  const bound = (extra: Partial<KubeObject> = {}): KubeObject => ({ kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 }, status: { phase: 'Running' }, ...extra });

  test('a pod on a node is marked with now + its grace period', () => {
    const plan = computeDeletePlan(bound(), undefined, now);
    assert.equal(plan.action, 'mark');
    assert.equal(plan.action === 'mark' && plan.object.metadata.deletionTimestamp, '2017-03-01T12:00:30Z');
    assert.equal(plan.action === 'mark' && plan.object.metadata['deletionGracePeriodSeconds'], 30);
    const asked = computeDeletePlan(bound(), 5, now);
    assert.equal(asked.action === 'mark' && asked.object.metadata.deletionTimestamp, '2017-03-01T12:00:05Z');
    assert.equal(computeDeletePlan(bound(), -1, now).action, 'mark', 'a negative grace period means the default');
  });

  test('immediate: unbound, finished, grace 0, other kinds', () => {
    assert.equal(computeDeletePlan(bound({ spec: {} }), undefined, now).action, 'delete');
    assert.equal(computeDeletePlan(bound({ status: { phase: 'Succeeded' } }), undefined, now).action, 'delete');
    assert.equal(computeDeletePlan(bound(), 0, now).action, 'delete');
    assert.equal(computeDeletePlan({ kind: 'Node', metadata: { name: 'n' } }, 30, now).action, 'delete');
  });

  test('pending: only a shorter grace period changes anything', () => {
    const pending = bound({ metadata: { name: 'p', deletionTimestamp: '2017-03-01T12:00:30Z', deletionGracePeriodSeconds: 30 } });
    assert.equal(computeDeletePlan(pending, undefined, now).action, 'keep');
    assert.equal(computeDeletePlan(pending, 30, now).action, 'keep');
    assert.equal(computeDeletePlan(pending, 10, now).action, 'mark');
    assert.equal(computeDeletePlan(pending, 0, now).action, 'delete');
  });

  test('an update keeps the deletion marks of the stored object', () => {
    const stored = prepareForCreate(spec('pods'), pod(), ctx('default'));
    const marked: KubeObject = { ...stored, metadata: { ...stored.metadata, deletionTimestamp: '2017-03-01T12:00:30Z', deletionGracePeriodSeconds: 30 } };
    const next = prepareForUpdate(spec('pods'), { ...stored, metadata: { ...stored.metadata, labels: { a: 'b' } } }, marked);
    assert.equal(next.metadata.deletionTimestamp, '2017-03-01T12:00:30Z');
    const cleared = prepareForUpdate(spec('pods'), stored, { ...stored, metadata: { ...stored.metadata } });
    assert.equal(cleared.metadata.deletionTimestamp, undefined);
  });
});
