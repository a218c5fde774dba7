/**
 * The verbs on a resource collection and on one object: list, create, deletecollection; get, replace (PUT), patch,
 * delete. Subresources and watches have their own modules.
 */
import type { ApiserverContext, Reply, ResourceRequest } from './context.ts';
import { asNumber, asObject, asString, isObject, toKubeObject } from './json.ts';
import type { KubeObject } from './json.ts';
import { applyPatch, parsePatchType } from './patch.ts';
import { prepareForUpdate } from './prepare.ts';
import { createObject, deleteObject, readList, readObject, updateObject } from './registry.ts';
import { buildSelfLink } from './resources.ts';
import { matchesFilter, parseObjectFilter } from './selectors.ts';
import { badRequest, conflict, methodNotAllowed, pathNotFound } from './status.ts';
import { handleSubresource } from './subresources.ts';
import { isDryRun, requireObjectBody } from './request-body.ts';

export async function handleResourceRequest(ctx: ApiserverContext, req: ResourceRequest): Promise<Reply> {
  if (req.spec.storagePath === undefined) return handleSubresource(ctx, req);
  if (req.subresource !== undefined) return handleSubresource(ctx, req);
  if (req.name === undefined) return handleCollection(ctx, req);
  if (req.spec.namespaced && req.namespace === undefined) throw pathNotFound();
  return handleItem(ctx, req, req.name);
}

async function handleCollection(ctx: ApiserverContext, req: ResourceRequest): Promise<Reply> {
  const { spec, namespace } = req;
  switch (req.method) {
    case 'GET': {
      const filter = parseObjectFilter(req.query.get('labelSelector'), req.query.get('fieldSelector'));
      const { items, revision } = await readList(ctx, spec, namespace);
      return { code: 200, items: items.filter((o) => matchesFilter(filter, o)), revision, spec, selfLink: buildSelfLink(spec, namespace) };
    }
    case 'POST': {
      if (spec.namespaced && namespace === undefined) throw methodNotAllowed();
      const object = await createObject(ctx, spec, namespace, requireObjectBody(req), isDryRun(req.query));
      return { code: 201, object, spec };
    }
    case 'DELETE': {
      if (!spec.verbs.includes('deletecollection')) throw methodNotAllowed();
      const filter = parseObjectFilter(req.query.get('labelSelector'), req.query.get('fieldSelector'));
      const { items, revision } = await readList(ctx, spec, namespace);
      const deleted: KubeObject[] = [];
      for (const obj of items.filter((o) => matchesFilter(filter, o))) {
        deleted.push(await deleteObject(ctx, spec, obj.metadata.namespace, obj.metadata.name ?? '', { dryRun: isDryRun(req.query) }).catch(() => obj));
      }
      return { code: 200, items: deleted, revision, spec, selfLink: buildSelfLink(spec, namespace) };
    }
    default:
      throw methodNotAllowed();
  }
}

async function handleItem(ctx: ApiserverContext, req: ResourceRequest, name: string): Promise<Reply> {
  const { spec, namespace } = req;
  const dryRun = isDryRun(req.query);
  switch (req.method) {
    case 'GET':
      return { code: 200, object: await readObject(ctx, spec, namespace, name), spec };
    case 'PUT': {
      const body = requireObjectBody(req);
      if (body.metadata.name !== undefined && body.metadata.name !== name) {
        throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      }
      let created = false;
      const object = await updateObject(
        ctx, spec, namespace, name,
        (current) => {
          created = current === undefined;
          return current === undefined ? { ...body, metadata: { ...body.metadata, name } } : prepareForUpdate(spec, body, current);
        },
        { expectedResourceVersion: body.metadata.resourceVersion, allowCreate: spec.allowCreateOnUpdate, dryRun },
      );
      return { code: created ? 201 : 200, object, spec };
    }
    case 'PATCH': {
      const type = parsePatchType(req.contentType);
      const object = await updateObject(ctx, spec, namespace, name, (current) => {
        const patched = toKubeObject(applyPatch(type, current, req.body));
        if (patched === undefined) throw badRequest('the patched object is not a JSON object');
        const rv = patched.metadata.resourceVersion;
        if (current !== undefined && rv !== undefined && rv !== current.metadata.resourceVersion) throw conflict(spec.name, name);
        return prepareForUpdate(spec, patched, current as KubeObject);
      }, { dryRun });
      return { code: 200, object, spec };
    }
    case 'DELETE': {
      const options = isObject(req.body) ? req.body : {};
      const pre = asObject(options['preconditions']);
      const graceText = req.query.get('gracePeriodSeconds');
      const gracePeriodSeconds = asNumber(options['gracePeriodSeconds']) ?? (graceText !== null && /^\d+$/.test(graceText) ? Number(graceText) : undefined);
      const object = await deleteObject(ctx, spec, namespace, name, { uid: asString(pre['uid']), resourceVersion: asString(pre['resourceVersion']), gracePeriodSeconds, dryRun });
      return { code: 200, object, spec };
    }
    default:
      throw methodNotAllowed();
  }
}
