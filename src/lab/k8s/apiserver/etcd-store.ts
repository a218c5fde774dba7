/**
 * The apiserver stand-in's storage: objects as JSON in etcd (v3 API, `etcd3` library), resourceVersion = the key's
 * mod revision, lists at the range's header revision. Writes that must not race are transactions (create only if
 * the key's version is 0, replace/delete only if its mod revision is the one read). etcd failures become 500/504
 * Status errors here, once. Every call carries a grpc deadline plus a backstop timer.
 */
import { Etcd3 } from 'etcd3';
import type { IKeyValue, IRequestOp, Watcher } from 'etcd3';
import { isObject } from './json.ts';
import type { KubeObject } from './json.ts';
import { ApiError, StatusReason, internalError, storageTimeout } from './status.ts';
import { buildFailoverPolicy, type FaultPolicy } from '../../../etcd/failover-policy.ts';

interface CallOptions {
  deadline: number;
}

/**
 * etcd cancels a watch when its start revision has been compacted away; etcd3 reports that as `Watcher canceled: `
 * with an empty reason (the compact revision is not passed on). Either way the client must list again: 410.
 */
const WATCH_EXPIRED = /compact|Watcher canceled/i;

export interface StoreWatchEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The object after a put; undefined for a delete or an undecodable value. */
  readonly object: KubeObject | undefined;
  /** The object before the event (its resourceVersion is its own mod revision). */
  readonly previous: KubeObject | undefined;
  /** The revision of the event. */
  readonly revision: string;
}

export interface StoreWatch {
  cancel(): Promise<void>;
}

export interface StoreWatchHandlers {
  onEvent(event: StoreWatchEvent): void;
  /** The watch ended on etcd's side (compaction: `compacted` is true); no more events follow. */
  onError(message: string, compacted: boolean): void;
}

/**
 * Like the real apiserver's etcd client, which balances over --etcd-servers: a member that is down or already
 * removed (every migration has them) costs a retry on the next endpoint, not a failed request (failover-policy.ts).
 */
function buildPassThroughPolicy(): FaultPolicy {
  return buildFailoverPolicy(0);
}

export function decodeObject(kv: IKeyValue | null | undefined): KubeObject | undefined {
  if (kv === undefined || kv === null || kv.value === undefined || kv.value === null || kv.value.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(kv.value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const metadata = isObject(parsed['metadata']) ? parsed['metadata'] : {};
  return { ...parsed, metadata: { ...metadata, resourceVersion: kv.mod_revision } } as KubeObject;
}

export function encodeObject(obj: KubeObject): string {
  const metadata = { ...obj.metadata };
  delete metadata.resourceVersion;
  delete metadata.selfLink;
  return JSON.stringify({ ...obj, metadata });
}

function translateStoreError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/deadline|timed out|timeout/i.test(message)) return storageTimeout(`etcd did not answer in time (${message})`);
  return internalError(`etcd: ${message}`);
}

export class EtcdStore {
  readonly client: Etcd3;
  private readonly callTimeoutMs: number;

  /** `credentials`: PEM contents for etcd over TLS (--etcd-cafile/--etcd-certfile/--etcd-keyfile). */
  constructor(opts: { endpoints: readonly string[]; callTimeoutMs?: number; credentials?: { rootCertificate: Buffer; certChain?: Buffer; privateKey?: Buffer } }) {
    this.callTimeoutMs = opts.callTimeoutMs ?? 5000;
    this.client = new Etcd3({
      hosts: [...opts.endpoints],
      ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 1000 },
      faultHandling: { global: buildFailoverPolicy(opts.endpoints.length * 2), host: () => buildPassThroughPolicy() },
    });
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const res = await this.call((o) => this.client.get(key).options(o).exec());
    const kv = res.kvs[0];
    if (kv === undefined) return undefined;
    const obj = decodeObject(kv);
    if (obj === undefined) throw internalError(`the value at ${key} is not a JSON object`);
    return obj;
  }

  async list(prefix: string): Promise<{ items: KubeObject[]; revision: string }> {
    const res = await this.call((o) => this.client.getAll().prefix(prefix).options(o).exec());
    const items: KubeObject[] = [];
    for (const kv of res.kvs) {
      const obj = decodeObject(kv);
      if (obj !== undefined) items.push(obj);
    }
    return { items, revision: res.header.revision };
  }

  async listKeys(prefix: string): Promise<string[]> {
    return this.call((o) => this.client.getAll().prefix(prefix).options(o).keys());
  }

  /** Stores `obj` at `key` unless the key exists; returns the stored object, or undefined when it existed. */
  async create(key: string, obj: KubeObject): Promise<KubeObject | undefined> {
    const put: IRequestOp = { request_put: { key: Buffer.from(key), value: Buffer.from(encodeObject(obj)) } };
    const res = await this.call((o) => this.client.if(key, 'Version', '==', 0).then(put).options(o).commit());
    if (!res.succeeded) return undefined;
    return withResourceVersion(obj, res.header.revision);
  }

  /**
   * Replaces the object at `key` if its mod revision is still `modRevision` ('0' = create only if absent).
   * Returns the stored object, or undefined when the key changed in between.
   */
  async replace(key: string, obj: KubeObject, modRevision: string): Promise<KubeObject | undefined> {
    const put: IRequestOp = { request_put: { key: Buffer.from(key), value: Buffer.from(encodeObject(obj)) } };
    const res = await this.call((o) => this.client.if(key, 'Mod', '==', modRevision).then(put).options(o).commit());
    if (!res.succeeded) return undefined;
    return withResourceVersion(obj, res.header.revision);
  }

  /** Deletes `key` if its mod revision is still `modRevision`; returns the delete's revision, or undefined. */
  async remove(key: string, modRevision: string): Promise<string | undefined> {
    const del: IRequestOp = { request_delete_range: { key: Buffer.from(key) } };
    const res = await this.call((o) => this.client.if(key, 'Mod', '==', modRevision).then(del).options(o).commit());
    return res.succeeded ? res.header.revision : undefined;
  }

  async removePrefix(prefix: string): Promise<void> {
    await this.call((o) => this.client.delete().prefix(prefix).options(o).exec());
  }

  /** A raw value under an etcd lease of `ttlSeconds` (masterleases). Returns the lease ID. */
  async putWithNewLease(key: string, value: string, ttlSeconds: number): Promise<string> {
    const grant = await this.call((o) => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }, o));
    await this.call((o) => this.client.put(key).value(value).lease(grant.ID).options(o).exec());
    return grant.ID;
  }

  /** A linearizable read (it needs the leader and a quorum) within `timeoutMs`. */
  async isHealthy(timeoutMs: number): Promise<boolean> {
    try {
      await this.call((o) => this.client.get('health').options(o).exec(), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Watches every key under `prefix` from `startRevision` on, with previous values. Resolves once etcd has
   * established it (within the call timeout; a watcher that could not be established is cancelled).
   */
  async watch(prefix: string, startRevision: string, handlers: StoreWatchHandlers): Promise<StoreWatch> {
    const watcher: Watcher = this.client.watch().prefix(prefix).startRevision(startRevision).withPreviousKV().watcher();
    let ended = false;
    const end = (message: string): void => {
      if (ended) return;
      ended = true;
      handlers.onError(message, WATCH_EXPIRED.test(message));
    };
    const cancel = async (): Promise<void> => {
      ended = true;
      await watcher.cancel().catch(() => undefined);
    };
    try {
      await this.call(
        () =>
          new Promise<void>((resolve, reject) => {
            watcher.once('connected', () => resolve());
            watcher.once('error', (err) => reject(err));
          }),
      );
    } catch (err) {
      await cancel();
      if (err instanceof ApiError && WATCH_EXPIRED.test(err.message)) {
        throw new ApiError(410, StatusReason.expired, `too old resource version: ${BigInt(startRevision) - 1n}`);
      }
      throw err;
    }
    watcher.on('data', (res) => {
      if (ended) return;
      try {
        for (const ev of res.events) {
          const key = ev.kv.key.toString('utf8');
          const previous = decodeObject(ev.prev_kv);
          const type = ev.type === 'Delete' ? 'delete' : 'put';
          handlers.onEvent({ type, key, object: type === 'put' ? decodeObject(ev.kv) : undefined, previous, revision: ev.kv.mod_revision });
        }
      } catch (err) {
        // A bug in one watch must not take the server down: end that watch only.
        end(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        void cancel();
      }
    });
    watcher.on('error', (err) => end(err.message));
    return { cancel };
  }

  close(): void {
    this.client.close();
  }

  private async call<T>(fn: (options: CallOptions) => Promise<T>, timeoutMs = this.callTimeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`deadline: no answer from etcd within ${timeoutMs + 1000} ms`)), timeoutMs + 1000);
    });
    try {
      const pending = fn({ deadline: Date.now() + timeoutMs });
      pending.catch(() => undefined);
      return await Promise.race([pending, backstop]);
    } catch (err) {
      throw translateStoreError(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

function withResourceVersion(obj: KubeObject, revision: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: revision } };
}
