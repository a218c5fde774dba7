/**
 * The node lifecycle controller's decisions, pure, with the clock passed in. Follows kubernetes 1.4
 * pkg/controller/node (tryUpdateNodeStatus / monitorNodeStatus):
 * - Health is judged by the controller's OWN clock: `probeMs` is when the controller saw the Ready condition's
 *   lastHeartbeatTime change (or first saw the node), so skew between kubelet and controller does not matter, and
 *   a freshly started controller gives every node a full grace period before judging it.
 * - No heartbeat seen for node-monitor-grace-period (node-startup-grace-period while the node never posted a Ready
 *   condition) → Ready becomes Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node status.").
 * - Eviction, judged on the Ready status read at the start of the pass: False for longer than pod-eviction-timeout
 *   since its transition, or Unknown for longer than pod-eviction-timeout since the last heartbeat seen.
 */
import { findCondition, formatTime, parseTimeMs, type Condition, type Node } from '../common/objects.ts';

export interface NodeLifecycleTimings {
  /** --node-monitor-grace-period, in ms (default 40 s). */
  readonly gracePeriodMs: number;
  /** --node-startup-grace-period, in ms (default 60 s). */
  readonly startupGracePeriodMs: number;
  /** --pod-eviction-timeout, in ms (default 5 min). */
  readonly podEvictionTimeoutMs: number;
}

/** What the controller remembers about one node between passes (nodeStatusData in the real controller). */
export interface NodeHealth {
  /** The Ready condition's lastHeartbeatTime as last seen. */
  readonly heartbeat: string | undefined;
  /** The Ready condition's lastTransitionTime as last seen. */
  readonly transition: string | undefined;
  /** The Ready condition's status as last seen; undefined when the node has none. */
  readonly readyStatus: string | undefined;
  /** Controller clock (ms) when a new heartbeat was last seen. */
  readonly probeMs: number;
  /** Controller clock (ms) when a Ready transition was last seen. */
  readonly readyTransitionMs: number;
}

export interface NodeDecision {
  /** Set the Ready condition (and the other kubelet conditions) to Unknown with this reason and message. */
  readonly markUnknown?: { readonly reason: string; readonly message: string };
  /** Ready is not True once this pass is done (pods on it should not be Ready). */
  readonly notReady: boolean;
  /** Delete the pods bound to this node. */
  readonly evict: boolean;
}

/** Fold one observation of `node` into what the controller remembers. */
export function observeNodeHealth(saved: NodeHealth | undefined, node: Node, nowMs: number): NodeHealth {
  const ready = findCondition(node.status?.conditions, 'Ready');
  const seen = { heartbeat: ready?.lastHeartbeatTime, transition: ready?.lastTransitionTime, readyStatus: ready?.status };
  if (saved === undefined) return { ...seen, probeMs: nowMs, readyTransitionMs: nowMs };
  if ((saved.readyStatus === undefined) !== (ready === undefined)) return { ...seen, probeMs: nowMs, readyTransitionMs: nowMs };
  if (ready !== undefined && saved.heartbeat !== ready.lastHeartbeatTime) {
    return { ...seen, probeMs: nowMs, readyTransitionMs: saved.transition !== ready.lastTransitionTime ? nowMs : saved.readyTransitionMs };
  }
  return saved;
}

export function computeNodeDecision(health: NodeHealth, node: Node, nowMs: number, t: NodeLifecycleTimings): NodeDecision {
  const ready = findCondition(node.status?.conditions, 'Ready');
  const grace = ready === undefined ? t.startupGracePeriodMs : t.gracePeriodMs;
  let markUnknown: NodeDecision['markUnknown'];
  if (nowMs > health.probeMs + grace) {
    if (ready === undefined) markUnknown = { reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' };
    else if (ready.status !== 'Unknown') markUnknown = { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
  }
  const observed = ready?.status;
  const evict =
    (observed === 'False' && nowMs > health.readyTransitionMs + t.podEvictionTimeoutMs) ||
    (observed === 'Unknown' && nowMs > health.probeMs + t.podEvictionTimeoutMs);
  const notReady = markUnknown !== undefined || observed !== 'True';
  return { ...(markUnknown === undefined ? {} : { markUnknown }), notReady, evict };
}

/**
 * After the controller wrote `written` (from buildUnknownConditions): the transition happened now; the last
 * heartbeat seen, and so the probe time, stay.
 */
export function afterMarkedUnknown(health: NodeHealth, written: readonly Condition[], nowMs: number): NodeHealth {
  const ready = findCondition(written, 'Ready');
  return { ...health, readyStatus: 'Unknown', heartbeat: ready?.lastHeartbeatTime, transition: ready?.lastTransitionTime, readyTransitionMs: nowMs };
}

/** Conditions the kubelet owns; the controller turns those present to Unknown along with Ready. */
const KUBELET_CONDITIONS = ['Ready', 'OutOfDisk', 'MemoryPressure', 'DiskPressure'];

/**
 * The node's conditions with Ready (added when missing, its heartbeat then the node's creation time) and the
 * other kubelet conditions set to Unknown, probed and transitioned now. Returns a new array.
 */
export function buildUnknownConditions(node: Node, nowMs: number, why: { reason: string; message: string }): Condition[] {
  const now = formatTime(nowMs);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  if (findCondition(conditions, 'Ready') === undefined) {
    const created = parseTimeMs(node.metadata.creationTimestamp);
    conditions.push({ type: 'Ready', status: 'Unknown', lastHeartbeatTime: created === undefined ? now : formatTime(created), lastTransitionTime: now, ...why });
    return conditions;
  }
  for (const c of conditions) {
    if (!KUBELET_CONDITIONS.includes(c.type) || c.status === 'Unknown') continue;
    c.status = 'Unknown';
    c.reason = why.reason;
    c.message = why.message;
    c.lastTransitionTime = now;
  }
  return conditions;
}
