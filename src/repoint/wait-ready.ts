/**
 * Waiting until a node is Ready on an apiserver: GET /api/v1/nodes/<name> every second until its Ready condition
 * is "True" AND its lastHeartbeatTime is fresh. Fresh matters: during a master move the controller-manager is not
 * running on the new master (the runbook starts it last), so nothing turns a silent node NotReady there — the old
 * "True" written before the move stays in etcd. Fresh means newer than the restart (`sinceMs`; k8s timestamps have
 * whole seconds) or newer than the first heartbeat this wait saw (robust to a node clock that differs from ours).
 * Bounded by the caller's signal; plain fetch, so an https master must accept the request without credentials.
 */
import { FerryError, messageOf } from '../errors.ts';
import { realSleep, type Sleep } from '../util/retry.ts';

/** Resolves once the node is Ready on the master; rejects (FerryError NODE_NOT_READY) when `signal` aborts first. */
export type WaitReady = (nodeName: string, masterURL: string, signal: AbortSignal, sinceMs?: number) => Promise<void>;

export interface NodeReadiness {
  readonly ready: boolean;
  /** Why not, in words, for the error message. */
  readonly reason: string;
  /** The Ready condition's lastHeartbeatTime (ms since the epoch), when there is one. */
  readonly heartbeatMs?: number;
}

interface NodeCondition {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  lastHeartbeatTime?: unknown;
}

/** Judge a node object (parsed JSON). `freshAfterMs`: heartbeats at or before it are stale. Pure. */
export function computeNodeReadiness(node: unknown, freshAfterMs: number): NodeReadiness {
  const conditions = (node as { status?: { conditions?: unknown } } | null)?.status?.conditions;
  const ready = Array.isArray(conditions) ? (conditions as NodeCondition[]).find((c) => c?.type === 'Ready') : undefined;
  if (ready === undefined) return { ready: false, reason: 'it has no Ready condition yet' };
  const hb = typeof ready.lastHeartbeatTime === 'string' ? Date.parse(ready.lastHeartbeatTime) : NaN;
  const heartbeat = Number.isNaN(hb) ? {} : { heartbeatMs: hb };
  if (ready.status !== 'True') {
    return { ready: false, reason: `Ready is ${String(ready.status)}${typeof ready.reason === 'string' ? ` (${ready.reason})` : ''}`, ...heartbeat };
  }
  if (Number.isNaN(hb)) return { ready: false, reason: 'Ready is True but it has no heartbeat time' };
  if (hb <= freshAfterMs) return { ready: false, reason: `Ready is True but its last heartbeat (${new Date(hb).toISOString()}) is from before the restart`, heartbeatMs: hb };
  return { ready: true, reason: 'Ready', heartbeatMs: hb };
}

export interface NodeReadyWaiterOptions {
  /** Between two GETs; default 1 000 ms. */
  readonly intervalMs?: number;
  /** Bound on one GET; default 5 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

export function createNodeReadyWaiter(options: NodeReadyWaiterOptions = {}): WaitReady {
  const intervalMs = options.intervalMs ?? 1_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const fetchImpl = options.fetchImpl ?? fetch;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;

  return async (nodeName, masterURL, signal, sinceMs) => {
    const since = sinceMs ?? now();
    // Timestamps are whole seconds: a heartbeat in the restart's own second counts as after it.
    const sinceSecondMs = Math.floor(since / 1000) * 1000 - 1;
    const url = `${masterURL.replace(/\/+$/, '')}/api/v1/nodes/${encodeURIComponent(nodeName)}`;
    let firstHeartbeatMs: number | undefined;
    let last = 'no answer yet';
    const notReady = () =>
      new FerryError('NODE_NOT_READY', `node ${nodeName} is not Ready on ${masterURL}: ${last}`, {
        hint: `look at the kubelet on the node (journalctl -u kubelet) and at \`kubectl --server ${masterURL} get nodes\``,
        retryable: true,
        subjects: { node: nodeName, master: masterURL },
      });
    for (;;) {
      if (signal.aborted) throw notReady();
      try {
        const res = await fetchImpl(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]), headers: { accept: 'application/json' } });
        if (res.status === 404) last = `${masterURL} does not know the node (404: not registered)`;
        else if (!res.ok) last = `GET ${url} answered HTTP ${res.status}`;
        else {
          const body: unknown = await res.json();
          const before = computeNodeReadiness(body, Number.POSITIVE_INFINITY).heartbeatMs;
          firstHeartbeatMs ??= before;
          const judged = computeNodeReadiness(body, Math.min(sinceSecondMs, firstHeartbeatMs ?? Number.POSITIVE_INFINITY));
          if (judged.ready) return;
          last = judged.reason;
        }
      } catch (err) {
        if (signal.aborted) throw notReady(); // keep the last real reason, not "aborted"
        const cause = (err as { cause?: unknown }).cause;
        last = `GET ${url} failed: ${messageOf(cause ?? err)}`;
      }
      try {
        await sleep(intervalMs, signal);
      } catch {
        throw notReady();
      }
    }
  };
}
