/**
 * Subresources: `<resource>/<name>/status` (only status changes), `replicationcontrollers/<name>/scale`
 * (autoscaling/v1 Scale over spec.replicas), and pod binding (`pods/<name>/binding`, and the `bindings`
 * collection the 1.4 scheduler posts to), which sets spec.nodeName once.
 */
import type { ApiserverContext, Reply, ResourceRequest } from './context.ts';
import { asArray, asNumber, asObject, asString, asStringMap, formatTimestamp, isObject, toKubeObject } from './json.ts';
import type { JsonObject, KubeObject } from './json.ts';
import { applyPatch, parsePatchType } from './patch.ts';
import { prepareForStatusUpdate } from './prepare.ts';
import { readObject, updateObject } from './registry.ts';
import { findResource, findSubresource } from './resources.ts';
import type { ResourceSpec } from './resources.ts';
import { formatLabels } from './selectors.ts';
import { ApiError, StatusReason, badRequest, buildSuccessStatus, conflict, invalid, methodNotAllowed, notFound, pathNotFound } from './status.ts';
import { isDryRun, requireObjectBody } from './request-body.ts';

export async function handleSubresource(ctx: ApiserverContext, req: ResourceRequest): Promise<Reply> {
  const { spec, name } = req;
  if (spec.name === 'bindings') {
    if (req.method !== 'POST' || name !== undefined || req.namespace === undefined) throw methodNotAllowed();
    const binding = requireBinding(req.body);
    return bindPod(ctx, req.namespace, binding.metadata.name ?? '', binding, isDryRun(req.query));
  }
  if (name === undefined || req.subresource === undefined || findSubresource(spec, req.subresource) === undefined) throw pathNotFound();
  if (spec.namespaced && req.namespace === undefined) throw pathNotFound();
  switch (req.subresource) {
    case 'status':
      return handleStatus(ctx, req, name);
    case 'scale':
      return handleScale(ctx, req, name);
    case 'binding':
      if (req.method !== 'POST') throw methodNotAllowed();
      return bindPod(ctx, req.namespace, name, requireBinding(req.body), isDryRun(req.query));
    default:
      throw pathNotFound();
  }
}

async function handleStatus(ctx: ApiserverContext, req: ResourceRequest, name: string): Promise<Reply> {
  const { spec, namespace } = req;
  const dryRun = isDryRun(req.query);
  switch (req.method) {
    case 'GET':
      return { code: 200, object: await readObject(ctx, spec, namespace, name), spec };
    case 'PUT': {
      const body = requireObjectBody(req);
      const object = await updateObject(ctx, spec, namespace, name, (current) => prepareForStatusUpdate(spec, body, current as KubeObject), {
        expectedResourceVersion: body.metadata.resourceVersion,
        dryRun,
      });
      return { code: 200, object, spec };
    }
    case 'PATCH': {
      const type = parsePatchType(req.contentType);
      const object = await updateObject(ctx, spec, namespace, name, (current) => {
        const patched = toKubeObject(applyPatch(type, current, req.body));
        if (patched === undefined) throw badRequest('the patched object is not a JSON object');
        const rv = patched.metadata.resourceVersion;
        if (rv !== undefined && rv !== current?.metadata.resourceVersion) throw conflict(spec.name, name);
        return prepareForStatusUpdate(spec, patched, current as KubeObject);
      }, { dryRun });
      return { code: 200, object, spec };
    }
    default:
      throw methodNotAllowed();
  }
}

/** The autoscaling/v1 Scale view of a replication controller. */
export function buildScale(rc: KubeObject): JsonObject {
  const spec = asObject(rc['spec']);
  const status = asObject(rc['status']);
  const { name, namespace, uid, resourceVersion, creationTimestamp } = rc.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, selfLink: `/api/v1/namespaces/${namespace}/replicationcontrollers/${name}/scale`, uid, resourceVersion, creationTimestamp },
    spec: { replicas: asNumber(spec['replicas']) ?? 1 },
    status: { replicas: asNumber(status['replicas']) ?? 0, selector: formatLabels(asStringMap(spec['selector'])) },
  };
}

async function handleScale(ctx: ApiserverContext, req: ResourceRequest, name: string): Promise<Reply> {
  const { spec, namespace } = req;
  if (req.method === 'GET') return { code: 200, body: buildScale(await readObject(ctx, spec, namespace, name)) };
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw methodNotAllowed();
  const patchType = req.method === 'PATCH' ? parsePatchType(req.contentType) : undefined;
  const body = req.method === 'PUT' ? asObject(req.body) : undefined;
  const expected = body === undefined ? undefined : asString(asObject(body['metadata'])['resourceVersion']);
  const rc = await updateObject(ctx, spec, namespace, name, (current) => {
    const old = current as KubeObject;
    const scale = patchType === undefined ? asObject(body) : asObject(applyPatch(patchType, buildScale(old), req.body));
    const rv = asString(asObject(scale['metadata'])['resourceVersion']);
    if (patchType !== undefined && rv !== undefined && rv !== old.metadata.resourceVersion) throw conflict(spec.name, name);
    const replicas = asObject(scale['spec'])['replicas'];
    if (replicas !== undefined && (asNumber(replicas) === undefined || (replicas as number) < 0)) {
      throw invalid('Scale', name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
    }
    const oldSpec = asObject(old['spec']);
    if ((asNumber(replicas) ?? 0) === oldSpec['replicas']) return old;
    return {
      ...old,
      metadata: { ...old.metadata, generation: (old.metadata.generation ?? 1) + 1 },
      spec: { ...oldSpec, replicas: asNumber(replicas) ?? 0 },
    };
  }, { expectedResourceVersion: expected, dryRun: isDryRun(req.query) });
  return { code: 200, body: buildScale(rc) };
}

function requireBinding(body: unknown): KubeObject {
  const binding = toKubeObject(body);
  if (binding === undefined || (binding.kind !== undefined && binding.kind !== 'Binding')) throw badRequest('the body of the request is not a Binding');
  return binding;
}

async function bindPod(ctx: ApiserverContext, namespace: string | undefined, podName: string, binding: KubeObject, dryRun: boolean): Promise<Reply> {
  const pods = findResource('pods') as ResourceSpec;
  const target = asObject(binding['target']);
  const nodeName = asString(target['name']) ?? '';
  if (podName === '') throw invalid('Binding', '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  if (nodeName === '') throw invalid('Binding', podName, [{ field: 'target.name', message: 'Required value' }]);
  if (target['kind'] !== undefined && target['kind'] !== 'Node' && target['kind'] !== '') {
    throw invalid('Binding', podName, [{ field: 'target.kind', message: `Invalid value: ${JSON.stringify(target['kind'])}: must be empty or 'Node'` }]);
  }
  if (binding.metadata.namespace !== undefined && binding.metadata.namespace !== '' && binding.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  await updateObject(ctx, pods, namespace, podName, (current) => {
    if (current === undefined) throw notFound('pods', podName);
    const spec = asObject(current['spec']);
    const bound = asString(spec['nodeName']) ?? '';
    if (bound !== '') throw new ApiError(409, StatusReason.conflict, `Operation cannot be fulfilled on pods/binding "${podName}": pod ${podName} is already assigned to node "${bound}"`, { name: podName, kind: 'pods/binding' });
    const status = asObject(current['status']);
    const conditions = asArray(status['conditions']).filter((c) => !(isObject(c) && c['type'] === 'PodScheduled'));
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatTimestamp(ctx.now()) });
    const annotations = { ...asStringMap(current.metadata.annotations), ...asStringMap(binding.metadata.annotations) };
    return {
      ...current,
      metadata: { ...current.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: { ...spec, nodeName },
      status: { ...status, conditions },
    };
  }, { dryRun });
  return { code: 201, body: buildSuccessStatus(201) };
}
