/**
 * The add-ons in the demo's picture: whether DNS answers through its service (a real query, and the answer it should
 * give: the `kubernetes` service's cluster IP), which DNS controllers run with how many Ready pods, and the console's
 * cluster record and watcher. Each part reads on its own and says why when it cannot.
 */
import { messageOf } from '../errors.ts';
import { computeBaseName } from '../dns/next-version.ts';
import type { DnsSection, DomeosSection } from '../inventory/types.ts';
import type { ClusterPicture } from './types.ts';
import type { Deps } from '../ports/deps.ts';

const QUERY_TIMEOUT_MS = 3000;

export async function readDnsPicture(deps: Deps, apiserver: string, dns: DnsSection): Promise<ClusterPicture['dns']> {
  const name = `kubernetes.default.svc.${dns.domain}`;
  const w = deps.workloads(apiserver);
  try {
    const svc = await w.readService(dns.namespace, dns.service);
    if (svc === undefined) return { name, error: `no service ${dns.namespace}/${dns.service}`, controllers: [] };
    const server = typeof svc.spec?.['clusterIP'] === 'string' ? (svc.spec['clusterIP'] as string) : undefined;
    const kubernetes = await w.readService('default', 'kubernetes');
    const expected = typeof kubernetes?.spec?.['clusterIP'] === 'string' ? (kubernetes.spec['clusterIP'] as string) : undefined;
    const wanted = new Set(dns.controllers.map(computeBaseName));
    const controllers: string[] = [];
    for (const rc of await w.listControllers(dns.namespace)) {
      const rcName = rc.metadata?.name ?? '';
      if (!wanted.has(computeBaseName(rcName))) continue;
      const pods = await w.listPods(dns.namespace, rc.spec?.selector ?? {});
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true).length;
      controllers.push(`${rcName} (${ready}/${rc.spec?.replicas ?? 0} ready)`);
    }
    let answer: string[] | undefined;
    let error: string | undefined;
    if (server === undefined) error = `${dns.service} has no cluster IP`;
    else {
      try {
        answer = await deps.resolveA(server, name, QUERY_TIMEOUT_MS);
      } catch (err) {
        error = messageOf(err);
      }
    }
    return { ...(server !== undefined ? { server } : {}), name, ...(answer !== undefined ? { answer } : {}), ...(expected !== undefined ? { expected } : {}), ...(error !== undefined ? { error } : {}), controllers: controllers.sort() };
  } catch (err) {
    return { name, error: messageOf(err), controllers: [] };
  }
}

export async function readConsolePicture(deps: Deps, domeos: DomeosSection): Promise<ClusterPicture['console']> {
  try {
    const api = deps.console(domeos.url);
    if (!(await api.health())) return { error: `${domeos.url} does not answer /health` };
    const session = await api.login(domeos.credentialsFile !== undefined ? { credentialsFile: domeos.credentialsFile } : {});
    const cluster = await session.readCluster(domeos.cluster);
    const watcher = await session.readWatcher(cluster.id);
    return { api: cluster.api, etcd: cluster.etcd, watcher: watcher === undefined ? 'none' : `${watcher.state} (deployment ${watcher.name})` };
  } catch (err) {
    return { error: messageOf(err) };
  }
}
