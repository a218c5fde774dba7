/**
 * Object-level operations over the store, with the real registry's semantics: create fails AlreadyExists, update is
 * a compare-and-swap loop on the mod revision (GuaranteedUpdate: a caller-given resourceVersion must match, else
 * 409 Conflict; without one, a concurrent write is retried), an update that changes nothing writes nothing, delete
 * returns the object (pods bound to a node are deleted gracefully). Used by the HTTP handlers and the bootstrap.
 */
import { randomUUID, randomInt } from 'node:crypto';
import type { ApiserverContext } from './context.ts';
import { formatTimestamp } from './json.ts';
import type { KubeObject } from './json.ts';
import { NAME_SUFFIX_ALPHABET, prepareForCreate } from './prepare.ts';
import { buildCollectionKey, buildObjectKey, findResource, RESOURCES } from './resources.ts';
import type { ResourceSpec } from './resources.ts';
import { encodeObject } from './etcd-store.ts';
import { alreadyExists, conflict, forbidden, notFound } from './status.ts';
import { allocateClusterIP } from './service-ips.ts';
import { computeDeletePlan } from './graceful-delete.ts';

const UPDATE_ATTEMPTS = 5;

export function objectKey(ctx: ApiserverContext, spec: ResourceSpec, namespace: string | undefined, name: string): string {
  return buildObjectKey(ctx.prefix, spec, namespace, name);
}

export async function readObject(ctx: ApiserverContext, spec: ResourceSpec, namespace: string | undefined, name: string): Promise<KubeObject> {
  const obj = await ctx.store.get(objectKey(ctx, spec, namespace, name));
  if (obj === undefined) throw notFound(spec.name, name);
  return obj;
}

export async function readList(ctx: ApiserverContext, spec: ResourceSpec, namespace: string | undefined): Promise<{ items: KubeObject[]; revision: string }> {
  return ctx.store.list(buildCollectionKey(ctx.prefix, spec, namespace));
}

function buildNameSuffix(): string {
  return Array.from({ length: 5 }, () => NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)]).join('');
}

/** Creates `body` (a request body) in `namespace`; `dryRun` computes the result without storing it. */
export async function createObject(ctx: ApiserverContext, spec: ResourceSpec, namespace: string | undefined, body: KubeObject, dryRun = false): Promise<KubeObject> {
  const obj = prepareForCreate(spec, body, {
    namespace,
    timestamp: formatTimestamp(ctx.now()),
    uid: randomUUID(),
    nameSuffix: buildNameSuffix(),
  });
  const name = obj.metadata.name ?? '';
  if (spec.namespaced && namespace !== undefined) await assertNamespaceExists(ctx, namespace);
  const store = async (toStore: KubeObject): Promise<KubeObject> => {
    if (dryRun) {
      if ((await ctx.store.get(objectKey(ctx, spec, namespace, name))) !== undefined) throw alreadyExists(spec.name, name);
      return toStore;
    }
    const created = await ctx.store.create(objectKey(ctx, spec, namespace, name), toStore);
    if (created === undefined) throw alreadyExists(spec.name, name);
    return created;
  };
  if (spec.kind !== 'Service') return store(obj);
  // Choosing a free IP and storing the service must not interleave with another service create.
  return ctx.exclusive('serviceips', async () => store(await allocateClusterIP(ctx, obj)));
}

async function assertNamespaceExists(ctx: ApiserverContext, namespace: string): Promise<void> {
  const spec = findResource('namespaces');
  if (spec !== undefined && (await ctx.store.get(objectKey(ctx, spec, undefined, namespace))) === undefined) {
    throw notFound('namespaces', namespace);
  }
}

export interface UpdateOptions {
  /** resourceVersion the caller demands (PUT body, DeleteOptions precondition); undefined = unconditional. */
  readonly expectedResourceVersion?: string | undefined;
  /** Create when missing (PUT of endpoints and events): `mutate` then gets undefined. */
  readonly allowCreate?: boolean;
  readonly dryRun?: boolean;
}

/**
 * Reads the object, computes its next version with `mutate`, and stores it only if nobody wrote in between.
 * `mutate` may throw an ApiError (validation, conflict) which ends the update.
 */
export async function updateObject(
  ctx: ApiserverContext,
  spec: ResourceSpec,
  namespace: string | undefined,
  name: string,
  mutate: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
  opts: UpdateOptions = {},
): Promise<KubeObject> {
  const key = objectKey(ctx, spec, namespace, name);
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const current = await ctx.store.get(key);
    if (current === undefined && !opts.allowCreate) throw notFound(spec.name, name);
    const expected = opts.expectedResourceVersion;
    if (current !== undefined && expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion) {
      throw conflict(spec.name, name);
    }
    const next = await mutate(current);
    if (current === undefined) return createObject(ctx, spec, namespace, next, opts.dryRun);
    // Same bytes: the real apiserver skips the write and keeps the resourceVersion.
    if (encodeObject(next) === encodeObject(current)) return current;
    if (opts.dryRun) return next;
    const stored = await ctx.store.replace(key, next, current.metadata.resourceVersion ?? '0');
    if (stored !== undefined) return stored;
    if (expected !== undefined && expected !== '') throw conflict(spec.name, name);
  }
  throw conflict(spec.name, name);
}

/** Namespaces that the apiserver itself needs (NamespaceLifecycle's immortal namespaces). */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system']);

export interface DeleteOptions {
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
  /** DeleteOptions.gracePeriodSeconds (pods only). */
  readonly gracePeriodSeconds?: number | undefined;
  readonly dryRun?: boolean;
}

/**
 * Deletes the object and returns it as it was; a pod bound to a node is only marked for deletion
 * (graceful-delete.ts) and returned as marked.
 */
export async function deleteObject(ctx: ApiserverContext, spec: ResourceSpec, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
  if (spec.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(name)) throw forbidden('namespaces', name, 'this namespace may not be deleted');
  const key = objectKey(ctx, spec, namespace, name);
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const current = await ctx.store.get(key);
    if (current === undefined) throw notFound(spec.name, name);
    if (opts.uid !== undefined && opts.uid !== current.metadata.uid) {
      throw conflict(spec.name, name, `Precondition failed: UID in precondition: ${opts.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    const rv = opts.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion) {
      throw conflict(spec.name, name, `Precondition failed: ResourceVersion in precondition: ${rv}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    const plan = computeDeletePlan(current, opts.gracePeriodSeconds, ctx.now());
    if (plan.action === 'keep') return current;
    if (opts.dryRun) return plan.action === 'mark' ? plan.object : current;
    const revision = current.metadata.resourceVersion ?? '0';
    if (plan.action === 'mark') {
      const marked = await ctx.store.replace(key, plan.object, revision);
      if (marked !== undefined) return marked;
      continue;
    }
    if ((await ctx.store.remove(key, revision)) !== undefined) {
      // The namespace controller's work, done at once: a deleted namespace takes its objects with it.
      if (spec.kind === 'Namespace') {
        for (const r of RESOURCES) if (r.namespaced && r.storagePath !== undefined) await ctx.store.removePrefix(buildCollectionKey(ctx.prefix, r, name));
      }
      return current;
    }
  }
  throw conflict(spec.name, name);
}
