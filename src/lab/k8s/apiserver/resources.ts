/**
 * The core/v1 resources the stand-in serves and where each lives in etcd (the Kubernetes 1.4 layout, docs/design/lab-conventions.md
 * §8, "etcd keys"): nodes `<prefix>/minions/<name>`, services `<prefix>/services/specs/<ns>/<name>`, endpoints
 * `<prefix>/services/endpoints/<ns>/<name>`, replication controllers `<prefix>/controllers/<ns>/<name>`, and
 * `<prefix>/<resource>/<ns>/<name>` for the rest. Pure.
 */

export interface SubresourceSpec {
  readonly name: string;
  readonly kind: string;
  readonly verbs: readonly string[];
  /** API group and version of the subresource's kind when it is not core/v1 (the scale subresource). */
  readonly group?: string;
  readonly version?: string;
}

export interface ResourceSpec {
  /** Plural, as in the URL. */
  readonly name: string;
  readonly singularName: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Key path below the prefix; undefined for a resource that is never stored (bindings). */
  readonly storagePath: string | undefined;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly SubresourceSpec[];
  /** PUT of a missing object creates it (endpoints and events; registry AllowCreateOnUpdate). */
  readonly allowCreateOnUpdate: boolean;
  /** The object has a status that only the status subresource changes (a PUT on the object keeps the old one). */
  readonly statusSubresource: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const STATUS_VERBS = ['get', 'patch', 'update'] as const;

function resource(spec: Omit<ResourceSpec, 'verbs' | 'categories' | 'subresources' | 'allowCreateOnUpdate' | 'statusSubresource'> & Partial<ResourceSpec>): ResourceSpec {
  return {
    verbs: ALL_VERBS,
    categories: [],
    subresources: [],
    allowCreateOnUpdate: false,
    statusSubresource: false,
    ...spec,
  };
}

function status(kind: string): SubresourceSpec {
  return { name: 'status', kind, verbs: STATUS_VERBS };
}

export const RESOURCES: readonly ResourceSpec[] = [
  resource({ name: 'bindings', singularName: 'binding', kind: 'Binding', namespaced: true, storagePath: undefined, shortNames: [], verbs: ['create'] }),
  resource({ name: 'endpoints', singularName: 'endpoints', kind: 'Endpoints', namespaced: true, storagePath: 'services/endpoints', shortNames: ['ep'], allowCreateOnUpdate: true }),
  resource({ name: 'events', singularName: 'event', kind: 'Event', namespaced: true, storagePath: 'events', shortNames: ['ev'], allowCreateOnUpdate: true }),
  resource({ name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, storagePath: 'namespaces', shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [status('Namespace')], statusSubresource: true }),
  resource({ name: 'nodes', singularName: 'node', kind: 'Node', namespaced: false, storagePath: 'minions', shortNames: ['no'], subresources: [status('Node')], statusSubresource: true }),
  resource({
    name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, storagePath: 'pods', shortNames: ['po'], categories: ['all'], statusSubresource: true,
    subresources: [{ name: 'binding', kind: 'Binding', verbs: ['create'] }, status('Pod')],
  }),
  resource({
    name: 'replicationcontrollers', singularName: 'replicationcontroller', kind: 'ReplicationController', namespaced: true, storagePath: 'controllers', shortNames: ['rc'], categories: ['all'], statusSubresource: true,
    subresources: [{ name: 'scale', kind: 'Scale', verbs: STATUS_VERBS, group: 'autoscaling', version: 'v1' }, status('ReplicationController')],
  }),
  resource({ name: 'services', singularName: 'service', kind: 'Service', namespaced: true, storagePath: 'services/specs', shortNames: ['svc'], categories: ['all'], subresources: [status('Service')], statusSubresource: true }),
];

const BY_NAME = new Map(RESOURCES.map((r) => [r.name, r]));

export function findResource(name: string): ResourceSpec | undefined {
  return BY_NAME.get(name);
}

export function findSubresource(spec: ResourceSpec, name: string): SubresourceSpec | undefined {
  return spec.subresources.find((s) => s.name === name);
}

/** `/registry/pods/default/web-1`; `prefix` has no trailing slash. */
export function buildObjectKey(prefix: string, spec: ResourceSpec, namespace: string | undefined, name: string): string {
  return spec.namespaced ? `${prefix}/${spec.storagePath}/${namespace}/${name}` : `${prefix}/${spec.storagePath}/${name}`;
}

/** The key prefix (with a trailing slash) of a list: every namespace, or one namespace of a namespaced resource. */
export function buildCollectionKey(prefix: string, spec: ResourceSpec, namespace?: string): string {
  return namespace === undefined || !spec.namespaced ? `${prefix}/${spec.storagePath}/` : `${prefix}/${spec.storagePath}/${namespace}/`;
}

/** `<prefix>/masterleases/<ip>`: one per live apiserver, kept alive by its lease. */
export function buildMasterLeaseKey(prefix: string, ip: string): string {
  return `${prefix}/masterleases/${ip}`;
}

export function buildSelfLink(spec: ResourceSpec, namespace: string | undefined, name?: string): string {
  const base = spec.namespaced && namespace !== undefined ? `/api/v1/namespaces/${namespace}/${spec.name}` : `/api/v1/${spec.name}`;
  return name === undefined ? base : `${base}/${name}`;
}
