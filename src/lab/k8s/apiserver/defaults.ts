/**
 * Field defaults the real apiserver applies when it decodes a v1 object (pkg/api/v1/defaults.go, 1.4), limited to
 * the fields the lab's components and kubectl look at. Pure: works on a copy.
 */
import { asArray, asObject, asString, isObject } from './json.ts';
import type { JsonObject, KubeObject } from './json.ts';

function defaultContainers(containers: unknown): unknown[] {
  return asArray(containers).map((raw) => {
    if (!isObject(raw)) return raw;
    const c: JsonObject = { ...raw };
    const image = asString(c['image']) ?? '';
    const tagged = /:[^/]+$/.test(image.replace(/@.*$/, ''));
    c['imagePullPolicy'] ??= !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['resources'] ??= {};
    c['ports'] = asArray(c['ports']).map((p) => (isObject(p) ? { protocol: 'TCP', ...p } : p));
    if ((c['ports'] as unknown[]).length === 0) delete c['ports'];
    return c;
  });
}

export function defaultPodSpec(spec: unknown): JsonObject {
  const s: JsonObject = { ...asObject(spec) };
  s['containers'] = defaultContainers(s['containers']);
  s['restartPolicy'] ??= 'Always';
  s['terminationGracePeriodSeconds'] ??= 30;
  s['dnsPolicy'] ??= 'ClusterFirst';
  s['securityContext'] ??= {};
  return s;
}

function defaultService(obj: KubeObject): void {
  const spec: JsonObject = { ...asObject(obj['spec']) };
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  spec['ports'] = asArray(spec['ports']).map((raw) => {
    if (!isObject(raw)) return raw;
    const p: JsonObject = { protocol: 'TCP', ...raw };
    p['targetPort'] ??= p['port'];
    return p;
  });
  obj['spec'] = spec;
}

function defaultReplicationController(obj: KubeObject): void {
  const spec: JsonObject = { ...asObject(obj['spec']) };
  const template = isObject(spec['template']) ? { ...spec['template'] } : undefined;
  if (template !== undefined) {
    const templateLabels = asObject(asObject(template['metadata'])['labels']);
    if (spec['selector'] === undefined || Object.keys(asObject(spec['selector'])).length === 0) spec['selector'] = { ...templateLabels };
    if (obj.metadata.labels === undefined || Object.keys(obj.metadata.labels).length === 0) {
      if (Object.keys(templateLabels).length > 0) obj.metadata.labels = { ...(templateLabels as Record<string, string>) };
    }
    template['spec'] = defaultPodSpec(template['spec']);
    spec['template'] = template;
  }
  spec['replicas'] ??= 1;
  obj['spec'] = spec;
}

/** A defaulted copy of `obj`, whose kind is `kind`. */
export function applyDefaults(kind: string, input: KubeObject): KubeObject {
  const obj: KubeObject = { ...input, kind, apiVersion: 'v1', metadata: { ...input.metadata } };
  switch (kind) {
    case 'Pod':
      obj['spec'] = defaultPodSpec(obj['spec']);
      break;
    case 'Service':
      defaultService(obj);
      break;
    case 'ReplicationController':
      defaultReplicationController(obj);
      break;
    case 'Namespace': {
      const spec = asObject(obj['spec']);
      obj['spec'] = { finalizers: ['kubernetes'], ...spec };
      break;
    }
    case 'Node':
      obj['spec'] ??= {};
      break;
  }
  return obj;
}
