/**
 * Which replication controllers (or Deployments) of a namespace are the cluster DNS of DomeOS's dns.yaml
 * (docs/design/domeos.md §4), pure: a controller is kube2sky or skydns by its container's image or command, so a renamed one
 * (`skydns-v10` after a rolling update) is found too; its base name is what the inventory's `dns.controllers`
 * lists (the DNS step finds controllers by base name).
 */
import { computeBaseName } from '../dns/next-version.ts';
import type { Container, Deployment, ReplicationController, Service } from '../kube/objects.ts';
import { readArgvFlag } from './argv-flags.ts';
import type { DnsControllerFacts, DnsFacts } from './types.ts';

const ROLES = ['kube2sky', 'skydns'] as const;
type Role = (typeof ROLES)[number];

function roleOf(container: Container): Role | undefined {
  const text = `${container.image ?? ''} ${(container.command ?? []).join(' ')} ${container.name ?? ''}`.toLowerCase();
  return ROLES.find((r) => text.includes(r));
}

function classify(kind: DnsControllerFacts['kind'], object: ReplicationController | Deployment): DnsControllerFacts | undefined {
  const name = object.metadata?.name;
  if (name === undefined) return undefined;
  for (const container of object.spec?.template?.spec?.containers ?? []) {
    const role = roleOf(container);
    if (role === undefined) continue;
    return { name, kind, base: computeBaseName(name), role, replicas: object.spec?.replicas ?? 1, args: [...(container.args ?? [])] };
  }
  return undefined;
}

/** The DNS controllers among `rcs` and `deployments`, kube2sky first, then by name. */
export function findDnsControllers(rcs: readonly ReplicationController[], deployments: readonly Deployment[]): DnsControllerFacts[] {
  const found = [
    ...rcs.map((rc) => classify('ReplicationController', rc)),
    ...deployments.map((d) => classify('Deployment', d)),
  ].filter((c): c is DnsControllerFacts => c !== undefined);
  return found.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.name.localeCompare(b.name));
}

/** The base names for `dns.controllers`, each once, in order. */
export function listControllerBases(controllers: readonly DnsControllerFacts[]): string[] {
  return [...new Set(controllers.map((c) => c.base))];
}

export function buildDnsFacts(namespace: string, service: Service | undefined, controllers: readonly DnsControllerFacts[]): DnsFacts {
  const domainOf = (role: Role): string | undefined => {
    for (const c of controllers) {
      const d = c.role === role ? readArgvFlag(c.args, 'domain') : undefined;
      if (d !== undefined && d !== '') return d.replace(/\.$/, '');
    }
    return undefined;
  };
  const domain = domainOf('skydns') ?? domainOf('kube2sky');
  const clusterIP = service?.spec?.['clusterIP'];
  return {
    namespace,
    ...(service?.metadata?.name !== undefined ? { service: service.metadata.name } : {}),
    ...(typeof clusterIP === 'string' && clusterIP !== '' && clusterIP !== 'None' ? { clusterIP } : {}),
    controllers,
    ...(domain !== undefined ? { domain } : {}),
  };
}
