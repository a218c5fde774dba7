/**
 * The endpoints controller's decision, pure: the subsets of a service's Endpoints, from the pods its selector
 * matches (kubernetes 1.4 pkg/controller/endpoint + RepackSubsets):
 * - a pod counts when it is in the service's namespace, matches spec.selector, has a podIP, is not being deleted
 *   and has not finished;
 * - each service port's targetPort is resolved by number, or by the name of one of the pod's containerPorts with
 *   the same protocol (a pod without that named port is left out of that port);
 * - Ready pods (or all, with the tolerate-unready annotation) go to `addresses`, the others to
 *   `notReadyAddresses`; addresses with the same set of ports share a subset.
 * The address's targetRef carries no resourceVersion, so pod status updates alone do not rewrite the endpoints.
 */
import { isPodReady, matchesSelector, type EndpointAddress, type EndpointPort, type EndpointSubset, type Pod, type Service, type ServicePort } from '../common/objects.ts';

export const TOLERATE_UNREADY_ANNOTATION = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

/** The port a service port reaches on `pod`, or undefined when the pod has no such named port. */
export function resolveTargetPort(servicePort: ServicePort, pod: Pod): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec.containers ?? []) {
    for (const p of container.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

export function computeEndpointSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const selector = service.spec.selector;
  const namespace = service.metadata.namespace ?? 'default';
  const tolerateUnready = service.metadata.annotations?.[TOLERATE_UNREADY_ANNOTATION] === 'true';
  const groups = new Map<string, { ports: EndpointPort[]; addresses: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if ((pod.metadata.namespace ?? 'default') !== namespace || !matchesSelector(pod.metadata.labels, selector)) continue;
    if (ip === undefined || ip === '' || pod.metadata.deletionTimestamp !== undefined || phase === 'Succeeded' || phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    for (const sp of service.spec.ports ?? []) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      ports.push({ ...(sp.name === undefined || sp.name === '' ? {} : { name: sp.name }), port, protocol: sp.protocol ?? 'TCP' });
    }
    if (ports.length === 0) continue;
    ports.sort(comparePorts);
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, addresses: [], notReady: [] };
    groups.set(key, group);
    const address: EndpointAddress = {
      ip,
      ...(pod.spec.nodeName === undefined || pod.spec.nodeName === '' ? {} : { nodeName: pod.spec.nodeName }),
      targetRef: { kind: 'Pod', namespace, name: pod.metadata.name ?? '', ...(pod.metadata.uid === undefined ? {} : { uid: pod.metadata.uid }) },
    };
    (tolerateUnready || isPodReady(pod) ? group.addresses : group.notReady).push(address);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.addresses.length === 0 ? {} : { addresses: g.addresses.sort(compareAddresses) }),
      ...(g.notReady.length === 0 ? {} : { notReadyAddresses: g.notReady.sort(compareAddresses) }),
      ports: g.ports,
    }));
}

/**
 * Whether `existing` subsets say the same as `desired` (order and the targetRef's resourceVersion aside), so the
 * controller writes only on a change.
 */
export function isSameSubsets(existing: readonly EndpointSubset[] | undefined, desired: readonly EndpointSubset[]): boolean {
  return JSON.stringify(normalizeSubsets(existing ?? [])) === JSON.stringify(normalizeSubsets(desired));
}

function normalizeSubsets(subsets: readonly EndpointSubset[]): unknown {
  const addr = (a: EndpointAddress): unknown => [a.ip, a.nodeName ?? '', a.targetRef?.kind ?? '', a.targetRef?.namespace ?? '', a.targetRef?.name ?? '', a.targetRef?.uid ?? ''];
  return subsets
    .map((s) => ({
      a: (s.addresses ?? []).map(addr).map((x) => JSON.stringify(x)).sort(),
      n: (s.notReadyAddresses ?? []).map(addr).map((x) => JSON.stringify(x)).sort(),
      p: (s.ports ?? []).map((p) => JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP'])).sort(),
    }))
    .filter((s) => s.a.length > 0 || s.n.length > 0)
    .map((s) => JSON.stringify(s))
    .sort();
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? '');
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip.localeCompare(b.ip) || (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');
}
