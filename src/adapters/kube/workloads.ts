/**
 * The workloads of an apiserver that the DNS step (runbook phase 6) reads and changes: services, endpoints, pods,
 * replication controllers, and the later DomeOS variant's Deployments. Core objects go through
 * @kubernetes/client-node 1.4's typed CoreV1Api; Deployments through a raw request, because the typed client knows
 * only apps/v1 and DomeOS's dns.yaml made extensions/v1beta1 ones (docs/design/domeos.md §4). Objects come back as plain JSON
 * (the shapes of src/kube/objects.ts), so what is read can be written to a backup file and sent back as is.
 *
 * Every request is bounded (`requestTimeoutMs`). Foreign errors are translated here, once: a missing object is
 * `undefined` (reads) or `false` (deletes); everything else is a KUBE_* FerryError.
 */
import * as k8s from '@kubernetes/client-node';
import { FerryError, messageOf } from '../../errors.ts';
import { readKubeCa, sendKubeRequest } from './client.ts';
import { DEPLOYMENT_GROUP_VERSIONS, type Deployment, type Endpoints, type Labels, type Pod, type ReplicationController, type Service } from '../../kube/objects.ts';
import type { KubeWorkloads } from '../../ports/kube.ts';


export interface WorkloadsOptions {
  /** Bound on each request, in ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Path of the CA that signed an https apiserver's certificate (the inventory's master.ca); default: not verified. */
  readonly ca?: string;
}


interface Failure {
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  readonly reason: string;
  readonly message: string;
  /** A Status with details.kind: the object is missing, not the path (a group the server does not serve). */
  readonly objectMissing: boolean;
}

function parseStatusBody(body: unknown): { reason: string; message: string; hasKind: boolean } {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return { reason: '', message: body.trim().slice(0, 300), hasKind: false };
    }
  }
  if (typeof value !== 'object' || value === null) return { reason: '', message: '', hasKind: false };
  const v = value as { reason?: unknown; message?: unknown; details?: { kind?: unknown } };
  return {
    reason: typeof v.reason === 'string' ? v.reason : '',
    message: typeof v.message === 'string' ? v.message : '',
    hasKind: typeof v.details?.kind === 'string' && v.details.kind !== '',
  };
}

function toFailure(err: unknown): Failure {
  if (err instanceof k8s.ApiException) {
    const s = parseStatusBody(err.body);
    return { status: err.code, reason: s.reason, message: s.message || `HTTP ${err.code}`, objectMissing: err.code === 404 && s.hasKind };
  }
  return { status: 0, reason: '', message: messageOf(err), objectMissing: false };
}

/** The one translation of a failed call into a FerryError. */
export function buildWorkloadsError(url: string, op: string, f: Failure, timeoutMs: number): FerryError {
  const subjects = { apiserver: url };
  const what = `apiserver ${url}: ${op} failed`;
  if (f.status === 0) {
    const timedOut = /abort|timeout/i.test(f.message);
    return new FerryError('KUBE_UNREACHABLE', `${what}: ${timedOut ? `no answer within ${timeoutMs} ms` : f.message}`, {
      retryable: true,
      subjects,
      hint: 'is kube-apiserver running on that host, and is the port reachable from here?',
    });
  }
  if (f.status === 404) return new FerryError('KUBE_NOT_FOUND', `${what}: ${f.message}`, { subjects, hint: 'it was deleted meanwhile? `ferry resume` reads the live state again' });
  if (f.status === 409 && f.reason === 'AlreadyExists') {
    return new FerryError('KUBE_ALREADY_EXISTS', `${what}: ${f.message}`, { subjects, hint: 'an object of that name exists already: look at it with kubectl get -o yaml' });
  }
  if (f.status === 409) return new FerryError('KUBE_CONFLICT', `${what}: ${f.message}`, { retryable: true, subjects, hint: 'someone else changed the object meanwhile; run again' });
  if (f.status === 422) return new FerryError('KUBE_INVALID', `${what}: ${f.message}`, { subjects, hint: 'the apiserver refused the object as invalid: the message names the field' });
  return new FerryError('KUBE_ERROR', `${what}: HTTP ${f.status} ${f.message}`, {
    retryable: f.status >= 500,
    subjects,
    hint: 'look at the apiserver log on its host',
  });
}

/** Plain JSON of a typed client model (its Dates become the RFC 3339 strings the apiserver sent). */
function plain<T>(x: unknown): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

function labelSelector(selector: Readonly<Labels>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function openKubeWorkloads(url: string, o: WorkloadsOptions = {}): KubeWorkloads {
  const timeoutMs = o.requestTimeoutMs ?? 10_000;
  const base = url.replace(/\/+$/, '');
  const ca = readKubeCa(o.ca);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'ferry', server: base, ...(ca !== undefined ? { caData: ca.toString('base64') } : { skipTLSVerify: true }) }],
    users: [{ name: 'ferry' }],
    contexts: [{ name: 'ferry', cluster: 'ferry', user: 'ferry' }],
    currentContext: 'ferry',
  });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  // Per-call options: a deadline on every request (the typed client has none of its own).
  const bounded = (): k8s.ConfigurationOptions<k8s.ObservableMiddleware> => ({
    middleware: [
      {
        pre: (ctx: k8s.RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return new k8s.Observable(Promise.resolve(ctx));
        },
        post: (res: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  });
  const call = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw buildWorkloadsError(base, op, toFailure(err), timeoutMs);
    }
  };
  /** undefined for a missing object. */
  const read = async <T>(op: string, fn: () => Promise<unknown>): Promise<T | undefined> => {
    try {
      return plain<T>(await fn());
    } catch (err) {
      const f = toFailure(err);
      if (f.status === 404) return undefined;
      throw buildWorkloadsError(base, op, f, timeoutMs);
    }
  };

  /** A raw JSON request (Deployments); resolves to the status and parsed body. */
  const raw = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    try {
      const res = await sendKubeRequest(`${base}${path}`, {
        method,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        timeoutMs,
        ...(ca !== undefined ? { ca } : {}),
      });
      const text = res.text;
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        // a plain-text answer ("404 page not found"): kept as text
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      throw buildWorkloadsError(base, `${method} ${path}`, { status: 0, reason: '', message: messageOf(err), objectMissing: false }, timeoutMs);
    }
  };
  const rawFailure = (status: number, body: unknown): Failure => {
    const s = parseStatusBody(body);
    return { status, reason: s.reason, message: s.message || `HTTP ${status}`, objectMissing: status === 404 && s.hasKind };
  };
  const deploymentsPath = (gv: string, namespace: string, name?: string) =>
    `/apis/${gv}/namespaces/${encodeURIComponent(namespace)}/deployments${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

  return {
    url: base,
    readService: (namespace, name) => read<Service>(`read service ${namespace}/${name}`, () => core.readNamespacedService({ namespace, name }, bounded())),
    replaceService: (namespace, service) =>
      call(`replace service ${namespace}/${service.metadata?.name ?? ''}`, async () =>
        plain<Service>(await core.replaceNamespacedService({ namespace, name: service.metadata?.name ?? '', body: service as k8s.V1Service }, bounded())),
      ),
    createService: (namespace, service) =>
      call(`create service ${namespace}/${service.metadata?.name ?? ''}`, async () => plain<Service>(await core.createNamespacedService({ namespace, body: service as k8s.V1Service }, bounded()))),
    readEndpoints: (namespace, name) => read<Endpoints>(`read endpoints ${namespace}/${name}`, () => core.readNamespacedEndpoints({ namespace, name }, bounded())),
    listPods: (namespace, selector) =>
      call(`list pods ${namespace} ${labelSelector(selector)}`, async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: labelSelector(selector) }, bounded());
        // The label selector is applied here too: an apiserver that ignores it must not hand back other pods.
        return plain<Pod[]>(list.items).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v));
      }),
    readController: (namespace, name) =>
      read<ReplicationController>(`read replication controller ${namespace}/${name}`, () => core.readNamespacedReplicationController({ namespace, name }, bounded())),
    listControllers: (namespace) =>
      call(`list replication controllers ${namespace}`, async () =>
        plain<ReplicationController[]>((await core.listNamespacedReplicationController({ namespace }, bounded())).items).map((rc) => ({ apiVersion: 'v1', kind: 'ReplicationController', ...rc })),
      ),
    createController: (namespace, rc) =>
      call(`create replication controller ${namespace}/${rc.metadata?.name ?? ''}`, async () =>
        plain<ReplicationController>(await core.createNamespacedReplicationController({ namespace, body: rc as k8s.V1ReplicationController }, bounded())),
      ),
    async scaleController(namespace, name, replicas) {
      await call(`scale replication controller ${namespace}/${name} to ${replicas}`, () =>
        core.patchNamespacedReplicationController(
          { namespace, name, body: { spec: { replicas } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch, bounded()),
        ),
      );
    },
    async deleteController(namespace, name) {
      try {
        await core.deleteNamespacedReplicationController({ namespace, name }, bounded());
        return true;
      } catch (err) {
        const f = toFailure(err);
        if (f.status === 404) return false;
        throw buildWorkloadsError(base, `delete replication controller ${namespace}/${name}`, f, timeoutMs);
      }
    },
    async readDeployment(namespace, name) {
      for (const gv of DEPLOYMENT_GROUP_VERSIONS) {
        const r = await raw('GET', deploymentsPath(gv, namespace, name));
        if (r.status === 200) return { apiVersion: gv, kind: 'Deployment', ...(r.body as Deployment) };
        const f = rawFailure(r.status, r.body);
        if (r.status === 404 && f.objectMissing) return undefined;
        // A 404 without a Status naming the kind: this group is not served here; try the next one.
        if (r.status !== 404) throw buildWorkloadsError(base, `read deployment ${namespace}/${name}`, f, timeoutMs);
      }
      return undefined;
    },
    async listDeployments(namespace) {
      for (const gv of DEPLOYMENT_GROUP_VERSIONS) {
        const r = await raw('GET', deploymentsPath(gv, namespace));
        if (r.status === 200) return ((r.body as { items?: Deployment[] }).items ?? []).map((d) => ({ apiVersion: gv, kind: 'Deployment', ...d }));
        if (r.status !== 404) throw buildWorkloadsError(base, `list deployments ${namespace}`, rawFailure(r.status, r.body), timeoutMs);
      }
      return [];
    },
    async replaceDeployment(namespace, deployment) {
      const name = deployment.metadata?.name ?? '';
      const gv = deployment.apiVersion ?? '';
      if (!(DEPLOYMENT_GROUP_VERSIONS as readonly string[]).includes(gv)) {
        throw new FerryError('KUBE_INVALID', `apiserver ${base}: Deployment ${namespace}/${name} has apiVersion ${JSON.stringify(gv)}, not one of ${DEPLOYMENT_GROUP_VERSIONS.join(', ')}`, {
          subjects: { apiserver: base },
          hint: 'send back the object as it was read (readDeployment sets its apiVersion)',
        });
      }
      const r = await raw('PUT', deploymentsPath(gv, namespace, name), deployment);
      if (r.status === 200 || r.status === 201) return { apiVersion: gv, kind: 'Deployment', ...(r.body as Deployment) };
      throw buildWorkloadsError(base, `replace deployment ${namespace}/${name}`, rawFailure(r.status, r.body), timeoutMs);
    },
  };
}
