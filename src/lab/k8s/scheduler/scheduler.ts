/**
 * The lab kube-scheduler: watches pods without a node (fieldSelector spec.nodeName=) and binds each
 * (POST pods/<name>/binding) to the node computePlacements picks. Pods that fit nowhere stay pending and are
 * retried every `retryMs` (nodes turning Ready are noticed that way, without watching every heartbeat).
 */
import { isConflict, isNotFound, type KubeClient } from '../client.ts';
import { writeEvent } from '../common/events.ts';
import type { Logger } from '../common/log.ts';
import { keyOf, objectPath, type Node, type Pod } from '../common/objects.ts';
import { runWatchTrigger, startSyncLoop } from '../common/sync-loop.ts';
import { computePlacements, isPendingForUs, type Placement } from './placement.ts';

const COMPONENT = 'default-scheduler';
const UNSCHEDULED = 'spec.nodeName=';
const PARALLEL = 20;

export interface SchedulerOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** How often pending pods are tried again, in ms. Default 1000. */
  readonly retryMs?: number;
}

/** Runs until `signal` aborts; never rejects for apiserver trouble (it logs and retries). */
export async function runScheduler(o: SchedulerOptions): Promise<void> {
  const scheduler = createScheduler(o.client, o.log);
  const loop = startSyncLoop({ name: 'scheduler', sync: scheduler.sync, resyncMs: o.retryMs ?? 1000, signal: o.signal, log: o.log });
  await Promise.all([
    loop.done,
    runWatchTrigger(o.client, { path: '/api/v1/pods', fieldSelector: UNSCHEDULED, onChange: () => loop.trigger(), signal: o.signal, log: o.log }),
  ]);
}

export function createScheduler(client: KubeClient, log: Logger): { sync(signal: AbortSignal): Promise<void> } {
  /** The last reason logged per pending pod, so a pod that stays pending is reported once per reason. */
  const reported = new Map<string, string>();

  async function sync(signal: AbortSignal): Promise<void> {
    const unscheduled = await client.list<Pod>('/api/v1/pods', { fieldSelector: UNSCHEDULED, signal });
    const pending = unscheduled.items.filter(isPendingForUs);
    const pendingKeys = new Set(pending.map(keyOf));
    for (const key of reported.keys()) if (!pendingKeys.has(key)) reported.delete(key);
    if (pending.length === 0) return;
    const nodes = await client.list<Node>('/api/v1/nodes', { signal });
    const pods = await client.list<Pod>('/api/v1/pods', { signal });
    const { placements, unschedulable } = computePlacements(pending, nodes.items, pods.items);
    for (const { pod, reason } of unschedulable) {
      const key = keyOf(pod);
      if (reported.get(key) === reason) continue;
      reported.set(key, reason);
      log.action(`pod ${key} pending: ${reason}`);
      await writeEvent(client, log, { involved: pod, kind: 'Pod', type: 'Warning', reason: 'FailedScheduling', message: reason, component: COMPONENT });
    }
    let firstError: unknown;
    for (let i = 0; i < placements.length; i += PARALLEL) {
      const results = await Promise.allSettled(placements.slice(i, i + PARALLEL).map((p) => bind(client, log, p, signal)));
      for (const r of results) if (r.status === 'rejected') firstError ??= r.reason;
    }
    if (firstError !== undefined) throw firstError;
  }
  return { sync };
}

async function bind(client: KubeClient, log: Logger, { pod, node }: Placement, signal: AbortSignal): Promise<void> {
  const name = pod.metadata.name ?? '';
  const namespace = pod.metadata.namespace ?? 'default';
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
  try {
    await client.create(`${objectPath('pods', namespace, name)}/binding`, binding, signal);
  } catch (err) {
    // Bound by someone else meanwhile (409), or deleted (404): nothing left to do for this pod.
    if (isConflict(err) || isNotFound(err)) return;
    throw err;
  }
  log.action(`bound ${keyOf(pod)} to ${node}`);
  await writeEvent(client, log, { involved: pod, kind: 'Pod', type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${name} to ${node}`, component: COMPONENT });
}
