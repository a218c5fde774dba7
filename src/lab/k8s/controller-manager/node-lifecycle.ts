/**
 * The node lifecycle controller: every node-monitor-period it lists the nodes, marks those whose kubelet stopped
 * heartbeating Ready=Unknown (nodes/<name>/status), turns the Ready condition of their pods False, and once the
 * pod eviction timeout has passed deletes the pods bound to them (an Event each); their replication controllers
 * then make replacements, which the scheduler puts on Ready nodes. Decisions: node-health.ts.
 */
import { isConflict, isNotFound, type KubeClient } from '../client.ts';
import { writeEvent } from '../common/events.ts';
import { afterMarkedUnknown, buildUnknownConditions, computeNodeDecision, observeNodeHealth, type NodeHealth, type NodeLifecycleTimings } from './node-health.ts';
import type { Logger } from '../common/log.ts';
import { isPodReady, keyOf, objectPath, parseTimeMs, type Node, type Pod } from '../common/objects.ts';

const COMPONENT = 'controllermanager';

export interface NodeLifecycleOptions extends NodeLifecycleTimings {
  /** --node-monitor-period, in ms (default 5 s). */
  readonly monitorPeriodMs: number;
  /** The controller's clock, in ms. Default Date.now. */
  readonly now?: () => number;
}

export interface NodeLifecycle {
  /** One monitor pass. */
  sync(signal: AbortSignal): Promise<void>;
}

export function createNodeLifecycle(client: KubeClient, log: Logger, o: NodeLifecycleOptions): NodeLifecycle {
  const now = o.now ?? Date.now;
  const saved = new Map<string, NodeHealth>();

  async function sync(signal: AbortSignal): Promise<void> {
    const nodes = await client.list<Node>('/api/v1/nodes', { signal });
    const nowMs = now();
    const notReady = new Map<string, { node: Node; evict: boolean }>();
    const names = new Set<string>();
    for (const node of nodes.items) {
      const name = node.metadata.name ?? '';
      names.add(name);
      const before = saved.get(name);
      let health = observeNodeHealth(before, node, nowMs);
      const decision = computeNodeDecision(health, node, nowMs, o);
      if (decision.markUnknown !== undefined) {
        const written = await writeNodeUnknown(client, node, nowMs, decision.markUnknown, signal);
        if (written === undefined) {
          saved.set(name, health);
          continue; // the node changed under us (likely a heartbeat): judge it again next pass
        }
        health = afterMarkedUnknown(health, written, nowMs);
        log.action(`node ${name} NotReady: Ready=Unknown (${decision.markUnknown.message})`);
        await writeEvent(client, log, { involved: node, kind: 'Node', type: 'Normal', reason: 'NodeNotReady', message: `Node ${name} status is now: NodeNotReady`, component: COMPONENT }, nowMs);
      } else if (before !== undefined && before.readyStatus !== 'True' && health.readyStatus === 'True') {
        log.action(`node ${name} Ready`);
        await writeEvent(client, log, { involved: node, kind: 'Node', type: 'Normal', reason: 'NodeReady', message: `Node ${name} status is now: NodeReady`, component: COMPONENT }, nowMs);
      }
      saved.set(name, health);
      if (decision.notReady) notReady.set(name, { node, evict: decision.evict });
    }
    for (const name of saved.keys()) if (!names.has(name)) saved.delete(name);
    if (notReady.size === 0) return;
    const pods = await client.list<Pod>('/api/v1/pods', { signal });
    for (const pod of pods.items) {
      const entry = notReady.get(pod.spec.nodeName ?? '');
      if (entry === undefined) continue;
      if (entry.evict) await evictPod(client, log, pod, entry.node, nowMs, signal);
      else if (pod.metadata.deletionTimestamp === undefined && isPodReady(pod)) await markPodNotReady(client, log, pod, signal);
    }
  }
  return { sync };
}

/** PUT nodes/<name>/status with the Unknown conditions; undefined on a conflict (the node changed meanwhile). */
async function writeNodeUnknown(client: KubeClient, node: Node, nowMs: number, why: { reason: string; message: string }, signal: AbortSignal): Promise<ReturnType<typeof buildUnknownConditions> | undefined> {
  const conditions = buildUnknownConditions(node, nowMs, why);
  const body: Node = { ...node, apiVersion: 'v1', kind: 'Node', status: { ...node.status, conditions } };
  try {
    await client.replace(`/api/v1/nodes/${encodeURIComponent(node.metadata.name ?? '')}/status`, body, signal);
    return conditions;
  } catch (err) {
    if (isConflict(err) || isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Delete a pod bound to a node past its eviction timeout. A pod already being deleted whose grace period is over
 * (its kubelet is gone and will never confirm) is deleted with gracePeriodSeconds=0, as 1.4's
 * maybeDeleteTerminatingPod did. DaemonSet pods stay, as in the real controller.
 */
async function evictPod(client: KubeClient, log: Logger, pod: Pod, node: Node, nowMs: number, signal: AbortSignal): Promise<void> {
  if (pod.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet') === true) return;
  const path = objectPath('pods', pod.metadata.namespace, pod.metadata.name);
  const nodeName = node.metadata.name ?? '';
  try {
    if (pod.metadata.deletionTimestamp !== undefined) {
      const deadline = parseTimeMs(pod.metadata.deletionTimestamp) ?? 0;
      if (nowMs < deadline) return;
      await client.delete(path, { gracePeriodSeconds: 0, signal });
      log.action(`force-deleted pod ${keyOf(pod)} from node ${nodeName} (NotReady, grace period over)`);
      return;
    }
    await client.delete(path, { signal });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  log.action(`evicted pod ${keyOf(pod)} from node ${nodeName}`);
  await writeEvent(client, log, { involved: pod, kind: 'Pod', type: 'Normal', reason: 'NodeControllerEviction', message: `Marking for deletion Pod ${pod.metadata.name ?? ''} from Node ${nodeName}`, component: COMPONENT }, nowMs);
}

/** MarkAllPodsNotReady: the Ready condition of a pod on a NotReady node becomes False (endpoints drop it). */
async function markPodNotReady(client: KubeClient, log: Logger, pod: Pod, signal: AbortSignal): Promise<void> {
  const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
  const body: Pod = { ...pod, apiVersion: 'v1', kind: 'Pod', status: { ...pod.status, conditions } };
  try {
    await client.replace(`${objectPath('pods', pod.metadata.namespace, pod.metadata.name)}/status`, body, signal);
  } catch (err) {
    if (isConflict(err) || isNotFound(err)) return;
    throw err;
  }
  log.action(`marked pod ${keyOf(pod)} not ready (node ${pod.spec.nodeName ?? ''} NotReady)`);
}
