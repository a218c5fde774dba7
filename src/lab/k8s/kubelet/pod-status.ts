/**
 * A pod's status from its containers' statuses (pure), as the 1.4 kubelet computes it (kubelet_pods.go GetPhase
 * and the Ready condition): Pending while a container waits without having run; Running while some run (or all
 * have run and restart); Succeeded/Failed once all ended for good. Ready is True only while every container is
 * ready, so a crashed or unpullable container makes the pod honestly not Ready.
 */
import type { ContainerStatus, RestartPolicy } from './container-state.ts';

export interface PodCondition {
  readonly type: string;
  readonly status: string;
  readonly lastProbeTime: null;
  readonly lastTransitionTime: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface PodStatus {
  readonly phase: string;
  readonly conditions: readonly PodCondition[];
  readonly hostIP: string;
  readonly podIP: string;
  readonly startTime: string;
  readonly containerStatuses: readonly ContainerStatus[];
}

export interface PodStatusInput {
  readonly containers: readonly ContainerStatus[];
  readonly restartPolicy: RestartPolicy;
  readonly hostIP: string;
  readonly podIP: string;
  readonly startTime: string;
  /** The conditions the pod has now (their transition times are kept while the status does not change). */
  readonly previousConditions?: readonly { readonly type?: string; readonly status?: string; readonly lastTransitionTime?: string }[];
  readonly now: string;
}

export function computePodPhase(containers: readonly ContainerStatus[], restartPolicy: RestartPolicy): string {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if ('running' in c.state) running++;
    else if ('terminated' in c.state) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated !== undefined) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === containers.length && containers.length > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    // Never: at least one failed for good; OnFailure: the failed ones are restarting.
    return restartPolicy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

export function buildPodStatus(i: PodStatusInput): PodStatus {
  const previous = new Map((i.previousConditions ?? []).map((c) => [c.type ?? '', c]));
  const condition = (type: string, status: string, extra: { reason?: string; message?: string } = {}): PodCondition => {
    const old = previous.get(type);
    const lastTransitionTime = old?.status === status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : i.now;
    return { type, status, lastProbeTime: null, lastTransitionTime, ...extra };
  };
  const unready = i.containers.filter((c) => !c.ready).map((c) => c.name);
  const ready =
    unready.length === 0
      ? condition('Ready', 'True')
      : condition('Ready', 'False', { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` });
  return {
    phase: computePodPhase(i.containers, i.restartPolicy),
    conditions: [condition('Initialized', 'True'), ready, condition('PodScheduled', 'True')],
    hostIP: i.hostIP,
    podIP: i.podIP,
    startTime: i.startTime,
    containerStatuses: i.containers,
  };
}

function stateKey(state: unknown): unknown {
  if (typeof state !== 'object' || state === null) return null;
  const s = state as { waiting?: { reason?: string }; running?: { startedAt?: string }; terminated?: { exitCode?: number; finishedAt?: string } };
  if (s.waiting !== undefined) return ['waiting', s.waiting.reason ?? ''];
  if (s.running !== undefined) return ['running', s.running.startedAt ?? ''];
  if (s.terminated !== undefined) return ['terminated', s.terminated.exitCode ?? 0, s.terminated.finishedAt ?? ''];
  return null;
}

/** What a status says, for telling whether a PUT would change anything (times of transitions aside). */
function summarize(status: unknown): string {
  if (typeof status !== 'object' || status === null) return 'null';
  const s = status as { phase?: string; podIP?: string; hostIP?: string; conditions?: { type?: string; status?: string }[]; containerStatuses?: Record<string, unknown>[] };
  return JSON.stringify([
    s.phase ?? '',
    s.podIP ?? '',
    s.hostIP ?? '',
    (s.conditions ?? []).map((c) => [c.type ?? '', c.status ?? '']),
    (s.containerStatuses ?? []).map((c) => [c['name'], stateKey(c['state']), stateKey(c['lastState']), c['ready'], c['restartCount'], c['containerID'] ?? '']),
  ]);
}

/** True when `a` and `b` say the same (phase, addresses, conditions, each container's state, readiness, restarts). */
export function isSamePodStatus(a: unknown, b: unknown): boolean {
  return summarize(a) === summarize(b);
}

/** The pod's restart policy as the kubelet reads it (default Always). */
export function readRestartPolicy(spec: { readonly [key: string]: unknown } | undefined): RestartPolicy {
  const p = spec?.['restartPolicy'];
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}
