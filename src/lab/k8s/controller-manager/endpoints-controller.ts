/**
 * The endpoints controller: for every service with a selector, keeps an Endpoints object of the same name listing
 * the matching pods' IPs and the service's ports (computeEndpointSubsets). Services without a selector keep
 * whatever endpoints their owner writes (the apiserver's `kubernetes` service, hand-made endpoints). When a
 * service this controller managed disappears, its endpoints go too. Woken by watches on services and pods
 * (controller-manager.ts).
 */
import { isConflict, isNotFound, type KubeClient } from '../client.ts';
import { computeEndpointSubsets, isSameSubsets } from './endpoints-plan.ts';
import type { Logger } from '../common/log.ts';
import { keyOf, objectPath, type Endpoints, type Pod, type Service } from '../common/objects.ts';

export function createEndpointsController(client: KubeClient, log: Logger): { sync(signal: AbortSignal): Promise<void> } {
  /** Services (ns/name) whose endpoints this process wrote: only theirs are deleted with the service. */
  const managed = new Set<string>();

  async function sync(signal: AbortSignal): Promise<void> {
    const services = await client.list<Service>('/api/v1/services', { signal });
    const pods = await client.list<Pod>('/api/v1/pods', { signal });
    const endpoints = await client.list<Endpoints>('/api/v1/endpoints', { signal });
    const existing = new Map(endpoints.items.map((e) => [keyOf(e), e]));
    const present = new Set<string>();
    let firstError: unknown;
    for (const service of services.items) {
      const key = keyOf(service);
      present.add(key);
      if (Object.keys(service.spec.selector ?? {}).length === 0 || service.metadata.deletionTimestamp !== undefined) continue;
      try {
        await writeEndpoints(client, log, service, computeEndpointSubsets(service, pods.items), existing.get(key), signal);
        managed.add(key);
        log.recovered(`endpoints ${key}`);
      } catch (err) {
        if (signal.aborted) return;
        log.problem(`endpoints ${key}`, err);
        firstError ??= err;
      }
    }
    for (const key of [...managed]) {
      if (present.has(key)) continue;
      managed.delete(key);
      const gone = existing.get(key);
      if (gone === undefined) continue;
      await client.delete(objectPath('endpoints', gone.metadata.namespace, gone.metadata.name), { signal }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      log.action(`deleted endpoints ${key} (service gone)`);
    }
    if (firstError !== undefined) throw firstError;
  }
  return { sync };
}

async function writeEndpoints(
  client: KubeClient,
  log: Logger,
  service: Service,
  subsets: ReturnType<typeof computeEndpointSubsets>,
  current: Endpoints | undefined,
  signal: AbortSignal,
): Promise<void> {
  const key = keyOf(service);
  const labels = service.metadata.labels ?? {};
  if (current !== undefined && isSameSubsets(current.subsets, subsets) && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels)) return;
  const ns = service.metadata.namespace ?? 'default';
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  const summary = `endpoints ${key}: ${ready} ready, ${notReady} not ready`;
  if (current === undefined) {
    const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: service.metadata.name ?? '', namespace: ns, labels }, subsets };
    try {
      await client.create(`/api/v1/namespaces/${encodeURIComponent(ns)}/endpoints`, body, signal);
    } catch (err) {
      if (isConflict(err)) return; // AlreadyExists: written since the list; the next sync compares again
      throw err;
    }
    log.action(`created ${summary}`);
    return;
  }
  const body: Endpoints = { ...current, apiVersion: 'v1', kind: 'Endpoints', metadata: { ...current.metadata, labels }, subsets };
  try {
    await client.replace(objectPath('endpoints', ns, service.metadata.name), body, signal);
  } catch (err) {
    if (isConflict(err) || isNotFound(err)) return; // changed or removed since the list: the next sync sees it
    throw err;
  }
  log.action(`updated ${summary}`);
}
