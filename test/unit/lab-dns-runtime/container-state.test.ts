import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeBackoffMs, decideContainer, PULL_ERROR_SHOWN_MS, type ContainerFacts, type Termination } from '../../../src/lab/k8s/kubelet/container-state.ts';
import { resolveImage } from '../../../src/lab/k8s/kubelet/images.ts';
import { buildPodStatus, computePodPhase, isSamePodStatus, readRestartPolicy } from '../../../src/lab/k8s/kubelet/pod-status.ts';

const T0 = Date.parse('2017-05-11T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const SKYDNS = 'pub.domeos.org/domeos/skydns:1.5';
const BAD = 'pub.domeos.org/domeos/skydns:does-not-exist';

function facts(over: Partial<ContainerFacts> = {}): ContainerFacts {
  return { name: 'skydns', image: SKYDNS, entry: resolveImage(SKYDNS), podStartedAt: iso(T0), podRef: 'skydns-x_default(u1)', restartPolicy: 'Always', ...over };
}
const exited = (code: number, at: number): Termination => ({ exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: iso(T0), finishedAt: iso(at), containerID: 'docker://c1' });

describe('container state machine', () => {
  test('back-off: at once, then 10 s doubling, capped at 5 min', () => {
    assert.deepEqual([0, 1, 2, 3, 5, 6, 50].map(computeBackoffMs), [0, 10_000, 20_000, 40_000, 160_000, 300_000, 300_000]);
  });

  test('a program container without an instance is started (ContainerCreating meanwhile)', () => {
    const d = decideContainer(facts(), T0);
    assert.equal(d.action, 'start');
    assert.deepEqual(d.status.state, { waiting: { reason: 'ContainerCreating', message: '' } });
    assert.equal(d.status.ready, false);
  });

  test('a running instance is running and ready, with its restarts and container id', () => {
    const d = decideContainer(facts({ instance: { id: 'abc', startedAt: iso(T0), restartCount: 2 } }), T0 + 1000);
    assert.equal(d.action, 'none');
    assert.deepEqual(d.status.state, { running: { startedAt: iso(T0) } });
    assert.equal(d.status.ready, true);
    assert.equal(d.status.restartCount, 2);
    assert.equal(d.status.containerID, 'docker://abc');
  });

  test('a first crash restarts at once; later ones wait in CrashLoopBackOff, not ready', () => {
    const first = decideContainer(facts({ instance: { id: 'a', startedAt: iso(T0), restartCount: 0, exit: exited(1, T0 + 100) } }), T0 + 100);
    assert.equal(first.action, 'restart');
    const inst = { id: 'b', startedAt: iso(T0), restartCount: 1, exit: exited(1, T0 + 200), lastTermination: exited(1, T0 + 100) };
    const waiting = decideContainer(facts({ instance: inst }), T0 + 5_000);
    assert.equal(waiting.action, 'none');
    assert.equal('waiting' in waiting.status.state && waiting.status.state.waiting.reason, 'CrashLoopBackOff');
    assert.match(('waiting' in waiting.status.state && waiting.status.state.waiting.message) || '', /Back-off 10s restarting failed container=skydns pod=skydns-x_default\(u1\)/);
    assert.equal(waiting.status.ready, false);
    assert.equal(waiting.status.restartCount, 1);
    assert.equal(waiting.status.lastState.terminated?.exitCode, 1);
    assert.equal(decideContainer(facts({ instance: inst }), T0 + 200 + 10_000).action, 'restart');
  });

  test('restart policies: Never keeps it terminated; OnFailure restarts failures only', () => {
    const inst = { id: 'a', startedAt: iso(T0), restartCount: 0, exit: exited(0, T0 + 100) };
    const never = decideContainer(facts({ instance: { ...inst, exit: exited(3, T0 + 100) }, restartPolicy: 'Never' }), T0 + 60_000);
    assert.equal(never.action, 'none');
    assert.equal('terminated' in never.status.state && never.status.state.terminated.exitCode, 3);
    assert.equal(decideContainer(facts({ instance: inst, restartPolicy: 'OnFailure' }), T0 + 60_000).action, 'none');
    assert.equal(decideContainer(facts({ instance: { ...inst, exit: exited(2, T0 + 100) }, restartPolicy: 'OnFailure' }), T0 + 60_000).action, 'restart');
  });

  test('an unknown image: pull now (ErrImagePull), then ImagePullBackOff until the back-off ends, then pull again', () => {
    const f = facts({ image: BAD, entry: resolveImage(BAD) });
    const first = decideContainer(f, T0);
    assert.equal(first.action, 'pull');
    assert.equal('waiting' in first.status.state && first.status.state.waiting.reason, 'ErrImagePull');
    const pulled = { ...f, pull: { attempts: 1, lastAttemptAt: T0 } };
    const fresh = decideContainer(pulled, T0 + PULL_ERROR_SHOWN_MS - 1);
    assert.deepEqual([fresh.action, 'waiting' in fresh.status.state && fresh.status.state.waiting.reason], ['none', 'ErrImagePull']);
    const later = decideContainer(pulled, T0 + PULL_ERROR_SHOWN_MS + 1);
    assert.deepEqual([later.action, 'waiting' in later.status.state && later.status.state.waiting.reason], ['none', 'ImagePullBackOff']);
    assert.equal(later.status.ready, false);
    assert.equal(later.status.containerID, undefined);
    assert.equal(decideContainer(pulled, T0 + 10_000).action, 'pull');
  });

  test('a plain image just runs since the pod started', () => {
    const d = decideContainer(facts({ name: 'web', image: 'nginx', entry: resolveImage('nginx') }), T0 + 5_000);
    assert.deepEqual([d.action, d.status.ready, d.status.state], ['none', true, { running: { startedAt: iso(T0) } }]);
  });
});

describe('pod status from containers', () => {
  const running = decideContainer(facts({ instance: { id: 'a', startedAt: iso(T0), restartCount: 0 } }), T0).status;
  const crashLoop = decideContainer(facts({ instance: { id: 'b', startedAt: iso(T0), restartCount: 1, exit: exited(1, T0 + 200) } }), T0 + 1_000).status;
  const pullError = decideContainer(facts({ name: 'x', image: BAD, entry: undefined }), T0).status;
  const base = { restartPolicy: 'Always' as const, hostIP: '127.32.0.39', podIP: '127.48.4.2', startTime: iso(T0), now: iso(T0 + 1_000) };

  test('all running: Running and Ready', () => {
    const st = buildPodStatus({ ...base, containers: [running] });
    assert.equal(st.phase, 'Running');
    assert.deepEqual(st.conditions.map((c) => [c.type, c.status]), [['Initialized', 'True'], ['Ready', 'True'], ['PodScheduled', 'True']]);
    assert.equal(st.podIP, '127.48.4.2');
  });

  test('a crash loop: still Running, not Ready (ContainersNotReady)', () => {
    const st = buildPodStatus({ ...base, containers: [crashLoop] });
    assert.equal(st.phase, 'Running');
    const ready = st.conditions.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'ContainersNotReady', 'containers with unready status: [skydns]']);
  });

  test('an image that cannot be pulled: Pending, not Ready, even beside a running container', () => {
    const st = buildPodStatus({ ...base, containers: [running, pullError] });
    assert.equal(st.phase, 'Pending');
    assert.equal(st.conditions.find((c) => c.type === 'Ready')?.status, 'False');
  });

  test('phases of ended pods follow the restart policy', () => {
    const done = (code: number) => ({ ...running, state: { terminated: exited(code, T0) }, ready: false });
    assert.equal(computePodPhase([done(0)], 'Never'), 'Succeeded');
    assert.equal(computePodPhase([done(1)], 'Never'), 'Failed');
    assert.equal(computePodPhase([done(1)], 'Always'), 'Running');
    assert.equal(readRestartPolicy({ restartPolicy: 'Never' }), 'Never');
    assert.equal(readRestartPolicy({}), 'Always');
  });

  test('transition times are kept while a condition does not change; isSamePodStatus ignores them', () => {
    const first = buildPodStatus({ ...base, containers: [running] });
    const again = buildPodStatus({ ...base, containers: [running], previousConditions: first.conditions, now: iso(T0 + 60_000) });
    assert.deepEqual(again.conditions, first.conditions);
    const changed = buildPodStatus({ ...base, containers: [crashLoop], previousConditions: first.conditions, now: iso(T0 + 60_000) });
    assert.equal(changed.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, iso(T0 + 60_000));
    assert.equal(changed.conditions.find((c) => c.type === 'Initialized')?.lastTransitionTime, iso(T0 + 1_000));
    assert.equal(isSamePodStatus(first, JSON.parse(JSON.stringify(again))), true);
    assert.equal(isSamePodStatus(first, changed), false);
    assert.equal(isSamePodStatus(undefined, first), false);
  });
});
