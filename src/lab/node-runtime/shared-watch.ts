/**
 * One list+watch of a Kubernetes collection (`/api/v1/pods`, `/api/v1/services`, …) shared by every agent of a
 * process that watches it on the same apiserver: a thousand kubelets in a few node runtimes cost the apiserver a
 * few watches, not a thousand. Each subscriber sees what its own informer would: the full set after every
 * (re)list, then the watch events, and whether the apiserver answers. When the apiserver does not answer, the
 * watch retries every ~2 s (as the real reflectors do) for as long as anyone subscribes. A server that cannot
 * watch is polled instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../errors.ts';
import type { HttpClient } from './http-client.ts';

export interface KubeObjectLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CollectionListener<T extends KubeObjectLike> {
  /** The whole collection, after each (re)list. */
  onSync?(items: readonly T[]): void;
  onEvent?(type: WatchEventType, item: T): void;
  /** A list or watch failed (the message), or the apiserver answers again (undefined). */
  onConnection?(error: string | undefined): void;
}

export const RETRY_DELAY_MS = 2_000;
const POLL_INTERVAL_MS = 3_000;
/** The server ends a watch after this long; the watch then resumes from the last resourceVersion. */
const WATCH_TIMEOUT_SECONDS = 300;

export function objectKey(o: KubeObjectLike): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

interface ListAnswer<T> {
  items?: T[];
  metadata?: { resourceVersion?: string };
}

export class SharedCollectionWatch<T extends KubeObjectLike> {
  private readonly listeners = new Set<CollectionListener<T>>();
  private readonly items = new Map<string, T>();
  private synced = false;
  private lastError: string | undefined;
  private controller: AbortController | undefined;

  constructor(
    private readonly client: HttpClient,
    private readonly path: string,
    private readonly onIdle: () => void,
  ) {}

  subscribe(listener: CollectionListener<T>): () => void {
    this.listeners.add(listener);
    if (this.synced) {
      const items = [...this.items.values()];
      const error = this.lastError;
      queueMicrotask(() => {
        if (!this.listeners.has(listener)) return;
        listener.onSync?.(items);
        if (error !== undefined) listener.onConnection?.(error);
      });
    }
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      void this.run(controller.signal);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.controller?.abort();
        this.controller = undefined;
        this.onIdle();
      }
    };
  }

  private emit(fn: (l: CollectionListener<T>) => void): void {
    for (const l of [...this.listeners]) {
      try {
        fn(l);
      } catch {
        // A listener's failure is its own agent's business.
      }
    }
  }

  private setConnection(error: string | undefined): void {
    if (error === this.lastError) return;
    this.lastError = error;
    this.emit((l) => l.onConnection?.(error));
  }

  private async list(signal: AbortSignal): Promise<string | undefined> {
    const answer = await this.client.request('GET', this.path, { signal });
    if (answer.status !== 200) throw new Error(`GET ${this.path}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
    const list = answer.json as ListAnswer<T> | undefined;
    const fresh = new Map<string, T>();
    for (const item of list?.items ?? []) fresh.set(objectKey(item), item);
    if (this.synced) {
      // A relist after a gap: report what changed meanwhile as events too, as an informer's resync would.
      for (const [key, old] of this.items) if (!fresh.has(key)) this.emit((l) => l.onEvent?.('DELETED', old));
    }
    this.items.clear();
    for (const [key, item] of fresh) this.items.set(key, item);
    this.synced = true;
    this.setConnection(undefined);
    const items = [...this.items.values()];
    this.emit((l) => l.onSync?.(items));
    return list?.metadata?.resourceVersion;
  }

  private apply(type: WatchEventType, item: T): void {
    const key = objectKey(item);
    if (type === 'DELETED') this.items.delete(key);
    else this.items.set(key, item);
    this.emit((l) => l.onEvent?.(type, item));
  }

  /** Watch from `rv`; resolves with the last resourceVersion seen, or `relist` / `poll` when that is needed. */
  private async watch(rv: string | undefined, signal: AbortSignal): Promise<{ next: 'watch'; rv: string | undefined } | { next: 'relist' | 'poll' }> {
    let last = rv;
    let gone = false;
    const query = new URLSearchParams({ watch: 'true', timeoutSeconds: String(WATCH_TIMEOUT_SECONDS) });
    if (rv !== undefined && rv !== '') query.set('resourceVersion', rv);
    const sep = this.path.includes('?') ? '&' : '?';
    const answer = await this.client.stream(`${this.path}${sep}${query.toString()}`, (line) => {
      let event: { type?: string; object?: T & { code?: number } };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.type === 'ERROR') {
        gone = true;
        return;
      }
      if ((event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') && event.object !== undefined) {
        last = event.object.metadata?.resourceVersion ?? last;
        this.apply(event.type, event.object);
      }
    }, signal);
    if (answer !== undefined) {
      if (answer.status === 410) return { next: 'relist' };
      if (answer.status >= 400 && answer.status < 500) return { next: 'poll' };
      throw new Error(`watch ${this.path}: HTTP ${answer.status}`);
    }
    return gone ? { next: 'relist' } : { next: 'watch', rv: last };
  }

  private async run(signal: AbortSignal): Promise<void> {
    let mode: 'watch' | 'poll' = 'watch';
    while (!signal.aborted) {
      try {
        let rv = await this.list(signal);
        if (mode === 'poll') {
          await sleep(POLL_INTERVAL_MS, undefined, { signal });
          continue;
        }
        for (;;) {
          const result = await this.watch(rv, signal);
          if (result.next === 'poll') mode = 'poll';
          if (result.next !== 'watch') break;
          rv = result.rv;
          if (signal.aborted) return;
        }
      } catch (err) {
        if (signal.aborted) return;
        this.setConnection(messageOf(err));
        await sleep(RETRY_DELAY_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
