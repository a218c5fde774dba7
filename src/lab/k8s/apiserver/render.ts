/**
 * Turning a handler's Reply into the response body: plain JSON (objects with selfLink, `<Kind>List`s) or, when the
 * client asked for one in Accept, a meta.k8s.io Table. Pure: `now` is given.
 */
import type { Reply } from './context.ts';
import type { JsonObject, KubeObject } from './json.ts';
import { buildSelfLink } from './resources.ts';
import type { ResourceSpec } from './resources.ts';
import { buildTable } from './tables.ts';
import type { IncludeObject } from './tables.ts';

export type TableVersion = 'v1' | 'v1beta1';

/**
 * The Table version the Accept header asks for, if its first acceptable entry is a Table
 * (`application/json;as=Table;v=v1;g=meta.k8s.io, application/json`); undefined for plain JSON.
 */
export function parseTableAccept(accept: string | undefined): TableVersion | undefined {
  for (const entry of (accept ?? '').split(',')) {
    const [type = '', ...params] = entry.split(';').map((s) => s.trim());
    const p = new Map(params.map((kv) => [kv.split('=')[0]?.trim() ?? '', kv.split('=')[1]?.trim() ?? '']));
    if (p.has('as')) {
      if (p.get('as') === 'Table' && p.get('g') === 'meta.k8s.io' && (type === 'application/json' || type === '*/*')) {
        const v = p.get('v');
        if (v === 'v1' || v === 'v1beta1') return v;
      }
      continue; // another `as=` (PartialObjectMetadata, ...) is not served: try the next entry
    }
    if (type === 'application/json' || type === '*/*' || type === 'application/*' || type === '') return undefined;
  }
  return undefined;
}

export interface RenderOptions {
  readonly table: TableVersion | undefined;
  readonly includeObject: IncludeObject;
  readonly now: Date;
}

/** The object as served: with kind, apiVersion and selfLink. */
export function renderObject(spec: ResourceSpec, obj: KubeObject): KubeObject {
  return {
    kind: spec.kind,
    apiVersion: 'v1',
    ...obj,
    metadata: { ...obj.metadata, selfLink: buildSelfLink(spec, obj.metadata.namespace, obj.metadata.name) },
  };
}

export function renderReply(reply: Reply, opts: RenderOptions): JsonObject {
  if ('body' in reply) return reply.body;
  if ('object' in reply) {
    const obj = renderObject(reply.spec, reply.object);
    if (opts.table === undefined) return obj;
    return buildTable([obj], { kind: reply.spec.kind, includeObject: opts.includeObject, now: opts.now, resourceVersion: obj.metadata.resourceVersion, apiVersion: opts.table });
  }
  const items = reply.items.map((o) => renderObject(reply.spec, o));
  if (opts.table !== undefined) {
    return buildTable(items, { kind: reply.spec.kind, includeObject: opts.includeObject, now: opts.now, resourceVersion: reply.revision, apiVersion: opts.table, selfLink: reply.selfLink });
  }
  // Items of a list carry no kind or apiVersion, as the real apiserver serves them.
  const bare = items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  return { kind: `${reply.spec.kind}List`, apiVersion: 'v1', metadata: { selfLink: reply.selfLink, resourceVersion: reply.revision }, items: bare };
}

/** One watch event's object: the object, or a one-row Table when the client watches Tables. */
export function renderWatchObject(spec: ResourceSpec, obj: KubeObject, opts: RenderOptions): JsonObject {
  const rendered = renderObject(spec, obj);
  if (opts.table === undefined) return rendered;
  return buildTable([rendered], { kind: spec.kind, includeObject: opts.includeObject, now: opts.now, resourceVersion: rendered.metadata.resourceVersion, apiVersion: opts.table });
}
