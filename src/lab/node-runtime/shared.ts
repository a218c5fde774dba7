/**
 * What the agents of one process share: HTTP connection pools, and reference-counted resources keyed by what
 * they watch (a Kubernetes collection on one apiserver, flannel's config in one etcd cluster). A resource is
 * created by its first user and closed when its last user releases it. Some resources outlive their users — a
 * host's containers, which belong to the node as docker's do, not to the kubelet that started them: those are
 * kept until the process ends, and mark the process busy while they hold anything (a node runtime that holds
 * containers is not ended for being idle).
 */
import { HttpClient, HttpPools, tlsKey, type HttpTarget } from './http-client.ts';
import { SharedCollectionWatch, type CollectionListener, type KubeObjectLike } from './shared-watch.ts';

export interface Closeable {
  close(): void;
}

export interface Lease<T> {
  readonly value: T;
  /** Give the resource back (idempotent). */
  release(): void;
}

function targetKey(target: HttpTarget): string {
  // The credentials only tell connections apart; the key never leaves this process.
  return JSON.stringify([target.base, target.auth?.username ?? '', target.auth?.password ?? '', target.auth?.token ?? '', target.insecureSkipTlsVerify === true, tlsKey(target.tls)]);
}

export class AgentShared {
  readonly pools = new HttpPools();
  private readonly clients = new Map<string, HttpClient>();
  private readonly resources = new Map<string, { value: Closeable; users: number }>();
  private readonly watches = new Map<string, SharedCollectionWatch<KubeObjectLike>>();
  private readonly kept = new Map<string, Closeable>();
  private readonly busyKeys = new Set<string>();
  private busyListener: ((busy: boolean) => void) | undefined;

  client(target: HttpTarget): HttpClient {
    const key = targetKey(target);
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new HttpClient(target, this.pools);
      this.clients.set(key, client);
    }
    return client;
  }

  /** The resource under `key`, created by `create` for its first user. */
  acquire<T extends Closeable>(key: string, create: () => T): Lease<T> {
    let entry = this.resources.get(key);
    if (entry === undefined) {
      entry = { value: create(), users: 0 };
      this.resources.set(key, entry);
    }
    entry.users++;
    const held = entry;
    let released = false;
    return {
      value: held.value as T,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.users === 0 && this.resources.get(key) === held) {
          this.resources.delete(key);
          held.value.close();
        }
      },
    };
  }

  /** Follow the collection at `path` (e.g. `/api/v1/pods`) on `target`; returns the unsubscribe function. */
  watchCollection<T extends KubeObjectLike>(target: HttpTarget, path: string, listener: CollectionListener<T>): () => void {
    const key = `${targetKey(target)} ${path}`;
    let watch = this.watches.get(key);
    if (watch === undefined) {
      const created = new SharedCollectionWatch<KubeObjectLike>(this.client(target), path, () => {
        if (this.watches.get(key) === created) this.watches.delete(key);
      });
      watch = created;
      this.watches.set(key, watch);
    }
    return (watch as unknown as SharedCollectionWatch<T>).subscribe(listener);
  }

  /** The long-lived resource under `key` (created by its first user), closed only by close(). */
  keep<T extends Closeable>(key: string, create: () => T): T {
    let value = this.kept.get(key);
    if (value === undefined) {
      value = create();
      this.kept.set(key, value);
    }
    return value as T;
  }

  /** Say whether the kept resource `key` holds work the process must not drop while no agent runs. */
  setBusy(key: string, busy: boolean): void {
    const before = this.busyKeys.size > 0;
    if (busy) this.busyKeys.add(key);
    else this.busyKeys.delete(key);
    const after = this.busyKeys.size > 0;
    if (before !== after) this.busyListener?.(after);
  }

  /** `listener` hears when the process becomes busy or idle (see setBusy). */
  onBusyChange(listener: (busy: boolean) => void): void {
    this.busyListener = listener;
  }

  /** Counts for the runtime's status line. */
  stats(): { watches: number; resources: number } {
    return { watches: this.watches.size, resources: this.resources.size + this.kept.size };
  }

  close(): void {
    for (const value of this.kept.values()) value.close();
    this.kept.clear();
    this.busyKeys.clear();
    for (const { value } of this.resources.values()) value.close();
    this.resources.clear();
    this.pools.destroy();
  }
}
