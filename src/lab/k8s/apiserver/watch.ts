/**
 * `?watch=true`: a stream of `{"type":"ADDED|MODIFIED|DELETED|ERROR","object":...}` lines over one etcd watch on
 * the collection's key prefix. Without a resourceVersion (or with "0") the stream starts with an ADDED event per
 * existing object, as the real apiserver does; with one, it starts after that revision. Selectors are applied to
 * both sides of a change: an object that stops matching is reported DELETED, one that starts matching ADDED
 * (the real watch cache's rule). A watch that etcd ends (compaction) gets an ERROR event with a 410 Status.
 */
import type { ApiserverContext, ResourceRequest } from './context.ts';
import type { StoreWatchEvent } from './etcd-store.ts';
import type { JsonObject, KubeObject } from './json.ts';
import { readList } from './registry.ts';
import { buildCollectionKey } from './resources.ts';
import { matchesFilter, parseFieldSelector, parseObjectFilter } from './selectors.ts';
import type { ObjectFilter } from './selectors.ts';
import { ApiError, StatusReason, badRequest, buildStatusBody } from './status.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

/** Where events go: the HTTP response, in the server. */
export interface WatchSink {
  /** Called once, before the first event (sends the 200 and the headers). */
  start(): void;
  /** One event's object, rendered (JSON object or Table) by the server. */
  send(type: WatchEventType, object: KubeObject): void;
  sendError(status: JsonObject): void;
  end(): void;
  /** Registers what to do when the client goes away. */
  onClose(fn: () => void): void;
}

/** The event a client with `filter` sees for a change in etcd, or undefined when it sees none. Pure. */
export function computeWatchEvent(change: StoreWatchEvent, filter: ObjectFilter): WatchEvent | undefined {
  const oldMatch = change.previous !== undefined && matchesFilter(filter, change.previous);
  const deleted = (prev: KubeObject): WatchEvent => ({
    type: 'DELETED',
    object: { ...prev, metadata: { ...prev.metadata, resourceVersion: change.revision } },
  });
  if (change.type === 'delete') return change.previous !== undefined && oldMatch ? deleted(change.previous) : undefined;
  if (change.object === undefined) return undefined;
  const newMatch = matchesFilter(filter, change.object);
  if (newMatch) return { type: oldMatch ? 'MODIFIED' : 'ADDED', object: change.object };
  return oldMatch && change.previous !== undefined ? deleted(change.previous) : undefined;
}

/** The watch's filter: the selectors, plus the object's name when the URL names one. Throws 400 when malformed. */
export function buildWatchFilter(req: ResourceRequest): ObjectFilter {
  const filter = parseObjectFilter(req.query.get('labelSelector'), req.query.get('fieldSelector'));
  if (req.name === undefined) return filter;
  return { ...filter, fields: [...filter.fields, ...parseFieldSelector(`metadata.name=${req.name}`)] };
}

/** How long the stream stays open: `timeoutSeconds`, else 30–60 min like the real --min-request-timeout. */
export function computeWatchTimeoutMs(query: URLSearchParams, random: () => number = Math.random): number {
  const text = query.get('timeoutSeconds');
  if (text !== null && /^\d+$/.test(text)) return Number(text) * 1000;
  return Math.floor(1800_000 * (1 + random()));
}

/** Runs one watch until the client leaves, the timeout passes or etcd ends it. */
export async function serveWatch(ctx: ApiserverContext, req: ResourceRequest, sink: WatchSink): Promise<void> {
  const filter = buildWatchFilter(req);
  const rv = req.query.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  // Events that arrive before the stream has started are held, so none is lost or reordered.
  let started = false;
  let closed = false;
  let watch: { cancel(): Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined = undefined;
  const pending: WatchEvent[] = [];
  let failure: JsonObject | undefined;
  const stop = (): void => {
    closed = true;
    clearTimeout(timer);
    void watch?.cancel();
  };
  // Registered first: a client that leaves during the initial list must not leave a watch behind.
  sink.onClose(stop);
  const finish = (): void => {
    if (closed) return;
    stop();
    sink.end();
  };

  let initial: KubeObject[] = [];
  let startRevision: bigint;
  if (rv === '' || rv === '0') {
    const list = await readList(ctx, req.spec, req.namespace);
    initial = list.items.filter((o) => matchesFilter(filter, o));
    startRevision = BigInt(list.revision) + 1n;
  } else startRevision = BigInt(rv) + 1n;
  if (closed) return;

  const handlers = {
    onEvent(change: StoreWatchEvent): void {
      const event = computeWatchEvent(change, filter);
      if (event === undefined || closed) return;
      if (started) sink.send(event.type, event.object);
      else pending.push(event);
    },
    onError(message: string, compacted: boolean): void {
      const err = compacted
        ? new ApiError(410, StatusReason.expired, `too old resource version: ${rv}`)
        : new ApiError(500, StatusReason.internalError, `Internal error occurred: watch ended: ${message}`);
      if (!started) failure = buildStatusBody(err);
      else if (!closed) {
        sink.sendError(buildStatusBody(err));
        finish();
      }
    },
  };
  try {
    watch = await ctx.store.watch(buildCollectionKey(ctx.prefix, req.spec, req.namespace), startRevision.toString(), handlers);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 410) throw err;
    failure = buildStatusBody(err);
  }
  if (closed) {
    void watch?.cancel();
    return;
  }
  timer = setTimeout(finish, computeWatchTimeoutMs(req.query));
  sink.start();
  started = true;
  for (const obj of initial) sink.send('ADDED', obj);
  for (const event of pending.splice(0)) sink.send(event.type, event.object);
  if (failure !== undefined) {
    sink.sendError(failure);
    finish();
  }
}
