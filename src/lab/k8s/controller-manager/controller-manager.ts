/**
 * The lab kube-controller-manager: the replication manager, the node lifecycle controller and the endpoints
 * controller, each a sync loop over one apiserver (--master). One watch per collection wakes the loops that care:
 * pods → replication + endpoints, replicationcontrollers → replication, services → endpoints. The node controller
 * runs every node-monitor-period (it judges heartbeats by its own clock, so it needs no node watch).
 */
import type { KubeClient } from '../client.ts';
import { createEndpointsController } from './endpoints-controller.ts';
import type { Logger } from '../common/log.ts';
import { createNodeLifecycle, type NodeLifecycleOptions } from './node-lifecycle.ts';
import { syncReplicationControllers } from './replication-manager.ts';
import { runWatchTrigger, startSyncLoop } from '../common/sync-loop.ts';

export interface ControllerManagerOptions extends NodeLifecycleOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  /** Stops every loop and watch. */
  readonly signal: AbortSignal;
  /** Periodic resync of the replication and endpoints controllers, in ms. Default 5000. */
  readonly resyncMs?: number;
}

/** Runs until `signal` aborts; never rejects for apiserver trouble (it logs and retries). */
export async function runControllerManager(o: ControllerManagerOptions): Promise<void> {
  const { client, log, signal } = o;
  const resyncMs = o.resyncMs ?? 5000;
  const replication = startSyncLoop({ name: 'replication-manager', sync: (s) => syncReplicationControllers(client, log, s), resyncMs, signal, log });
  const endpoints = createEndpointsController(client, log);
  const endpointsLoop = startSyncLoop({ name: 'endpoints-controller', sync: endpoints.sync, resyncMs, signal, log });
  const nodes = createNodeLifecycle(client, log, o);
  const nodesLoop = startSyncLoop({ name: 'node-controller', sync: nodes.sync, resyncMs: o.monitorPeriodMs, coalesceMs: 0, signal, log });
  await Promise.all([
    replication.done,
    endpointsLoop.done,
    nodesLoop.done,
    runWatchTrigger(client, {
      path: '/api/v1/pods',
      onChange: () => {
        replication.trigger();
        endpointsLoop.trigger();
      },
      signal,
      log,
    }),
    runWatchTrigger(client, { path: '/api/v1/replicationcontrollers', onChange: () => replication.trigger(), signal, log }),
    runWatchTrigger(client, { path: '/api/v1/services', onChange: () => endpointsLoop.trigger(), signal, log }),
  ]);
}
