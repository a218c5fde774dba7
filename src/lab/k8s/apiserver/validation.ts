/**
 * The validation the real apiserver does on create and update, kept to what protects the lab's components from
 * nonsense: names, pod containers, RC selector/template agreement, service ports and types. 422 Invalid with one
 * cause per problem, all at once. Pure.
 */
import { asArray, asNumber, asObject, asString, asStringMap, isObject } from './json.ts';
import type { KubeObject } from './json.ts';
import { invalid } from './status.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type Cause = { field: string; message: string };

function checkName(kind: string, name: string, causes: Cause[]): void {
  // Namespaces and services become DNS labels (skydns names); the rest are subdomains.
  const label = kind === 'Namespace' || kind === 'Service';
  const ok = label ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (!ok) {
    const what = label ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'" : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'";
    causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${what}` });
  }
}

function checkContainers(field: string, spec: unknown, causes: Cause[]): void {
  const containers = asArray(asObject(spec)['containers']);
  if (containers.length === 0) causes.push({ field: `${field}.containers`, message: 'Required value' });
  containers.forEach((c, i) => {
    const name = asString(asObject(c)['name']) ?? '';
    if (!DNS_LABEL.test(name)) causes.push({ field: `${field}.containers[${i}].name`, message: `Invalid value: "${name}": must be a DNS label` });
    if (!asString(asObject(c)['image'])) causes.push({ field: `${field}.containers[${i}].image`, message: 'Required value' });
  });
}

function checkReplicationController(obj: KubeObject, causes: Cause[]): void {
  const spec = asObject(obj['spec']);
  const selector = asStringMap(spec['selector']);
  const replicas = spec['replicas'];
  if (asNumber(replicas) === undefined || (replicas as number) < 0) causes.push({ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` });
  if (Object.keys(selector).length === 0) causes.push({ field: 'spec.selector', message: 'Required value' });
  if (!isObject(spec['template'])) {
    causes.push({ field: 'spec.template', message: 'Required value' });
    return;
  }
  const labels = asStringMap(asObject(asObject(spec['template'])['metadata'])['labels']);
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` });
  }
  checkContainers('spec.template.spec', asObject(spec['template'])['spec'], causes);
}

function checkService(obj: KubeObject, causes: Cause[]): void {
  const spec = asObject(obj['spec']);
  const type = asString(spec['type']) ?? 'ClusterIP';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type)) {
    causes.push({ field: 'spec.type', message: `Unsupported value: "${type}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"` });
  }
  const ports = asArray(spec['ports']);
  if (ports.length === 0 && spec['clusterIP'] !== 'None' && type !== 'ExternalName') causes.push({ field: 'spec.ports', message: 'Required value' });
  ports.forEach((raw, i) => {
    const p = asObject(raw);
    const port = asNumber(p['port']);
    if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      causes.push({ field: `spec.ports[${i}].port`, message: `Invalid value: ${JSON.stringify(p['port'])}: must be between 1 and 65535, inclusive` });
    }
    if (!['TCP', 'UDP', 'SCTP'].includes(asString(p['protocol']) ?? '')) {
      causes.push({ field: `spec.ports[${i}].protocol`, message: `Unsupported value: ${JSON.stringify(p['protocol'])}: supported values: "TCP", "UDP"` });
    }
  });
  if (ports.length > 1 && ports.some((p) => !asString(asObject(p)['name']))) {
    causes.push({ field: 'spec.ports', message: 'Required value: every port needs a name when there is more than one' });
  }
}

/** Throws 422 Invalid listing every problem of a defaulted object of `kind`. */
export function validateObject(kind: string, obj: KubeObject): void {
  const causes: Cause[] = [];
  const name = obj.metadata.name ?? '';
  checkName(kind, name, causes);
  if (kind === 'Pod') checkContainers('spec', obj['spec'], causes);
  if (kind === 'ReplicationController') checkReplicationController(obj, causes);
  if (kind === 'Service') checkService(obj, causes);
  if (causes.length > 0) throw invalid(kind, name, causes);
}
