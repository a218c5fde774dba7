/**
 * The replication manager: keeps every replication controller's pod count (all namespaces). Each sync lists RCs
 * and pods fresh from the apiserver, applies computeReplicationPlan to each RC and writes its status. Watches on
 * both collections wake it, and it resyncs every few seconds regardless (controller-manager.ts).
 */
import { isConflict, isNotFound, type KubeClient } from '../client.ts';
import { writeEvent } from '../common/events.ts';
import type { Logger } from '../common/log.ts';
import { keyOf, objectPath, type Pod, type ReplicationController } from '../common/objects.ts';
import { buildPodFromTemplate, computeReplicationPlan, type ReplicationPlan } from './replication-plan.ts';

const COMPONENT = 'replication-controller';
/** Concurrent creations/deletions per RC and sync. */
const PARALLEL = 20;

interface SyncContext {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** One pass over every RC. Per-RC failures do not stop the others; the first one is rethrown at the end. */
export async function syncReplicationControllers(client: KubeClient, log: Logger, signal: AbortSignal): Promise<void> {
  const ctx: SyncContext = { client, log, signal };
  const rcs = await client.list<ReplicationController>('/api/v1/replicationcontrollers', { signal });
  const pods = await client.list<Pod>('/api/v1/pods', { signal });
  let firstError: unknown;
  for (const rc of rcs.items) {
    if (rc.metadata.deletionTimestamp !== undefined) continue;
    try {
      const plan = computeReplicationPlan(rc, pods.items);
      await syncOne(ctx, rc, plan);
      if (plan.problem === undefined) log.recovered(`rc ${keyOf(rc)}`);
      else log.problem(`rc ${keyOf(rc)}`, new Error(`cannot create pods: ${plan.problem}`));
    } catch (err) {
      if (signal.aborted) return;
      log.problem(`rc ${keyOf(rc)}`, err);
      firstError ??= err;
    }
  }
  if (firstError !== undefined) throw firstError;
}

async function syncOne(ctx: SyncContext, rc: ReplicationController, plan: ReplicationPlan): Promise<void> {
  const { client, log, signal } = ctx;
  const rcKey = keyOf(rc);
  const ns = rc.metadata.namespace ?? 'default';
  await inBatches(Array.from({ length: plan.create }, () => buildPodFromTemplate(rc)), async (pod) => {
    const created = await client.create<Pod>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, pod, signal);
    log.action(`created pod ${keyOf(created)} for rc ${rcKey}`);
    await writeEvent(client, log, { involved: rc, kind: 'ReplicationController', type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${created.metadata.name ?? ''}`, component: COMPONENT });
  });
  await inBatches(plan.remove, async (pod) => {
    try {
      await client.delete(objectPath('pods', pod.metadata.namespace, pod.metadata.name), { signal });
    } catch (err) {
      if (isNotFound(err)) return; // already gone: what we wanted
      throw err;
    }
    log.action(`deleted pod ${keyOf(pod)} for rc ${rcKey} (scaling to ${rc.spec.replicas ?? 1})`);
    await writeEvent(client, log, { involved: rc, kind: 'ReplicationController', type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.metadata.name ?? ''}`, component: COMPONENT });
  });
  if (plan.statusChanged) await writeStatus(client, rc, plan, signal);
}

/** PUT …/status with the RC's resourceVersion. A conflict means the RC changed: its watch event brings a new sync. */
async function writeStatus(client: KubeClient, rc: ReplicationController, plan: ReplicationPlan, signal: AbortSignal): Promise<void> {
  const path = objectPath('replicationcontrollers', rc.metadata.namespace, rc.metadata.name);
  const body: ReplicationController = { ...rc, apiVersion: 'v1', kind: 'ReplicationController', status: { ...rc.status, ...plan.status } };
  try {
    await client.replace(`${path}/status`, body, signal);
  } catch (err) {
    if (isConflict(err)) return;
    // An apiserver without the status subresource: write the whole object (it keeps the same resourceVersion check).
    if (isNotFound(err)) {
      await client.replace(path, body, signal).catch((e: unknown) => {
        if (!isConflict(e) && !isNotFound(e)) throw e;
      });
      return;
    }
    throw err;
  }
}

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) {
    const results = await Promise.allSettled(items.slice(i, i + PARALLEL).map(fn));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}
