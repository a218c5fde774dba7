/**
 * What the planner sees of the DNS add-on (runbook phase 6) on one apiserver: the service's selector and cluster
 * IP, and each controller the inventory names, found by base name (`skydns` finds `skydns` or `skydns-v10`).
 * Read-only.
 */
import type { DnsSection } from '../inventory/types.ts';
import type { KubeWorkloads } from '../ports/kube.ts';
import type { ObservedDns } from './types.ts';
import { findControllers } from '../dns/controllers.ts';

export async function observeDns(workloads: KubeWorkloads, dns: Pick<DnsSection, 'namespace' | 'service' | 'controllers'>): Promise<ObservedDns> {
  const [service, rcs, deployments] = await Promise.all([
    workloads.readService(dns.namespace, dns.service),
    workloads.listControllers(dns.namespace),
    workloads.listDeployments(dns.namespace),
  ]);
  const controllers: ObservedDns['controllers'][number][] = [];
  const missing: string[] = [];
  for (const base of dns.controllers) {
    const found = findControllers(base, rcs, deployments);
    if (found.length === 0) missing.push(base);
    for (const f of found) {
      const version = f.kind === 'Deployment' ? f.object.spec?.selector?.matchLabels?.['version'] : f.object.spec?.selector?.['version'];
      controllers.push({ name: f.name, kind: f.kind, ...(version !== undefined ? { version } : {}), replicas: f.object.spec?.replicas ?? 1 });
    }
  }
  const selector = service?.spec?.selector;
  const clusterIP = service?.spec?.['clusterIP'];
  return {
    ...(service !== undefined ? { serviceSelector: { ...selector } } : {}),
    ...(typeof clusterIP === 'string' && clusterIP !== '' && clusterIP !== 'None' ? { clusterIP } : {}),
    controllers,
    missing,
  };
}
