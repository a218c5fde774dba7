/**
 * Events, as the real components record them (POST /api/v1/namespaces/<ns>/events): what `kubectl describe` and
 * `kubectl get events` show. Recording is best effort: a failure is logged, never thrown.
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient, KubeObject } from '../client.ts';
import type { Logger } from './log.ts';
import { formatTime } from './objects.ts';

export interface EventSpec {
  readonly involved: KubeObject;
  /** Kind of the involved object; objects from lists carry none. */
  readonly kind: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** `controllermanager`, `node-controller`, `default-scheduler`, ... */
  readonly component: string;
}

/** The Event object; its name is `<involved>.<16 hex>` like the real recorder's. */
export function buildEvent(spec: EventSpec, nowMs: number): KubeObject & Record<string, unknown> {
  const meta = spec.involved.metadata;
  // Cluster-scoped objects (nodes) have their events in `default`, as the real recorder does.
  const namespace = meta.namespace === undefined || meta.namespace === '' ? 'default' : meta.namespace;
  const time = formatTime(nowMs);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${meta.name ?? 'unknown'}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      kind: spec.kind,
      apiVersion: 'v1',
      name: meta.name,
      ...(meta.namespace === undefined || meta.namespace === '' ? {} : { namespace: meta.namespace }),
      ...(meta.uid === undefined ? {} : { uid: meta.uid }),
      ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
    },
    reason: spec.reason,
    message: spec.message,
    source: { component: spec.component },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: spec.type,
  };
}

export async function writeEvent(client: KubeClient, log: Logger, spec: EventSpec, nowMs = Date.now()): Promise<void> {
  const event = buildEvent(spec, nowMs);
  try {
    await client.create(`/api/v1/namespaces/${encodeURIComponent(event.metadata.namespace ?? 'default')}/events`, event);
    log.recovered('events');
  } catch (err) {
    log.problem('events', err);
  }
}
