/**
 * A tiny Kubernetes REST client over fetch, shared by the lab's controller-manager and scheduler stand-ins. It
 * speaks the plain v1 wire format (JSON bodies, `metav1.Status` errors, newline-delimited watch events), so the
 * stand-ins work against any apiserver that does: the lab's, or a real one.
 *
 * Every request is bounded (`requestTimeoutMs`); a watch is bounded by its `timeoutSeconds` (the server ends it)
 * plus a client-side guard. HTTP and socket failures are translated here, once, into {@link KubeApiError}.
 */
import { FerryError, messageOf } from '../../errors.ts';
import { realSleep, type Sleep } from '../../util/retry.ts';

/** The part of ObjectMeta every object has. */
export interface KubeMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind: string; name: string; uid: string; controller?: boolean }>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMeta;
}

export interface KubeList<T> {
  kind?: string;
  metadata: { resourceVersion?: string };
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  type: WatchEventType;
  /** For ERROR events this is a Status object, not a T. */
  object: T;
}

/** A Status answer (or a transport failure) from the apiserver. `status` is 0 when no HTTP answer came. */
export class KubeApiError extends FerryError {
  readonly status: number;
  /** The Status reason (`NotFound`, `Conflict`, `AlreadyExists`, ...), or '' without one. */
  readonly reason: string;
  constructor(code: string, message: string, status: number, reason: string, opts: { retryable: boolean; cause?: unknown; subjects?: Record<string, string> }) {
    super(code, message, {
      retryable: opts.retryable,
      cause: opts.cause,
      subjects: opts.subjects ?? {},
      hint: status === 0 ? 'Check that the apiserver given by --master is running; the component keeps retrying.' : undefined,
    });
    this.status = status;
    this.reason = reason;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

export interface KubeClientOptions {
  /** The apiserver, `http://host:port` (what `--master` gives). */
  readonly master: string;
  /** Bound for one non-watch request, in ms. Default 10000. */
  readonly requestTimeoutMs?: number;
  /** Sent as User-Agent, e.g. `kube-scheduler/v1.4.7`. */
  readonly userAgent?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  signal?: AbortSignal;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  /** The server ends the watch after this many seconds. Default 60; the client gives up 10 s later. */
  timeoutSeconds?: number;
}

export class KubeClient {
  readonly master: string;
  private readonly requestTimeoutMs: number;
  private readonly userAgent: string;

  constructor(opts: KubeClientOptions) {
    this.master = opts.master.replace(/\/+$/, '');
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.userAgent = opts.userAgent ?? 'ferry-lab';
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, { signal });
  }

  list<T>(path: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', withQuery(path, selectorQuery(opts)), undefined, { signal: opts.signal });
  }

  create<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', path, body, { signal });
  }

  /** PUT: fails with 409 Conflict when body.metadata.resourceVersion is stale. */
  replace<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PUT', path, body, { signal });
  }

  /** JSON merge patch (RFC 7386). */
  patch<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('PATCH', path, body, { signal, contentType: 'application/merge-patch+json' });
  }

  /** DELETE; `gracePeriodSeconds: 0` asks for immediate removal. */
  async delete(path: string, opts: { gracePeriodSeconds?: number; signal?: AbortSignal } = {}): Promise<void> {
    const body = opts.gracePeriodSeconds === undefined ? undefined : { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: opts.gracePeriodSeconds };
    await this.request<unknown>('DELETE', path, body, { signal: opts.signal });
  }

  /**
   * `GET path?watch=true`: yields events until the server ends the stream, the guard (timeoutSeconds + 10 s)
   * fires, or `signal` aborts (all three end it quietly). An ERROR event is yielded as is (its object is a Status; 410 means "relist").
   */
  async *watch<T>(path: string, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const timeoutSeconds = opts.timeoutSeconds ?? 60;
    const query: Record<string, string> = { ...selectorQuery(opts), watch: 'true', timeoutSeconds: String(timeoutSeconds) };
    if (opts.resourceVersion !== undefined && opts.resourceVersion !== '') query.resourceVersion = opts.resourceVersion;
    const guard = AbortSignal.timeout((timeoutSeconds + 10) * 1000);
    const signal = opts.signal === undefined ? guard : AbortSignal.any([guard, opts.signal]);
    let res: Response;
    try {
      res = await this.send('GET', withQuery(path, query), undefined, signal, undefined);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (res.body === null) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line !== '') yield parseWatchLine<T>(line, path);
        }
      }
    } catch (err) {
      // The guard ending a quiet watch is the normal end of a watch, and the caller's abort ends it too.
      if (signal.aborted) return;
      throw translateFetchError(err, 'GET', path, signal);
    }
    if (buffered.trim() !== '') yield parseWatchLine<T>(buffered.trim(), path);
  }

  private async request<T>(method: string, path: string, body: unknown, o: { signal?: AbortSignal | undefined; contentType?: string }): Promise<T> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = o.signal === undefined ? timeout : AbortSignal.any([timeout, o.signal]);
    const res = await this.send(method, path, body, signal, o.contentType);
    try {
      const text = await res.text();
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch (err) {
      throw translateFetchError(err, method, path, signal);
    }
  }

  /** One HTTP exchange; non-2xx answers become KubeApiError. */
  private async send(method: string, path: string, body: unknown, signal: AbortSignal, contentType: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.userAgent };
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
    let res: Response;
    try {
      res = await fetch(this.master + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (err) {
      throw translateFetchError(err, method, path, signal);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let status: { message?: string; reason?: string } = {};
    try {
      status = JSON.parse(text) as typeof status;
    } catch {
      status = { message: text.trim() };
    }
    throw new KubeApiError(
      codeForStatus(res.status),
      `${method} ${path}: ${res.status} ${status.reason ?? res.statusText}: ${status.message ?? ''}`.trimEnd(),
      res.status,
      status.reason ?? '',
      { retryable: res.status === 409 || res.status === 429 || res.status >= 500, subjects: { apiserver: this.master } },
    );
  }
}

function codeForStatus(status: number): string {
  switch (status) {
    case 404: return 'LAB_K8S_NOT_FOUND';
    case 409: return 'LAB_K8S_CONFLICT';
    case 410: return 'LAB_K8S_GONE';
    default: return 'LAB_K8S_API_ERROR';
  }
}

function translateFetchError(err: unknown, method: string, path: string, signal: AbortSignal): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const detail = signal.aborted ? 'timed out or cancelled' : (cause?.code ?? cause?.message ?? messageOf(err));
  return new KubeApiError('LAB_K8S_UNREACHABLE', `${method} ${path}: apiserver did not answer (${detail})`, 0, '', { retryable: true, cause: err });
}

function parseWatchLine<T>(line: string, path: string): WatchEvent<T> {
  try {
    const ev = JSON.parse(line) as Partial<WatchEvent<T>>;
    if (typeof ev.type === 'string' && ev.object !== undefined) return ev as WatchEvent<T>;
  } catch {
    // fall through
  }
  throw new KubeApiError('LAB_K8S_BAD_WATCH', `watch ${path}: not a watch event: ${line.slice(0, 200)}`, 0, '', { retryable: true });
}

function selectorQuery(o: ListOptions): Record<string, string> {
  const q: Record<string, string> = {};
  if (o.labelSelector !== undefined) q.labelSelector = o.labelSelector;
  if (o.fieldSelector !== undefined) q.fieldSelector = o.fieldSelector;
  return q;
}

function withQuery(path: string, query: Record<string, string>): string {
  const qs = new URLSearchParams(query).toString();
  return qs === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${qs}`;
}

export interface BackoffOptions {
  /** First delay after a failure, in ms. Default 200. */
  readonly initialDelayMs?: number;
  /** Cap, in ms. Default 5000. */
  readonly maxDelayMs?: number;
}

/** The delay before attempt `failures + 1` after `failures` consecutive failures: doubling, capped. */
export function computeBackoffMs(failures: number, o: BackoffOptions = {}): number {
  const initial = o.initialDelayMs ?? 200;
  const max = o.maxDelayMs ?? 5000;
  if (failures <= 0) return 0;
  return Math.min(max, initial * 2 ** Math.min(failures - 1, 20));
}

/**
 * Run `fn` until it succeeds or `signal` aborts, sleeping with backoff between failures: the real components
 * never give up on an unreachable apiserver. Resolves undefined when aborted.
 */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  o: BackoffOptions & { signal: AbortSignal; onError?: (err: unknown, failures: number) => void; sleep?: Sleep },
): Promise<T | undefined> {
  const sleep = o.sleep ?? realSleep;
  for (let failures = 0; !o.signal.aborted; ) {
    try {
      return await fn();
    } catch (err) {
      if (o.signal.aborted) return undefined;
      failures++;
      o.onError?.(err, failures);
      await sleep(computeBackoffMs(failures, o), o.signal).catch(() => undefined);
    }
  }
  return undefined;
}
