/**
 * Reading the apiserver for discovery: that it answers, its version, the nodes (name and InternalIP), and the
 * cluster DNS of DomeOS's dns.yaml — looked for in `default` (where dns.yaml puts it) and then `kube-system`.
 */
import { FerryError, messageOf } from '../errors.ts';
import type { Service } from '../kube/objects.ts';
import type { KubeApi } from '../ports/kube.ts';
import type { NodeView } from '../kube/objects.ts';
import type { KubeWorkloads } from '../ports/kube.ts';
import { withTimeout } from './bounded.ts';
import { buildDnsFacts, findDnsControllers } from './dns-facts.ts';
import type { DnsFacts } from './types.ts';

const KUBE_TIMEOUT_MS = 30_000;
const DNS_NAMESPACES = ['default', 'kube-system'] as const;
/** dns.yaml's service name first, then the name later Kubernetes add-ons use. */
const DNS_SERVICES = ['skydns-svc', 'kube-dns'] as const;

export interface ApiserverRead {
  readonly version?: string;
  readonly nodes: NodeView[];
}

/** Throws DISCOVER_APISERVER_UNREACHABLE when /healthz does not answer `ok`; `apiserverState` is the unit's state. */
export async function readApiserver(kube: KubeApi, apiserverState: string | undefined): Promise<ApiserverRead> {
  const subjects = { apiserver: kube.url };
  if (!(await kube.healthz(5_000))) {
    throw new FerryError('DISCOVER_APISERVER_UNREACHABLE', `the apiserver ${kube.url} does not answer /healthz${apiserverState !== undefined ? ` (kube-apiserver is ${apiserverState} on the master)` : ''}`, {
      retryable: true,
      subjects,
      hint: 'start kube-apiserver on the master, or pass --apiserver URL if it listens elsewhere (curl URL/healthz must print ok)',
    });
  }
  let version: string | undefined;
  try {
    version = await withTimeout(`GET ${kube.url}/version`, KUBE_TIMEOUT_MS, subjects, () => kube.version());
  } catch {
    version = undefined; // the binary's --version is the one the migration compares; this is a cross-check only
  }
  const nodes = await withTimeout(`listing the nodes of ${kube.url}`, KUBE_TIMEOUT_MS, subjects, () => kube.listNodes());
  return { ...(version !== undefined ? { version } : {}), nodes };
}

async function readFirstService(workloads: KubeWorkloads, namespace: string): Promise<Service | undefined> {
  for (const name of DNS_SERVICES) {
    const s = await workloads.readService(namespace, name);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** The DNS add-on, or undefined when neither namespace has a DNS controller or service. */
export async function readDnsFacts(workloads: KubeWorkloads): Promise<DnsFacts | undefined> {
  const subjects = { apiserver: workloads.url };
  return withTimeout(`reading the DNS add-on on ${workloads.url}`, KUBE_TIMEOUT_MS, subjects, async () => {
    for (const namespace of DNS_NAMESPACES) {
      const [rcs, deployments, service] = await Promise.all([
        workloads.listControllers(namespace),
        workloads.listDeployments(namespace),
        readFirstService(workloads, namespace),
      ]).catch((err: unknown) => {
        throw new FerryError('DISCOVER_KUBE_READ_FAILED', `cannot read the DNS add-on in namespace ${namespace} on ${workloads.url}: ${messageOf(err)}`, {
          retryable: true,
          subjects,
          hint: 'check the apiserver (kubectl -s URL get rc,svc -n NAMESPACE), then run ferry discover again',
          cause: err,
        });
      });
      const controllers = findDnsControllers(rcs, deployments);
      if (controllers.length > 0 || service !== undefined) return buildDnsFacts(namespace, service, controllers);
    }
    return undefined;
  });
}
