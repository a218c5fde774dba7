/**
 * PATCH bodies. Pure.
 * - application/merge-patch+json: RFC 7386.
 * - application/strategic-merge-patch+json: RFC 7386, except that lists Kubernetes merges by key (conditions by
 *   type, containers by name, ...) are merged element by element, `$patch: delete` removes an element, and the
 *   other `$` directives (`$setElementOrder/...`, `$retainKeys`) are dropped. Anything finer is out of scope.
 * - application/json-patch+json: RFC 6902 (add, remove, replace, move, copy, test).
 */
import { badRequest, ApiError, StatusReason } from './status.ts';
import { deepEqual, isObject } from './json.ts';
import type { JsonObject } from './json.ts';

export const PatchType = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

export function parsePatchType(contentType: string | undefined): PatchType {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === PatchType.merge || type === PatchType.strategic || type === PatchType.json) return type;
  throw new ApiError(415, StatusReason.unsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: ${Object.values(PatchType).join(', ')}`);
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case PatchType.merge:
      return applyMergePatch(target, patch);
    case PatchType.strategic:
      return applyStrategicMergePatch(target, patch);
    case PatchType.json:
      return applyJsonPatch(target, patch);
  }
}

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** Lists merged by key in a strategic merge patch, by field name (k8s.io/api patchMergeKey tags). */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type',
  addresses: 'type',
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
};

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const mergeKey = MERGE_KEYS[key];
    if (value === null) delete out[key];
    else if (mergeKey !== undefined && Array.isArray(value) && Array.isArray(out[key])) {
      out[key] = mergeKeyedList(out[key] as unknown[], value, mergeKey);
    } else out[key] = applyStrategicMergePatch(out[key], value);
  }
  return out;
}

function mergeKeyedList(current: readonly unknown[], patch: readonly unknown[], mergeKey: string): unknown[] {
  const out = [...current];
  for (const item of patch) {
    const id = isObject(item) ? item[mergeKey] : undefined;
    const index = id === undefined ? -1 : out.findIndex((c) => isObject(c) && deepEqual(c[mergeKey], id));
    if (isObject(item) && item['$patch'] === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = applyStrategicMergePatch(out[index], item);
    else out.push(applyStrategicMergePatch(undefined, item));
  }
  return out;
}

/** RFC 6901 pointer -> path segments. */
function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) {
    throw badRequest(`the JSON patch path ${JSON.stringify(pointer)} is not a JSON pointer`);
  }
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Slot {
  readonly parent: JsonObject | unknown[];
  readonly key: string;
}

/** The container of the pointed-at location, which must exist. */
function findSlot(doc: unknown, path: readonly string[], pointer: string): Slot {
  let current = doc;
  for (const part of path.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else current = undefined;
    if (current === undefined) break;
  }
  if (!Array.isArray(current) && !isObject(current)) throw badRequest(`the JSON patch path ${pointer} does not exist`);
  return { parent: current, key: path[path.length - 1] ?? '' };
}

function arrayIndex(slot: Slot & { parent: unknown[] }, pointer: string, forInsert: boolean): number {
  if (forInsert && slot.key === '-') return slot.parent.length;
  const index = Number(slot.key);
  const max = forInsert ? slot.parent.length : slot.parent.length - 1;
  if (!/^\d+$/.test(slot.key) || index > max) throw badRequest(`the JSON patch path ${pointer} is out of bounds`);
  return index;
}

function readAt(doc: unknown, pointer: string): unknown {
  let current = doc;
  for (const part of parsePointer(pointer)) {
    if (Array.isArray(current)) current = /^\d+$/.test(part) ? current[Number(part)] : undefined;
    else current = isObject(current) && Object.hasOwn(current, part) ? current[part] : undefined;
    if (current === undefined) throw badRequest(`the JSON patch path ${pointer} does not exist`);
  }
  return current;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const slot = findSlot(doc, parsePointer(pointer), pointer);
  if (Array.isArray(slot.parent)) return slot.parent.splice(arrayIndex({ ...slot, parent: slot.parent }, pointer, false), 1)[0];
  if (!Object.hasOwn(slot.parent, slot.key)) throw badRequest(`the JSON patch path ${pointer} does not exist`);
  const old = slot.parent[slot.key];
  delete slot.parent[slot.key];
  return old;
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const path = parsePointer(pointer);
  if (path.length === 0) return value;
  const slot = findSlot(doc, path, pointer);
  if (Array.isArray(slot.parent)) slot.parent.splice(arrayIndex({ ...slot, parent: slot.parent }, pointer, true), 0, value);
  else slot.parent[slot.key] = value;
  return doc;
}

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of patch) {
    if (!isObject(raw)) throw badRequest('a JSON patch operation must be an object');
    const op = raw['op'];
    const path = String(raw['path']);
    switch (op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(raw['value']));
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'replace':
        readAt(doc, path);
        if (parsePointer(path).length === 0) doc = structuredClone(raw['value']);
        else {
          removeAt(doc, path);
          doc = addAt(doc, path, structuredClone(raw['value']));
        }
        break;
      case 'move':
      case 'copy': {
        const from = String(raw['from']);
        const value = op === 'move' ? removeAt(doc, from) : structuredClone(readAt(doc, from));
        doc = addAt(doc, path, value);
        break;
      }
      case 'test':
        if (!deepEqual(readAt(doc, path), raw['value'])) {
          throw new ApiError(422, StatusReason.invalid, `the JSON patch test operation failed at ${path}`);
        }
        break;
      default:
        throw badRequest(`unknown JSON patch operation ${JSON.stringify(op)}`);
    }
  }
  return doc;
}
