import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../../src/lab/k8s/common/objects.ts';
import { computePlacements, isPendingForUs, podCapacity, SCHEDULER_NAME_ANNOTATION } from '../../../src/lab/k8s/scheduler/placement.ts';

function node(name: string, o: { ready?: 'True' | 'False' | 'Unknown'; unschedulable?: boolean; labels?: Record<string, string>; pods?: string } = {}): Node {
  return {
    metadata: { name, labels: o.labels ?? {} },
    spec: o.unschedulable === undefined ? {} : { unschedulable: o.unschedulable },
    status: { conditions: [{ type: 'Ready', status: o.ready ?? 'True' }], ...(o.pods === undefined ? {} : { allocatable: { pods: o.pods } }) },
  };
}
function pod(name: string, o: { node?: string; created?: string; nodeSelector?: Record<string, string>; phase?: string; annotations?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', ...(o.annotations === undefined ? {} : { annotations: o.annotations }) },
    spec: { ...(o.node === undefined ? {} : { nodeName: o.node }), ...(o.nodeSelector === undefined ? {} : { nodeSelector: o.nodeSelector }) },
    status: { phase: o.phase ?? 'Pending' },
  };
}
const placed = (r: ReturnType<typeof computePlacements>): Array<[string, string]> => r.placements.map((p) => [p.pod.metadata.name ?? '', p.node]);

describe('computePlacements', () => {
  test('least loaded Ready node first, counting placements of the same pass', () => {
    const existing = [pod('x1', { node: 'n1', phase: 'Running' }), pod('x2', { node: 'n1', phase: 'Running' }), pod('gone', { node: 'n2', phase: 'Succeeded' })];
    const pending = [pod('p1', { created: '2024-01-01T00:00:01Z' }), pod('p2', { created: '2024-01-01T00:00:02Z' }), pod('p3', { created: '2024-01-01T00:00:03Z' })];
    const r = computePlacements(pending, [node('n1'), node('n2')], existing);
    assert.deepEqual(placed(r), [['p1', 'n2'], ['p2', 'n2'], ['p3', 'n1']]);
  });
  test('oldest pod first; ties between nodes by name', () => {
    const r = computePlacements([pod('late', { created: '2024-01-02T00:00:00Z' }), pod('early', { created: '2024-01-01T00:00:00Z' })], [node('b'), node('a')], []);
    assert.deepEqual(placed(r), [['early', 'a'], ['late', 'b']]);
  });
  test('never on a node that is not Ready, cordoned, off-selector or full', () => {
    const nodes = [node('down', { ready: 'Unknown' }), node('false', { ready: 'False' }), node('cordoned', { unschedulable: true }), node('ssd', { labels: { disk: 'ssd' } }), node('full', { labels: { disk: 'hdd' }, pods: '1' })];
    const existing = [pod('x', { node: 'full', phase: 'Running' })];
    const r = computePlacements([pod('p', { nodeSelector: { disk: 'hdd' } })], nodes, existing);
    assert.deepEqual(r.placements, []);
    assert.equal(r.unschedulable[0]?.reason, "0/5 nodes are available: 2 node(s) not Ready, 1 node(s) unschedulable, 1 node(s) didn't match node selector, 1 node(s) had too many pods.");
    assert.deepEqual(placed(computePlacements([pod('p', { nodeSelector: { disk: 'ssd' } })], nodes, existing)), [['p', 'ssd']]);
  });
  test('no Ready node: everything stays pending', () => {
    const r = computePlacements([pod('a'), pod('b')], [node('n1', { ready: 'Unknown' })], []);
    assert.deepEqual(r.placements, []);
    assert.equal(r.unschedulable.length, 2);
    assert.equal(computePlacements([pod('a')], [], []).unschedulable[0]?.reason, 'no nodes available to schedule pods');
  });
  test('skips pods that are bound, terminating, finished or for another scheduler', () => {
    assert.equal(isPendingForUs(pod('a')), true);
    assert.equal(isPendingForUs(pod('a', { node: 'n1' })), false);
    assert.equal(isPendingForUs({ ...pod('a'), metadata: { name: 'a', deletionTimestamp: '2024-01-01T00:00:00Z' } }), false);
    assert.equal(isPendingForUs(pod('a', { phase: 'Failed' })), false);
    assert.equal(isPendingForUs(pod('a', { annotations: { [SCHEDULER_NAME_ANNOTATION]: 'other' } })), false);
    assert.equal(isPendingForUs(pod('a', { annotations: { [SCHEDULER_NAME_ANNOTATION]: 'default-scheduler' } })), true);
    assert.deepEqual(computePlacements([pod('a', { node: 'n1' })], [node('n1')], []).placements, []);
  });
  test('podCapacity: allocatable, else capacity, else unlimited', () => {
    assert.equal(podCapacity(node('a', { pods: '70' })), 70);
    assert.equal(podCapacity({ metadata: {}, status: { capacity: { pods: '110' } } }), 110);
    assert.equal(podCapacity(node('a')), Infinity);
  });
});
