/**
 * What every handler of the apiserver stand-in shares: the store, the key prefix, the service IP range, and the
 * shape of a parsed request and of a reply (rendered as JSON or as a Table by the server).
 */
import type { EtcdStore } from './etcd-store.ts';
import type { Ipv4Range } from './ip-range.ts';
import type { JsonObject, KubeObject } from './json.ts';
import type { ResourceSpec } from './resources.ts';

export interface ApiserverContext {
  readonly store: EtcdStore;
  /** etcd key prefix without a trailing slash (`/registry`). */
  readonly prefix: string;
  readonly serviceRange: Ipv4Range;
  /** Kubernetes version served (`1.4.7`). */
  readonly version: string;
  /** `<bind address>:<port>` as clients should reach this server. */
  readonly serverAddress: string;
  readonly now: () => Date;
  /** Runs `fn` alone among the callers of the same lock name (service IP allocation). */
  readonly exclusive: <T>(lock: string, fn: () => Promise<T>) => Promise<T>;
}

export interface ResourceRequest {
  readonly method: string;
  readonly spec: ResourceSpec;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  /** Parsed JSON body; undefined when there was none. */
  readonly body: unknown;
}

export type Reply =
  | { readonly code: number; readonly object: KubeObject; readonly spec: ResourceSpec }
  | { readonly code: number; readonly items: KubeObject[]; readonly revision: string; readonly spec: ResourceSpec; readonly selfLink: string }
  | { readonly code: number; readonly body: JsonObject };

/** A per-name promise chain: `exclusive('serviceips', fn)`. */
export function buildExclusive(): ApiserverContext['exclusive'] {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(lock: string, fn: () => Promise<T>): Promise<T> => {
    const previous = tails.get(lock) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(lock, tail);
    void tail.then(() => {
      if (tails.get(lock) === tail) tails.delete(lock);
    });
    return run;
  };
}
