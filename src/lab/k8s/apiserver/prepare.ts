/**
 * What the real registry does to an object before it is stored (the per-kind strategies of 1.4: PrepareForCreate,
 * PrepareForUpdate, and the status strategies). Pure: time, uid and random suffix are given.
 */
import { applyDefaults } from './defaults.ts';
import { deepEqual, isObject } from './json.ts';
import type { KubeObject, ObjectMeta } from './json.ts';
import type { ResourceSpec } from './resources.ts';
import { badRequest, invalid } from './status.ts';
import { validateObject } from './validation.ts';

export interface CreateContext {
  /** Namespace from the URL (namespaced resources only). */
  readonly namespace: string | undefined;
  readonly timestamp: string;
  readonly uid: string;
  /** Five characters appended to generateName. */
  readonly nameSuffix: string;
}

/** Alphabet of generated name suffixes (k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable digits). */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Checks kind, apiVersion and namespace of a body against the request, and fills the namespace in. */
export function checkIdentity(spec: ResourceSpec, obj: KubeObject, namespace: string | undefined): KubeObject {
  if (obj.kind !== undefined && obj.kind !== spec.kind) {
    throw badRequest(`${obj.kind} in version "${obj.apiVersion ?? 'v1'}" cannot be handled as a ${spec.kind}`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'v1') {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (v1)`);
  }
  const metadata = { ...obj.metadata };
  if (spec.namespaced) {
    if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    metadata.namespace = namespace;
  } else delete metadata.namespace;
  return { ...obj, metadata };
}

export function prepareForCreate(spec: ResourceSpec, input: KubeObject, ctx: CreateContext): KubeObject {
  const checked = checkIdentity(spec, input, ctx.namespace);
  const metadata = { ...checked.metadata };
  if ((metadata.name ?? '') === '') {
    if ((metadata.generateName ?? '') === '') {
      throw invalid(spec.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    metadata.name = `${metadata.generateName}${ctx.nameSuffix}`;
  }
  metadata.uid = ctx.uid;
  metadata.creationTimestamp = ctx.timestamp;
  for (const key of ['resourceVersion', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) delete metadata[key];
  const obj = applyDefaults(spec.kind, { ...checked, metadata });
  switch (spec.kind) {
    case 'Pod':
      obj['status'] = { phase: 'Pending' };
      break;
    case 'ReplicationController':
      obj['status'] = { replicas: 0 };
      obj.metadata.generation = 1;
      break;
    case 'Namespace':
      obj['status'] = { phase: 'Active' };
      break;
    case 'Service':
      obj['status'] = { loadBalancer: {} };
      break;
  }
  validateObject(spec.kind, obj);
  return obj;
}

/** A PUT (or the result of a PATCH) of the object itself, over `old`. */
export function prepareForUpdate(spec: ResourceSpec, input: KubeObject, old: KubeObject): KubeObject {
  const checked = checkIdentity(spec, input, old.metadata.namespace);
  if (checked.metadata.name !== undefined && checked.metadata.name !== old.metadata.name) {
    throw badRequest(`the name of the object (${checked.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
  }
  const metadata: ObjectMeta = { ...checked.metadata, name: old.metadata.name, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
  if (old.metadata.generateName !== undefined) metadata.generateName ??= old.metadata.generateName;
  if (old.metadata.generation !== undefined) metadata.generation = old.metadata.generation;
  // Only DELETE sets or changes these (rest.BeforeUpdate copies them from the stored object).
  delete metadata.deletionTimestamp;
  delete metadata['deletionGracePeriodSeconds'];
  if (old.metadata.deletionTimestamp !== undefined) metadata.deletionTimestamp = old.metadata.deletionTimestamp;
  if (old.metadata['deletionGracePeriodSeconds'] !== undefined) metadata['deletionGracePeriodSeconds'] = old.metadata['deletionGracePeriodSeconds'];
  delete metadata.selfLink;
  const obj = applyDefaults(spec.kind, { ...checked, metadata });
  if (spec.statusSubresource) {
    if (old['status'] === undefined) delete obj['status'];
    else obj['status'] = old['status'];
  }
  if (spec.kind === 'ReplicationController' && !deepEqual(obj['spec'], old['spec'])) {
    obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
  }
  if (spec.kind === 'Service') keepClusterIP(obj, old);
  if (spec.kind === 'Namespace' && isObject(old['spec'])) obj['spec'] = old['spec'];
  validateObject(spec.kind, obj);
  return obj;
}

/** spec.clusterIP is immutable; an update that leaves it out keeps the old one (as newer apiservers do). */
function keepClusterIP(obj: KubeObject, old: KubeObject): void {
  const spec = { ...(obj['spec'] as Record<string, unknown>) };
  const before = (old['spec'] as Record<string, unknown> | undefined)?.['clusterIP'];
  const after = spec['clusterIP'];
  if (after === undefined || after === '') {
    if (before !== undefined) spec['clusterIP'] = before;
  } else if (after !== before) {
    throw invalid('Service', old.metadata.name ?? '', [{ field: 'spec.clusterIP', message: `Invalid value: "${String(after)}": field is immutable` }]);
  }
  obj['spec'] = spec;
}

/** A PUT (or PATCH result) on the status subresource: only `status` changes. */
export function prepareForStatusUpdate(spec: ResourceSpec, input: KubeObject, old: KubeObject): KubeObject {
  const checked = checkIdentity(spec, input, old.metadata.namespace);
  if (checked.metadata.name !== undefined && checked.metadata.name !== old.metadata.name) {
    throw badRequest(`the name of the object (${checked.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
  }
  const obj: KubeObject = { ...old, metadata: { ...old.metadata } };
  if (checked['status'] === undefined) delete obj['status'];
  else obj['status'] = checked['status'];
  return obj;
}
