/**
 * The lab's kube2sky (the `pub.domeos.org/domeos/kube2sky:0.4` / `:0.8` container, docs/design/domeos.md §4): waits for
 * etcd, lists and watches the services of the apiserver at `--kube_master_url` (or `--kubecfg_file`'s), and keeps
 * skydns's records for them in etcd's v2 API (records.ts, sync.ts). Like kube2sky.go it logs with glog, exits 2
 * on a bad flag, and dies with glog.Fatalf (exit 255) when etcd does not answer within a minute at start, when
 * no apiserver is configured, or when one etcd mutation keeps failing for `--etcd_mutation_timeout`; the pod's
 * restart policy brings it back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../../errors.ts';
import { writeFlagError, type AgentContext, type AgentMain } from '../../node-runtime/agent.ts';
import { normalizeServerURL, readApiserverTarget } from '../../node-runtime/apiserver-target.ts';
import type { HttpTarget } from '../../node-runtime/http-client.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import type { KubeObjectLike } from '../../node-runtime/shared-watch.ts';
import { EtcdV2Client } from '../common/etcd-v2.ts';
import { parseKube2skyFlags, parseKubeMasterURL, type Kube2skyConfig } from './flags.ts';
import { buildKube2skyPathPrefix, normalizeKube2skyDomain, type ServiceLike } from './records.ts';
import { ServiceDnsSync } from './sync.ts';

/** glog.Fatalf's exit status. */
export const FATAL_EXIT_CODE = 255;
/** kube2sky 0.4's newEtcdClient: 12 attempts, 5 s apart. */
export const ETCD_CONNECT_ATTEMPTS = 12;
export const ETCD_CONNECT_INTERVAL_MS = 5_000;

class Fatal extends Error {}

async function waitForEtcd(ctx: AgentContext, etcd: EtcdV2Client, signal: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await etcd.version(signal);
      ctx.log.info(`Etcd server found: ${etcd.endpoints.join(',')}`);
      return;
    } catch (err) {
      if (signal.aborted) return;
      if (attempt >= ETCD_CONNECT_ATTEMPTS) throw new Fatal(`Failed to create etcd client: failed to connect to etcd server: ${etcd.endpoints.join(',')}, error: ${messageOf(err)}`);
      ctx.log.info(`[Attempt: ${attempt}] Attempting access to etcd after 5 second sleep`);
      await sleep(ETCD_CONNECT_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** newKubeClient: the master URL (env-expanded) and/or the kubecfg file; basic auth from the flags. */
async function readKubeTarget(ctx: AgentContext, config: Kube2skyConfig): Promise<HttpTarget> {
  let server: string | undefined;
  if (config.kubeMasterURL !== undefined) {
    const parsed = parseKubeMasterURL(config.kubeMasterURL, ctx.env);
    if (!parsed.ok) throw new Fatal(`Failed to create a kubernetes client: ${parsed.message}`);
    server = parsed.url;
  }
  const choice = await readApiserverTarget(ctx.root, { ...(server !== undefined ? { server } : {}), ...(config.kubecfgFile !== undefined ? { kubeconfig: config.kubecfgFile } : {}) });
  if (choice.warning !== undefined) throw new Fatal(`Failed to create a kubernetes client: ${choice.warning}`);
  if (choice.target === undefined) {
    throw new Fatal('Failed to create a kubernetes client: unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  }
  const target = choice.target;
  const basic = config.kubeUsername !== undefined && config.kubePassword !== undefined ? { username: config.kubeUsername, password: config.kubePassword } : undefined;
  return {
    ...target,
    ...(basic !== undefined ? { auth: basic } : {}),
    ...(config.kubeInsecureCert || target.insecureSkipTlsVerify === true ? { insecureSkipTlsVerify: true } : {}),
  };
}

export const runKube2sky: AgentMain = async (ctx, signal) => {
  const program = ctx.argv[0] ?? 'kube2sky';
  const parsed = parseKube2skyFlags(ctx.argv.slice(1));
  if (!parsed.ok) return writeFlagError(ctx, program, parsed.message);
  const config = parsed.config;
  if (config.help) {
    ctx.stderr(`Usage of ${program}:\n  --domain, --etcd-server, --etcd_servers, --etcd_prefix, --kube_master_url, --kubecfg_file (lab stand-in)\n`);
    return 0;
  }
  const domain = normalizeKube2skyDomain(config.domain);
  const pathPrefix = buildKube2skyPathPrefix(config.etcdPrefix);
  const etcd = new EtcdV2Client(config.etcdServers.map((s) => ctx.shared.client({ base: normalizeServerURL(s) })));
  let target: HttpTarget;
  try {
    await waitForEtcd(ctx, etcd, signal);
    if (signal.aborted) return 0;
    target = await readKubeTarget(ctx, config);
  } catch (err) {
    if (signal.aborted) return 0;
    ctx.log.error(messageOf(err));
    return FATAL_EXIT_CODE;
  }
  ctx.log.info(`Using ${target.base} for kubernetes master`);
  ctx.log.info('Using kubernetes API v1');
  ctx.log.info(`Writing records for domain ${domain} under /${pathPrefix} in etcd ${etcd.endpoints.join(',')}`);

  let fatal: string | undefined;
  const died = new AbortController();
  const sync = new ServiceDnsSync({
    etcd,
    domain,
    pathPrefix,
    mutationTimeoutMs: config.mutationTimeoutMs,
    log: ctx.log,
    signal: AbortSignal.any([signal, died.signal]),
    onFatal: (message) => {
      fatal = message;
      died.abort();
    },
  });
  const listFailures = new RepeatedLog((m) => ctx.log.error(m));
  const stop = ctx.shared.watchCollection<ServiceLike & KubeObjectLike>(target, '/api/v1/services', {
    onSync: (items) => sync.onSync(items),
    onEvent: (type, item) => sync.onEvent(type, item),
    onConnection: (error) => {
      if (error === undefined) {
        if (listFailures.reset() > 0) ctx.log.info(`Listing services from ${target.base} works again`);
      } else listFailures.log(`Failed to list *api.Service: ${error}`);
    },
  });
  try {
    const both = AbortSignal.any([signal, died.signal]);
    if (!both.aborted) await new Promise<void>((resolve) => both.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    stop();
  }
  if (fatal !== undefined && !signal.aborted) {
    ctx.log.error(fatal);
    return FATAL_EXIT_CODE;
  }
  ctx.log.info(`Received signal ${signal.reason === 'SIGTERM' ? 'terminated' : String(signal.reason)}`);
  return 0;
};
