import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { afterMarkedUnknown, buildUnknownConditions, computeNodeDecision, observeNodeHealth, type NodeHealth } from '../../../src/lab/k8s/controller-manager/node-health.ts';
import { findCondition, type Node } from '../../../src/lab/k8s/common/objects.ts';

const T = { gracePeriodMs: 40_000, startupGracePeriodMs: 60_000, podEvictionTimeoutMs: 300_000 };
const iso = (s: number): string => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString().replace('.000Z', 'Z');

function node(ready: 'True' | 'False' | 'Unknown' | undefined, heartbeatS: number, transitionS = 0): Node {
  return {
    metadata: { name: 'n1', creationTimestamp: iso(0) },
    status: {
      conditions: [
        ...(ready === undefined ? [] : [{ type: 'Ready', status: ready, lastHeartbeatTime: iso(heartbeatS), lastTransitionTime: iso(transitionS), reason: 'KubeletReady' }]),
        { type: 'OutOfDisk', status: 'False', lastHeartbeatTime: iso(heartbeatS), lastTransitionTime: iso(0) },
        { type: 'NetworkUnavailable', status: 'False' },
      ],
    },
  };
}

/** Observe `n` at controller time `s` seconds, then decide. */
function step(saved: NodeHealth | undefined, n: Node, s: number): { health: NodeHealth; decision: ReturnType<typeof computeNodeDecision> } {
  const health = observeNodeHealth(saved, n, s * 1000);
  return { health, decision: computeNodeDecision(health, n, s * 1000, T) };
}

describe('node health', () => {
  test('a node heartbeating every 10 s stays Ready', () => {
    let saved: NodeHealth | undefined;
    for (let s = 0; s <= 600; s += 5) {
      const r = step(saved, node('True', s - (s % 10)), s);
      saved = r.health;
      assert.deepEqual(r.decision, { notReady: false, evict: false }, `at ${s}s`);
    }
  });

  test('judged by the controller clock: an old heartbeat at start still gets the full grace period', () => {
    const stale = node('True', -3600);
    let r = step(undefined, stale, 0);
    assert.equal(r.decision.markUnknown, undefined);
    r = step(r.health, stale, 40);
    assert.equal(r.decision.markUnknown, undefined, 'not before the grace period has passed');
    r = step(r.health, stale, 41);
    assert.deepEqual(r.decision.markUnknown, { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    assert.equal(r.decision.notReady, true);
    assert.equal(r.decision.evict, false, 'not evicted in the pass that marks it');
  });

  test('stops heartbeating → Unknown after the grace period → evicted after the eviction timeout since the last heartbeat', () => {
    let r = step(undefined, node('True', 0), 0);
    r = step(r.health, node('True', 10), 10); // last heartbeat seen at controller time 10
    const silent = node('True', 10);
    r = step(r.health, silent, 50);
    assert.equal(r.decision.markUnknown, undefined);
    r = step(r.health, silent, 51);
    assert.ok(r.decision.markUnknown !== undefined);
    const written = buildUnknownConditions(silent, 51_000, r.decision.markUnknown);
    const health = afterMarkedUnknown(r.health, written, 51_000);
    const unknown: Node = { ...silent, status: { conditions: written } };
    let u = step(health, unknown, 56);
    assert.deepEqual(u.decision, { notReady: true, evict: false });
    u = step(u.health, unknown, 310);
    assert.equal(u.decision.evict, false, '300 s after the last heartbeat (10 s) is 310 s');
    u = step(u.health, unknown, 311);
    assert.deepEqual(u.decision, { notReady: true, evict: true });
  });

  test('a node the kubelet reports NotReady (False) is evicted pod-eviction-timeout after the transition', () => {
    let r = step(undefined, node('True', 0), 0);
    r = step(r.health, node('False', 10, 10), 10); // transition seen at 10
    assert.deepEqual(r.decision, { notReady: true, evict: false });
    for (let s = 20; s <= 310; s += 10) r = step(r.health, node('False', s, 10), s);
    assert.equal(r.decision.evict, false);
    r = step(r.health, node('False', 311, 10), 311);
    assert.equal(r.decision.evict, true);
  });

  test('a node that comes back Ready is neither NotReady nor evicted any more', () => {
    let r = step(undefined, node('True', 0), 0);
    r = step(r.health, node('True', 0), 41);
    const written = buildUnknownConditions(node('True', 0), 41_000, r.decision.markUnknown!);
    let health = afterMarkedUnknown(r.health, written, 41_000);
    r = step(health, { ...node('True', 0), status: { conditions: written } }, 400);
    assert.equal(r.decision.evict, true);
    health = r.health;
    r = step(health, node('True', 401, 401), 402);
    assert.deepEqual(r.decision, { notReady: false, evict: false });
  });

  test('a node that never posted a Ready condition gets the startup grace period, then NodeStatusNeverUpdated', () => {
    let r = step(undefined, node(undefined, 0), 0);
    r = step(r.health, node(undefined, 0), 59);
    assert.equal(r.decision.markUnknown, undefined);
    r = step(r.health, node(undefined, 0), 61);
    assert.equal(r.decision.markUnknown?.reason, 'NodeStatusNeverUpdated');
    const written = buildUnknownConditions(node(undefined, 0), 61_000, r.decision.markUnknown!);
    const ready = findCondition(written, 'Ready');
    assert.equal(ready?.status, 'Unknown');
    assert.equal(ready?.lastHeartbeatTime, iso(0), 'heartbeat = creation time');
    const health = afterMarkedUnknown(r.health, written, 61_000);
    const after = step(health, { ...node(undefined, 0), status: { conditions: written } }, 70);
    assert.equal(after.health.probeMs, health.probeMs, 'its own write is not a heartbeat');
  });

  test('buildUnknownConditions: kubelet conditions become Unknown, heartbeat kept, others untouched, input unchanged', () => {
    const n = node('True', 10);
    const written = buildUnknownConditions(n, 100_000, { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const ready = findCondition(written, 'Ready');
    assert.deepEqual(ready, { type: 'Ready', status: 'Unknown', lastHeartbeatTime: iso(10), lastTransitionTime: '1970-01-01T00:01:40Z', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    assert.equal(findCondition(written, 'OutOfDisk')?.status, 'Unknown');
    assert.equal(findCondition(written, 'NetworkUnavailable')?.status, 'False');
    assert.equal(findCondition(n.status?.conditions, 'Ready')?.status, 'True');
  });
});
