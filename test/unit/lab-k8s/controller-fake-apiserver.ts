/**
 * An in-memory Kubernetes v1 REST server for the controller-manager and scheduler unit tests: just enough of the
 * standard semantics (resourceVersion + 409 on a stale PUT, generateName, status subresources, pods/<n>/binding,
 * label and spec.nodeName field selectors, watch from a resourceVersion with timeoutSeconds, merge patch shallowly).
 * Not the lab apiserver: that one stores in etcd and is tested against these stand-ins in the integration test.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = { metadata: Record<string, unknown> & { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> }; [k: string]: unknown };

const KINDS: Record<string, string> = { pods: 'Pod', replicationcontrollers: 'ReplicationController', services: 'Service', endpoints: 'Endpoints', events: 'Event', nodes: 'Node' };
const CLUSTER_SCOPED = new Set(['nodes']);

export interface FakeApiserver {
  readonly url: string;
  /** Every object of a resource, by `ns/name` (or `name`), typed as the caller says. */
  objects<T = Obj>(resource: string): Map<string, T>;
  /** Direct write (as another client would), bumping the resourceVersion. */
  put(resource: string, obj: object): Obj;
  /** Requests seen, as `METHOD path` (without the query). */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFakeApiserver(host = '127.0.0.1'): Promise<FakeApiserver> {
  let rev = 1;
  const store = new Map<string, Map<string, Obj>>();
  const log: Array<{ rev: number; resource: string; type: string; object: Obj }> = [];
  const watchers = new Set<() => void>();
  const requests: string[] = [];
  const bucket = (r: string): Map<string, Obj> => store.get(r) ?? store.set(r, new Map()).get(r)!;
  const keyOf = (r: string, ns: string | undefined, name: string): string => (CLUSTER_SCOPED.has(r) ? name : `${ns ?? 'default'}/${name}`);

  function write(resource: string, type: string, obj: Obj): Obj {
    const stored: Obj = structuredClone(obj);
    stored.metadata.resourceVersion = String(++rev);
    const key = keyOf(resource, stored.metadata.namespace, stored.metadata.name ?? '');
    if (type === 'DELETED') bucket(resource).delete(key);
    else bucket(resource).set(key, stored);
    log.push({ rev, resource, type, object: stored });
    for (const w of watchers) w();
    return stored;
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, status(500, 'InternalError', String(err))));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?(?:\/(status|binding))?$/.exec(url.pathname);
    if (m === null || KINDS[m[2] ?? ''] === undefined) return send(res, 404, status(404, 'NotFound', `no route ${url.pathname}`));
    const [, ns, resource = '', name, sub] = m;
    const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : (JSON.parse(await readBody(req)) as Obj);
    const key = name === undefined ? undefined : keyOf(resource, ns, name);
    const current = key === undefined ? undefined : bucket(resource).get(key);
    if (req.method === 'GET' && name === undefined) {
      const matches = (o: Obj): boolean => (ns === undefined || o.metadata.namespace === ns) && selected(o, url.searchParams);
      if (url.searchParams.get('watch') === 'true') return watch(res, resource, matches, Number(url.searchParams.get('resourceVersion') ?? rev), Number(url.searchParams.get('timeoutSeconds') ?? 30));
      return send(res, 200, { kind: `${KINDS[resource]}List`, apiVersion: 'v1', metadata: { resourceVersion: String(rev) }, items: [...bucket(resource).values()].filter(matches) });
    }
    if (req.method === 'GET') return current === undefined ? send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`)) : send(res, 200, current);
    if (req.method === 'POST' && sub === 'binding') {
      if (current === undefined) return send(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
      const spec = current.spec as { nodeName?: string };
      if ((spec.nodeName ?? '') !== '') return send(res, 409, status(409, 'Conflict', `pod ${name} is already assigned to node "${spec.nodeName}"`));
      const target = (body as unknown as { target: { name: string } }).target;
      write(resource, 'MODIFIED', { ...current, spec: { ...spec, nodeName: target.name } });
      return send(res, 201, status(201, '', 'bound'));
    }
    if (req.method === 'POST') {
      const obj = structuredClone(body!);
      obj.metadata.namespace = CLUSTER_SCOPED.has(resource) ? undefined : (ns ?? 'default');
      if (obj.metadata.name === undefined && typeof obj.metadata.generateName === 'string') obj.metadata.name = obj.metadata.generateName + randomUUID().slice(0, 5);
      const k = keyOf(resource, obj.metadata.namespace, obj.metadata.name ?? '');
      if (bucket(resource).has(k)) return send(res, 409, status(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`));
      Object.assign(obj.metadata, { uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), generation: 1 });
      return send(res, 201, write(resource, 'ADDED', obj));
    }
    if (current === undefined) return send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`));
    if (req.method === 'DELETE') {
      write(resource, 'DELETED', current);
      return send(res, 200, current);
    }
    if (req.method === 'PUT') {
      const rv = body!.metadata.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) return send(res, 409, status(409, 'Conflict', 'the object has been modified'));
      const next: Obj = sub === 'status' ? { ...current, status: body!.status } : { ...body!, status: current.status, metadata: { ...body!.metadata, uid: current.metadata.uid } };
      if (sub !== 'status' && JSON.stringify(body!.spec) !== JSON.stringify(current.spec)) next.metadata.generation = Number(current.metadata.generation ?? 1) + 1;
      return send(res, 200, write(resource, 'MODIFIED', next));
    }
    if (req.method === 'PATCH') {
      const next = structuredClone(current) as Record<string, unknown>;
      for (const [k, v] of Object.entries(body!)) next[k] = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(next[k] as object), ...v } : v;
      return send(res, 200, write(resource, 'MODIFIED', next as Obj));
    }
    return send(res, 405, status(405, 'MethodNotAllowed', req.method ?? ''));
  }

  function watch(res: ServerResponse, resource: string, matches: (o: Obj) => boolean, fromRev: number, timeoutSeconds: number): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    let sent = fromRev;
    const flush = (): void => {
      for (const e of log) {
        if (e.rev <= sent) continue;
        sent = e.rev;
        if (e.resource === resource && matches(e.object)) res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
      }
    };
    const end = (): void => {
      watchers.delete(flush);
      clearTimeout(timer);
      res.end();
    };
    const timer = setTimeout(end, timeoutSeconds * 1000);
    res.on('close', end);
    watchers.add(flush);
    flush();
  }

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    objects: <T,>(r: string) => bucket(r) as unknown as Map<string, T>,
    put: (r, o) => {
      const obj = o as Obj;
      return write(r, bucket(r).has(keyOf(r, obj.metadata.namespace, obj.metadata.name ?? '')) ? 'MODIFIED' : 'ADDED', obj);
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const w of [...watchers]) w();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function selected(o: Obj, q: URLSearchParams): boolean {
  const labels = q.get('labelSelector');
  if (labels !== null && labels !== '') {
    for (const term of labels.split(',')) {
      const [k, v] = term.split('=');
      if (o.metadata.labels?.[k ?? ''] !== v) return false;
    }
  }
  const fields = q.get('fieldSelector');
  if (fields !== null && fields.startsWith('spec.nodeName=')) {
    return ((o.spec as { nodeName?: string } | undefined)?.nodeName ?? '') === fields.slice('spec.nodeName='.length);
  }
  return true;
}

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 300 ? 'Success' : 'Failure', reason, message, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}
