/**
 * etcd's v2 store as its API returns it (`GET /v2/keys/?recursive=true`): a tree of dirs and keys, each key with its
 * value and, when it expires, its TTL. DomeOS keeps flannel's network (`/flannel/network/config`, the subnet leases),
 * skydns' records (`/skydns/…`) and, with Kubernetes before 1.6 (`--storage-backend=etcd2`), every Kubernetes object
 * there. A v3 snapshot does not hold any of it, so ferry dumps it beside the snapshot. Pure.
 */

export interface V2Node {
  /** Absent on the root. */
  readonly key?: string;
  readonly dir?: boolean;
  readonly value?: string;
  readonly nodes?: readonly V2Node[];
  /** Seconds left when read; absent for a key that does not expire. */
  readonly ttl?: number;
  readonly expiration?: string;
  readonly createdIndex?: number;
  readonly modifiedIndex?: number;
}

/** The v2 store as one quorum read saw it. */
export interface V2Store {
  /** `X-Etcd-Index` of the read: the store's index the tree is consistent with. */
  readonly index: string;
  readonly root: V2Node;
}

/** What a dump of the v2 store holds, as recorded in the journal. */
export interface V2DumpInfo {
  readonly path: string;
  readonly sha256: string;
  readonly index: string;
  readonly keys: number;
  readonly dirs: number;
  readonly endpoint: string;
}

/** The answer's tree, or undefined when it is not one. */
export function parseV2Answer(body: unknown): V2Node | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const node = (body as { node?: unknown }).node;
  return isNode(node) ? node : undefined;
}

function isNode(n: unknown): n is V2Node {
  if (typeof n !== 'object' || n === null) return false;
  const o = n as Record<string, unknown>;
  if (o['nodes'] !== undefined && (!Array.isArray(o['nodes']) || !o['nodes'].every(isNode))) return false;
  return (o['key'] === undefined || typeof o['key'] === 'string') && (o['value'] === undefined || typeof o['value'] === 'string');
}

/** Every node below the root (the root itself not visited), dirs before what they hold. */
export function visitV2(root: V2Node, visit: (node: V2Node) => void): void {
  for (const c of root.nodes ?? []) {
    visit(c);
    if (c.dir === true) visitV2(c, visit);
  }
}

/** Every key (leaf, not dir) below the root. */
export function listV2Keys(root: V2Node): V2Node[] {
  const out: V2Node[] = [];
  visitV2(root, (n) => {
    if (n.dir !== true && n.key !== undefined) out.push(n);
  });
  return out;
}

/** Keys (leaves) and dirs below the root (the root itself not counted). */
export function countV2(root: V2Node): { keys: number; dirs: number } {
  let keys = 0;
  let dirs = 0;
  visitV2(root, (n) => {
    if (n.dir === true) dirs++;
    else keys++;
  });
  return { keys, dirs };
}

/** Every key with its value, for comparing two reads of the store. */
export function flattenV2(root: V2Node): Map<string, string> {
  return new Map(listV2Keys(root).map((n) => [n.key as string, n.value ?? '']));
}

/** The dump file's content: the tree with the index and where it was read. */
export function renderV2Dump(store: V2Store, endpoint: string, takenAt: string): string {
  return `${JSON.stringify({ kind: 'ferry-etcd-v2-dump', formatVersion: 1, endpoint, index: store.index, takenAt, root: store.root }, null, 1)}\n`;
}
