/**
 * kube-proxy's view of the cluster's services (pure): each service's cluster IP and ports joined with the
 * addresses of its endpoints, as the proxier needs them to program its rules (the lab's opens listeners on the
 * cluster IPs: listener-plan.ts).
 */

export interface ServicePortEntry {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
}

export interface ServiceEntry {
  /** `namespace/name`. */
  readonly key: string;
  readonly clusterIP: string;
  readonly ports: readonly ServicePortEntry[];
  /** `ip:port` of every ready endpoint, per service port name. */
  readonly endpoints: Readonly<Record<string, readonly string[]>>;
}

export interface ServiceObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { clusterIP?: string; ports?: { name?: string; protocol?: string; port?: number }[] };
}

export interface EndpointsObject {
  metadata?: { name?: string; namespace?: string };
  subsets?: { addresses?: { ip?: string }[]; ports?: { name?: string; port?: number }[] }[];
}

function keyOf(o: { metadata?: { name?: string; namespace?: string } }): string {
  return `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
}

/** Services with a cluster IP (headless ones and `None` are not proxied), joined with their endpoints. */
export function buildServiceTable(services: readonly ServiceObject[], endpoints: readonly EndpointsObject[]): ServiceEntry[] {
  const endpointsByKey = new Map(endpoints.map((e) => [keyOf(e), e]));
  const out: ServiceEntry[] = [];
  for (const svc of services) {
    const clusterIP = svc.spec?.clusterIP ?? '';
    if (clusterIP === '' || clusterIP === 'None') continue;
    const key = keyOf(svc);
    const byPort: Record<string, string[]> = {};
    for (const subset of endpointsByKey.get(key)?.subsets ?? []) {
      for (const p of subset.ports ?? []) {
        const list = (byPort[p.name ?? ''] ??= []);
        for (const a of subset.addresses ?? []) if (a.ip !== undefined && p.port !== undefined) list.push(`${a.ip}:${p.port}`);
      }
    }
    out.push({
      key,
      clusterIP,
      ports: (svc.spec?.ports ?? []).filter((p) => p.port !== undefined).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port as number })),
      endpoints: byPort,
    });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}
