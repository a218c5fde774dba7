/**
 * Cluster IPs of services, from --service-cluster-ip-range. The caller holds the `serviceips` lock from choosing an
 * address until the service is stored, so two creates cannot pick the same one; the set of used addresses is read
 * from the stored services themselves (a deleted service frees its address).
 */
import type { ApiserverContext } from './context.ts';
import { computeNextServiceIp, isAllocatable } from './ip-range.ts';
import { asObject, asString } from './json.ts';
import type { KubeObject } from './json.ts';
import { buildCollectionKey, findResource } from './resources.ts';
import { internalError, invalid } from './status.ts';

async function readUsedClusterIPs(ctx: ApiserverContext): Promise<Set<string>> {
  const spec = findResource('services');
  if (spec === undefined) return new Set();
  const { items } = await ctx.store.list(buildCollectionKey(ctx.prefix, spec));
  const used = new Set<string>();
  for (const svc of items) {
    const ip = asString(asObject(svc['spec'])['clusterIP']);
    if (ip !== undefined && ip !== '' && ip !== 'None') used.add(ip);
  }
  return used;
}

/** `svc` with spec.clusterIP set: the given one if valid and free (422 otherwise), else the lowest free one. */
export async function allocateClusterIP(ctx: ApiserverContext, svc: KubeObject): Promise<KubeObject> {
  const spec = { ...asObject(svc['spec']) };
  const name = svc.metadata.name ?? '';
  const given = asString(spec['clusterIP']) ?? '';
  if (spec['type'] === 'ExternalName' || given === 'None') return svc;
  const used = await readUsedClusterIPs(ctx);
  if (given !== '') {
    if (!isAllocatable(ctx.serviceRange, given)) {
      throw invalid('Service', name, [{ field: 'spec.clusterIP', message: `Invalid value: "${given}": provided IP is not in the valid range. The range of valid IPs is ${ctx.serviceRange.cidr}` }]);
    }
    if (used.has(given)) {
      throw invalid('Service', name, [{ field: 'spec.clusterIP', message: `Invalid value: "${given}": provided IP is already allocated` }]);
    }
    return svc;
  }
  const ip = computeNextServiceIp(ctx.serviceRange, used);
  if (ip === undefined) throw internalError(`failed to allocate a serviceIP: range ${ctx.serviceRange.cidr} is full`);
  spec['clusterIP'] = ip;
  return { ...svc, spec };
}
