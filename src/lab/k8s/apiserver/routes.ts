/**
 * Which handler a request path goes to. Pure. Resource paths are the core/v1 ones:
 * `/api/v1/<resource>[/<name>[/<sub>]]`, `/api/v1/namespaces/<ns>/<resource>[/<name>[/<sub>]]`, and the legacy
 * `/api/v1/watch/...` form of each.
 */
import { findResource } from './resources.ts';

export type Route =
  | { readonly kind: 'version' }
  | { readonly kind: 'health'; readonly check: string | undefined }
  | { readonly kind: 'api' }
  | { readonly kind: 'apis' }
  | { readonly kind: 'apiV1' }
  | {
      readonly kind: 'resource';
      readonly resource: string;
      readonly namespace: string | undefined;
      readonly name: string | undefined;
      readonly subresource: string | undefined;
      /** The legacy `/api/v1/watch/` prefix was used. */
      readonly watchPath: boolean;
    }
  | { readonly kind: 'endpointSlices'; readonly namespace: string | undefined; readonly name: string | undefined }
  | { readonly kind: 'notFound' };

export function parseRoute(pathname: string): Route {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return { kind: 'notFound' };
  }
  const [first, second, ...rest] = segments;
  if (first === 'version' && second === undefined) return { kind: 'version' };
  if ((first === 'healthz' || first === 'livez' || first === 'readyz') && rest.length === 0) return { kind: 'health', check: second };
  if (first === 'api' && second === undefined) return { kind: 'api' };
  if (first === 'apis' && second === undefined) return { kind: 'apis' };
  if (first === 'apis' && second === 'discovery.k8s.io' && rest[0] === 'v1') return parseEndpointSliceRoute(rest.slice(1));
  if (first !== 'api' || second !== 'v1') return { kind: 'notFound' };
  if (rest.length === 0) return { kind: 'apiV1' };
  const watchPath = rest[0] === 'watch';
  const parts = watchPath ? rest.slice(1) : rest;
  const [a, b, c, d, e, ...more] = parts;
  if (a === undefined) return { kind: 'notFound' };
  // namespaces/<ns>/<namespaced resource>/...; anything else under namespaces/ is the namespace itself.
  if (a === 'namespaces' && b !== undefined && c !== undefined && findResource(c)?.namespaced === true) {
    if (more.length > 0) return { kind: 'notFound' };
    return { kind: 'resource', resource: c, namespace: b, name: d, subresource: e, watchPath };
  }
  if (d !== undefined) return { kind: 'notFound' };
  return { kind: 'resource', resource: a, namespace: undefined, name: b, subresource: c, watchPath };
}

/** `endpointslices[/<name>]` or `namespaces/<ns>/endpointslices[/<name>]` below /apis/discovery.k8s.io/v1. */
function parseEndpointSliceRoute(parts: readonly string[]): Route {
  const [a, b, c, d, ...more] = parts;
  if (a === 'endpointslices' && c === undefined) return { kind: 'endpointSlices', namespace: undefined, name: b };
  if (a === 'namespaces' && b !== undefined && c === 'endpointslices' && more.length === 0) return { kind: 'endpointSlices', namespace: b, name: d };
  return { kind: 'notFound' };
}
