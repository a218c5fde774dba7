import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHeartbeatNode, buildNodeConditions, buildNodeObject, buildNodeStatus, isNodeReady, type NodeCondition } from '../../../src/lab/k8s/kubelet/node-status.ts';
import { buildRunningPodStatus, computeNextPodIP, isInSubnet, needsStart } from '../../../src/lab/k8s/kubelet/pods.ts';

const T0 = '2017-05-11T10:00:00.000Z';
const T1 = '2017-05-11T10:00:10.000Z';
const facts = { name: 'l-33-39', address: '127.17.33.39', maxPods: 70, version: '1.4.7', bootID: 'boot-1' };

describe('node conditions', () => {
  test('a first heartbeat: the kubelet`s four conditions, Ready True, transitions now', () => {
    const c = buildNodeConditions(undefined, T0);
    assert.deepEqual(c.map((x) => [x.type, x.status, x.reason]), [
      ['OutOfDisk', 'False', 'KubeletHasSufficientDisk'],
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    const ready = c.find((x) => x.type === 'Ready') as NodeCondition;
    assert.equal(ready.message, 'kubelet is posting ready status');
    assert.equal(ready.lastHeartbeatTime, T0);
    assert.equal(ready.lastTransitionTime, T0);
  });

  test('lastTransitionTime is kept while the status does not change; heartbeat time moves', () => {
    const first = buildNodeConditions(undefined, T0);
    const second = buildNodeConditions(first, T1);
    for (const c of second) {
      assert.equal(c.lastHeartbeatTime, T1);
      assert.equal(c.lastTransitionTime, T0, c.type);
    }
  });

  test('after the node controller set Ready Unknown, Ready True is a transition; foreign conditions are kept', () => {
    const unknown: NodeCondition[] = [
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: T0, lastTransitionTime: T0 },
      { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', lastTransitionTime: T0 },
    ];
    const c = buildNodeConditions(unknown, T1);
    const ready = c.find((x) => x.type === 'Ready') as NodeCondition;
    assert.equal(ready.status, 'True');
    assert.equal(ready.lastTransitionTime, T1);
    assert.deepEqual(c.find((x) => x.type === 'NetworkUnavailable'), unknown[1]);
    assert.equal(isNodeReady({ status: { conditions: c } }), true);
    assert.equal(isNodeReady({ status: { conditions: unknown } }), false);
  });
});

describe('node object and status', () => {
  test('registration: name, hostname label, InternalIP = the host address, pods = --max-pods, kubelet version', () => {
    const node = buildNodeObject(facts, T0);
    assert.equal(node.kind, 'Node');
    assert.equal(node.metadata.name, 'l-33-39');
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'l-33-39');
    assert.deepEqual(node.status?.addresses, [
      { type: 'LegacyHostIP', address: '127.17.33.39' },
      { type: 'InternalIP', address: '127.17.33.39' },
    ]);
    assert.equal(node.status?.capacity?.['pods'], '70');
    assert.equal(node.status?.allocatable?.['pods'], '70');
    assert.equal(node.status?.nodeInfo?.['kubeletVersion'], 'v1.4.7');
    assert.equal(node.status?.nodeInfo?.['bootID'], 'boot-1');
    assert.equal(buildNodeStatus(facts, undefined, T0).nodeInfo['machineID'], buildNodeStatus({ ...facts, bootID: 'boot-2' }, undefined, T1).nodeInfo['machineID'], 'machine id stable across restarts');
  });

  test('a heartbeat keeps the node`s metadata (resourceVersion) and spec', () => {
    const current = { ...buildNodeObject(facts, T0), metadata: { name: 'l-33-39', resourceVersion: '42', labels: { a: 'b' } }, spec: { podCIDR: 'x', unschedulable: true } };
    const hb = buildHeartbeatNode(current, facts, T1);
    assert.equal(hb.metadata.resourceVersion, '42');
    assert.deepEqual(hb.spec, { podCIDR: 'x', unschedulable: true });
    assert.equal(hb.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime, T0);
  });
});

describe('pods', () => {
  test('pod addresses: the next free one after the bridge, below the broadcast address', () => {
    assert.equal(computeNextPodIP('127.24.4.1/22', new Set()), '127.24.4.2');
    assert.equal(computeNextPodIP('127.24.4.1/22', new Set(['127.24.4.2', '127.24.4.3'])), '127.24.4.4');
    assert.equal(computeNextPodIP('10.0.0.1/30', new Set(['10.0.0.2'])), undefined, 'a /30 has one pod address');
    assert.equal(computeNextPodIP('bogus', new Set()), undefined);
    assert.equal(isInSubnet('127.24.4.1/22', '127.24.7.9'), true);
    assert.equal(isInSubnet('127.24.4.1/22', '127.24.8.1'), false);
  });

  test('needsStart: bound here, not being deleted, not yet running with an address', () => {
    const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] }, status: { phase: 'Pending' } };
    assert.equal(needsStart(pod, 'n1'), true);
    assert.equal(needsStart(pod, 'n2'), false);
    assert.equal(needsStart({ ...pod, status: { phase: 'Running', podIP: '1.2.3.4' } }, 'n1'), false);
    assert.equal(needsStart({ ...pod, status: { phase: 'Running' } }, 'n1'), true);
    assert.equal(needsStart({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: T0 } }, 'n1'), false);
  });

  test('the running status: Running, Ready, addresses, one running container status per container', () => {
    const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }] } };
    const st = buildRunningPodStatus(pod, { hostIP: '127.17.33.39', podIP: '127.24.4.2', now: T0 }) as {
      phase: string;
      podIP: string;
      hostIP: string;
      startTime: string;
      conditions: { type: string; status: string }[];
      containerStatuses: { name: string; ready: boolean; restartCount: number; state: { running?: { startedAt: string } }; containerID: string }[];
    };
    assert.equal(st.phase, 'Running');
    assert.equal(st.podIP, '127.24.4.2');
    assert.equal(st.hostIP, '127.17.33.39');
    assert.equal(st.startTime, T0);
    assert.ok(st.conditions.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.deepEqual(st.containerStatuses.map((c) => [c.name, c.ready, c.restartCount, c.state.running?.startedAt]), [
      ['a', true, 0, T0],
      ['b', true, 0, T0],
    ]);
    assert.match(st.containerStatuses[0]?.containerID ?? '', /^docker:\/\/[0-9a-f]{64}$/);
  });
});
