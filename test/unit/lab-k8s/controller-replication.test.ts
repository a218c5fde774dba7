import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicationController } from '../../../src/lab/k8s/common/objects.ts';
import { buildPodFromTemplate, compareForDeletion, computeReplicationPlan, selectorOf } from '../../../src/lab/k8s/controller-manager/replication-plan.ts';

function rc(replicas: number | undefined, extra: Partial<ReplicationController['metadata']> = {}): ReplicationController {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'rc-uid', generation: 2, resourceVersion: '7', ...extra },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { app: 'web' },
      template: { metadata: { labels: { app: 'web', tier: 'front' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  };
}

let seq = 0;
function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; created?: string; labels?: Record<string, string>; ns?: string; deleting?: boolean; owner?: string; readySince?: string } = {}): Pod {
  seq++;
  return {
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      labels: o.labels ?? { app: 'web', tier: 'front' },
      creationTimestamp: o.created ?? `2024-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`,
      ...(o.deleting === true ? { deletionTimestamp: '2024-01-01T00:10:00Z' } : {}),
      ...(o.owner === undefined ? {} : { ownerReferences: [{ kind: 'ReplicationController', name: 'other', uid: o.owner, controller: true }] }),
    },
    spec: { ...(o.node === undefined ? {} : { nodeName: o.node }) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', ...(o.readySince === undefined ? {} : { lastTransitionTime: o.readySince }) }],
    },
  };
}

describe('computeReplicationPlan', () => {
  test('creates the missing pods', () => {
    const plan = computeReplicationPlan(rc(3), [pod('web-a', { node: 'n1' })]);
    assert.equal(plan.create, 2);
    assert.deepEqual(plan.remove, []);
    assert.equal(plan.status.replicas, 1);
  });
  test('replicas defaults to 1, and the selector to the template labels', () => {
    const r = rc(undefined);
    r.spec.selector = undefined;
    assert.deepEqual(selectorOf(r), { app: 'web', tier: 'front' });
    assert.equal(computeReplicationPlan(r, []).create, 1);
  });
  test('counts only active pods of this RC: not terminating, not finished, same namespace, selector, not owned by another', () => {
    const pods = [
      pod('ok', { node: 'n1' }),
      pod('deleting', { node: 'n1', deleting: true }),
      pod('failed', { node: 'n1', phase: 'Failed' }),
      pod('done', { node: 'n1', phase: 'Succeeded' }),
      pod('other-ns', { node: 'n1', ns: 'kube-system' }),
      pod('other-app', { node: 'n1', labels: { app: 'db' } }),
      pod('other-owner', { node: 'n1', owner: 'someone-else' }),
      pod('orphan-matching', { node: 'n2' }),
    ];
    const plan = computeReplicationPlan(rc(3), pods);
    assert.deepEqual(plan.active.map((p) => p.metadata.name), ['ok', 'orphan-matching']);
    assert.equal(plan.create, 1);
  });
  test('deletes extras: unscheduled, then pending, then not ready, then newest', () => {
    const pods = [
      pod('old-ready', { node: 'n1', created: '2024-01-01T00:00:01Z' }),
      pod('new-ready', { node: 'n1', created: '2024-01-01T00:00:09Z' }),
      pod('not-ready', { node: 'n1', ready: false }),
      pod('pending', { node: 'n1', phase: 'Pending', ready: false }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
    ];
    const plan = computeReplicationPlan(rc(1), pods);
    assert.equal(plan.create, 0);
    assert.deepEqual(plan.remove.map((p) => p.metadata.name), ['unscheduled', 'pending', 'not-ready', 'new-ready']);
  });
  test('among ready pods, the one ready for less time goes first', () => {
    const a = pod('long', { node: 'n1', readySince: '2024-01-01T00:00:00Z', created: '2024-01-01T00:00:09Z' });
    const b = pod('short', { node: 'n1', readySince: '2024-01-01T01:00:00Z', created: '2024-01-01T00:00:01Z' });
    assert.ok(compareForDeletion(b, a) < 0);
  });
  test('bounded by the burst size', () => {
    assert.equal(computeReplicationPlan(rc(1000), [], 500).create, 500);
    assert.equal(computeReplicationPlan(rc(0), Array.from({ length: 7 }, (_, i) => pod(`p${i}`, { node: 'n' })), 5).remove.length, 5);
  });
  test('status: replicas seen, ready, fully labeled, observed generation; changed only when it differs', () => {
    const r = rc(3);
    const pods = [pod('a', { node: 'n' }), pod('b', { node: 'n', ready: false }), pod('c', { node: 'n', labels: { app: 'web' } })];
    const plan = computeReplicationPlan(r, pods);
    assert.deepEqual(plan.status, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 });
    assert.equal(plan.statusChanged, true);
    r.status = { ...plan.status };
    assert.equal(computeReplicationPlan(r, pods).statusChanged, false);
  });
  test('no template: nothing created, a problem said', () => {
    const r = rc(2);
    r.spec.template = undefined;
    const plan = computeReplicationPlan(r, []);
    assert.equal(plan.create, 0);
    assert.match(plan.problem ?? '', /template/);
  });
});

describe('buildPodFromTemplate', () => {
  test('generateName, template labels and annotations, owner reference, created-by', () => {
    const p = buildPodFromTemplate(rc(1));
    assert.equal(p.metadata.generateName, 'web-');
    assert.equal(p.metadata.name, undefined);
    assert.equal(p.metadata.namespace, 'default');
    assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'front' });
    assert.equal(p.metadata.annotations?.note, 'x');
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'rc-uid', controller: true }]);
    const createdBy = JSON.parse(p.metadata.annotations?.['kubernetes.io/created-by'] ?? '{}') as { reference: { kind: string; name: string } };
    assert.equal(createdBy.reference.kind, 'ReplicationController');
    assert.equal(createdBy.reference.name, 'web');
    assert.equal(p.spec.nodeName, undefined);
    assert.deepEqual(p.spec, { containers: [{ name: 'c', image: 'nginx' }] });
  });
  test('the pod spec is a copy', () => {
    const r = rc(1);
    const p = buildPodFromTemplate(r);
    p.spec.nodeName = 'n1';
    assert.equal(r.spec.template?.spec?.nodeName, undefined);
  });
});
