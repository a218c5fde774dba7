/**
 * The lab's kube-proxy (Kubernetes 1.4 flags, docs/design/domeos.md §2.2): lists and watches the services and endpoints of
 * the apiserver given by --master (or --kubeconfig), keeps retrying every ~2 s while it does not answer, and hands
 * the resulting service table to its proxier, which makes the service cluster IPs answer on this machine
 * (listener-proxier.ts). Runs as an agent in a node runtime, or alone when
 * lab-bin/kube-proxy is executed (main.ts).
 */
import { once } from 'node:events';
import type { AgentMain } from '../../node-runtime/agent.ts';
import { readApiserverTarget } from '../../node-runtime/apiserver-target.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { objectKey, type CollectionListener, type KubeObjectLike } from '../../node-runtime/shared-watch.ts';
import { startKubeAgent } from '../common/program.ts';
import { parseKubeProxyFlags } from './flags.ts';
import { createListenerProxier } from './listener-proxier.ts';
import { buildServiceTable, type EndpointsObject, type ServiceObject } from './service-table.ts';

/** iptables-min-sync-period's spirit: changes arriving together are synced once. */
const SYNC_DEBOUNCE_MS = 1_000;

function mirror<T extends KubeObjectLike>(items: Map<string, T>, changed: () => void, onError: (e: string | undefined) => void): CollectionListener<T> {
  return {
    onSync(list) {
      items.clear();
      for (const item of list) items.set(objectKey(item), item);
      changed();
    },
    onEvent(type, item) {
      if (type === 'DELETED') items.delete(objectKey(item));
      else items.set(objectKey(item), item);
      changed();
    },
    onConnection: onError,
  };
}

const HELP = 'The Kubernetes network proxy runs on each node (lab stand-in).\n\nUsage:\n  kube-proxy [flags]\n';

export const runKubeProxy: AgentMain = async (ctx, signal) => {
  const start = startKubeAgent(ctx, 'kube-proxy', parseKubeProxyFlags(ctx.argv.slice(1)), HELP);
  if (typeof start === 'number') return start;
  const { config, version } = start;
  ctx.log.info(`Kubernetes v${version} kube-proxy (lab) starting; proxy mode ${config.proxyMode === '' ? 'iptables' : config.proxyMode}, masquerade-all ${config.masqueradeAll}`);
  const choice = await readApiserverTarget(ctx.root, {
    ...(config.master !== undefined ? { server: config.master } : {}),
    ...(config.kubeconfig !== undefined ? { kubeconfig: config.kubeconfig } : {}),
  });
  if (choice.warning !== undefined) ctx.log.warn(choice.warning);
  if (choice.target === undefined) {
    ctx.log.warn('Neither --kubeconfig nor --master was specified. Using default API client. This might not work.');
    if (!signal.aborted) await once(signal, 'abort');
    return 0;
  }
  const target = choice.target;
  const proxier = createListenerProxier(ctx.log, ctx.shared);
  const services = new Map<string, ServiceObject & KubeObjectLike>();
  const endpoints = new Map<string, EndpointsObject & KubeObjectLike>();
  let timer: NodeJS.Timeout | undefined;
  const changed = (): void => {
    timer ??= setTimeout(() => {
      timer = undefined;
      proxier.sync(buildServiceTable([...services.values()], [...endpoints.values()]));
    }, SYNC_DEBOUNCE_MS);
  };
  const failures = new RepeatedLog((m) => ctx.log.error(m));
  const onError = (kind: string) => (error: string | undefined): void => {
    if (error === undefined) {
      if (failures.reset() > 0) ctx.log.info(`Listing ${kind} from ${target.base} works again`);
    } else failures.log(`Failed to list *api.${kind}: ${error}`);
  };
  const stops = [
    ctx.shared.watchCollection(target, '/api/v1/services', mirror(services, changed, onError('Service'))),
    ctx.shared.watchCollection(target, '/api/v1/endpoints', mirror(endpoints, changed, onError('Endpoints'))),
  ];
  ctx.log.info(`Watching services and endpoints on ${target.base}`);
  try {
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    for (const stop of stops) stop();
    proxier.close();
  }
  return 0;
};
