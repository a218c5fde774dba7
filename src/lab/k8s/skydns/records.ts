/**
 * The records under a key (pure), as skydns's etcd backend loops over the nodes of a recursive get: every value
 * at or below the key is a `msg.Service`; directories are walked; a value that is not a service fails the whole
 * lookup (skydns answers SERVFAIL then).
 */
import type { StoredService } from './answer.ts';
import type { EtcdV2Node } from '../common/etcd-v2.ts';
import { parseSkydnsService } from './msg.ts';

export type CollectResult = { readonly ok: true; readonly services: StoredService[] } | { readonly ok: false; readonly message: string };

export function collectStoredServices(node: EtcdV2Node): CollectResult {
  const services: StoredService[] = [];
  const stack: EtcdV2Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as EtcdV2Node;
    if (n.dir === true) {
      // Walk children in key order so that answers do not depend on etcd's listing order.
      const children = [...(n.nodes ?? [])].sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      stack.push(...children);
      continue;
    }
    if (n.value === undefined) continue;
    const parsed = parseSkydnsService(n.value);
    if (!parsed.ok) return { ok: false, message: `${n.key}: ${parsed.message}` };
    services.push({ key: n.key, service: parsed.service });
  }
  return { ok: true, services };
}
