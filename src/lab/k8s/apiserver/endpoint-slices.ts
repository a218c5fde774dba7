/**
 * A read-only discovery.k8s.io/v1 EndpointSlice view of the core Endpoints objects. Kubernetes 1.4 had no
 * EndpointSlices, but kubectl ≥ 1.2x `describe svc` reads a service's endpoints only from them
 * (`GET /apis/discovery.k8s.io/v1/namespaces/<ns>/endpointslices?labelSelector=kubernetes.io/service-name=<svc>`)
 * and would print `Endpoints: <none>` for every service. The group is not advertised in /apis, so discovery still
 * looks like 1.4; only clients that ask for the path directly see it. Building the view is pure.
 */
import { asArray, asObject, asString } from './json.ts';
import type { JsonObject, KubeObject } from './json.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function toEndpoint(raw: unknown, ready: boolean): JsonObject {
  const a = asObject(raw);
  const out: JsonObject = { addresses: [asString(a['ip']) ?? ''], conditions: { ready, serving: ready, terminating: false } };
  if (asString(a['hostname'])) out['hostname'] = a['hostname'];
  if (asString(a['nodeName'])) out['nodeName'] = a['nodeName'];
  if (a['targetRef'] !== undefined) out['targetRef'] = a['targetRef'];
  return out;
}

/** One slice per subset of `endpoints`, named `<service>-<index>`, labelled with the service name. */
export function buildEndpointSlices(endpoints: KubeObject): KubeObject[] {
  const name = endpoints.metadata.name ?? '';
  return asArray(endpoints['subsets']).map((raw, index) => {
    const subset = asObject(raw);
    return {
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: {
        name: `${name}-${index}`,
        namespace: endpoints.metadata.namespace,
        uid: endpoints.metadata.uid,
        resourceVersion: endpoints.metadata.resourceVersion,
        creationTimestamp: endpoints.metadata.creationTimestamp,
        labels: { [SERVICE_NAME_LABEL]: name, 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
      },
      addressType: 'IPv4',
      endpoints: [
        ...asArray(subset['addresses']).map((a) => toEndpoint(a, true)),
        ...asArray(subset['notReadyAddresses']).map((a) => toEndpoint(a, false)),
      ],
      // kubectl dereferences name and port without checking them: always set both.
      ports: asArray(subset['ports']).map((p) => {
        const port = asObject(p);
        return { name: asString(port['name']) ?? '', port: port['port'] ?? 0, protocol: asString(port['protocol']) ?? 'TCP' };
      }),
    };
  });
}
