/**
 * The lab's kubelet (Kubernetes 1.4 flags, docs/design/domeos.md §2.2): registers its node with the apiserver it is given,
 * heartbeats the node's status, and runs the pods bound to it. Runs as an agent in a node runtime, or alone when
 * lab-bin/kubelet is executed (main.ts). The containers it starts belong to the node (containers.ts): they keep
 * running when the kubelet stops, and the next kubelet of the host adopts them.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import type { AgentMain } from '../../node-runtime/agent.ts';
import { readApiserverTarget } from '../../node-runtime/apiserver-target.ts';
import { resolveHostPath } from '../../node-runtime/host-paths.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { startKubeAgent } from '../common/program.ts';
import { SUBNET_FILE } from '../flanneld/subnet-file.ts';
import { CONTAINER_MAINS } from './container-programs.ts';
import { HostContainers } from './containers.ts';
import { parseKubeletFlags } from './flags.ts';
import { NodeStatusSync } from './node-sync.ts';
import { PodRunner } from './pod-runner.ts';
import type { PodLike } from './pods.ts';

async function waitForAbort(signal: AbortSignal): Promise<void> {
  if (!signal.aborted) await once(signal, 'abort');
}

const HELP = 'The kubelet is the primary "node agent" that runs on each node (lab stand-in).\n\nUsage:\n  kubelet [flags]\n';

export const runKubelet: AgentMain = async (ctx, signal) => {
  const start = startKubeAgent(ctx, 'kubelet', parseKubeletFlags(ctx.argv.slice(1)), HELP);
  if (typeof start === 'number') return start;
  const { config, version } = start;
  const nodeName = (config.hostnameOverride ?? ctx.hostAddress).trim().toLowerCase();
  ctx.log.info(`Kubernetes v${version} kubelet (lab) starting; node name ${nodeName}`);
  await mkdir(resolveHostPath(ctx.root, config.rootDir), { recursive: true }).catch((err: unknown) => ctx.log.warn(`cannot create --root-dir ${config.rootDir}: ${String(err)}`));

  if (config.apiServers.length > 1) ctx.log.info('Multiple api servers specified.  Picking first one');
  const choice = await readApiserverTarget(ctx.root, {
    ...(config.apiServers[0] !== undefined ? { server: config.apiServers[0] } : {}),
    ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}),
  });
  if (choice.warning !== undefined) ctx.log.warn(choice.warning);
  if (choice.target === undefined) {
    ctx.log.info('No api server defined - no node status update will be sent.');
    await waitForAbort(signal);
    return 0;
  }
  const client = ctx.shared.client(choice.target);
  ctx.log.info(`Connecting to API server ${choice.target.base}`);

  const sync = new NodeStatusSync({
    client,
    facts: { name: nodeName, address: ctx.hostAddress, maxPods: config.maxPods, version, bootID: randomUUID() },
    frequencyMs: config.nodeStatusUpdateFrequencyMs,
    log: ctx.log,
  });
  const containers = HostContainers.forHost(ctx.shared, ctx.root, CONTAINER_MAINS);
  const pods = new PodRunner({ client, nodeName, hostAddress: ctx.hostAddress, subnetFile: resolveHostPath(ctx.root, SUBNET_FILE), log: ctx.log, containers }, signal);
  const listFailures = new RepeatedLog((m) => ctx.log.error(m));
  const unsubscribe = ctx.shared.watchCollection<PodLike>(choice.target, '/api/v1/pods', {
    onSync: (items) => pods.onSync(items),
    onEvent: (type, pod) => pods.onEvent(type, pod),
    onConnection: (error) => (error === undefined ? listFailures.reset() : listFailures.log(`Failed to list *api.Pod: ${error}`)),
  });
  try {
    await sync.run(signal);
  } finally {
    unsubscribe();
  }
  return 0;
};
