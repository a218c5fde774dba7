/**
 * How the lab controllers run: a level-triggered sync loop (each sync reads fresh lists from the apiserver and
 * makes the world match them, so nothing depends on a cache being right) woken by watches and by a periodic
 * resync. Syncs of one loop never overlap; triggers during a sync coalesce into one more sync. Failures are
 * logged once and retried with backoff, forever: the real components never give up on the apiserver.
 */
import { computeBackoffMs, type KubeClient, type KubeObject, type WatchEvent } from '../client.ts';
import { realSleep } from '../../../util/retry.ts';
import type { Logger } from './log.ts';

export interface SyncLoopOptions {
  /** Names the loop in problem lines (`replication-manager`). */
  readonly name: string;
  readonly sync: (signal: AbortSignal) => Promise<void>;
  /** Sync at least this often, in ms. */
  readonly resyncMs: number;
  /** Wait this long after a trigger before syncing, to coalesce bursts of events, in ms. Default 50. */
  readonly coalesceMs?: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface SyncLoop {
  /** Ask for a sync soon. */
  trigger(): void;
  /** Resolves when the loop has stopped (after `signal` aborts). */
  readonly done: Promise<void>;
}

export function startSyncLoop(o: SyncLoopOptions): SyncLoop {
  let pending = true;
  let wake: (() => void) | undefined;
  const trigger = (): void => {
    pending = true;
    wake?.();
  };
  const waitForWake = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        o.signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      o.signal.addEventListener('abort', done, { once: true });
      wake = done;
    });
  const run = async (): Promise<void> => {
    let failures = 0;
    while (!o.signal.aborted) {
      if (!pending) await waitForWake(failures > 0 ? computeBackoffMs(failures) : o.resyncMs);
      if (o.signal.aborted) break;
      pending = false;
      await realSleep(o.coalesceMs ?? 50, o.signal).catch(() => undefined);
      if (o.signal.aborted) break;
      try {
        await o.sync(o.signal);
        failures = 0;
        o.log.recovered(o.name);
      } catch (err) {
        if (o.signal.aborted) break;
        failures++;
        o.log.problem(o.name, err);
      }
    }
  };
  return { trigger, done: run() };
}

export interface WatchTriggerOptions {
  /** A collection path, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  /** Called for every event, and once after each (re)list (event undefined). */
  readonly onChange: (event: WatchEvent<KubeObject> | undefined) => void;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Server-side watch timeout, in seconds. Default 60. */
  readonly timeoutSeconds?: number;
}

/**
 * List (for a resourceVersion), then watch from it; when a watch ends normally, watch again from the last
 * resourceVersion seen; on 410 Gone or any failure, relist (after backoff on failures). Runs until aborted.
 */
export async function runWatchTrigger(client: KubeClient, o: WatchTriggerOptions): Promise<void> {
  const topic = `watch ${o.path}${o.fieldSelector === undefined ? '' : `?fieldSelector=${o.fieldSelector}`}`;
  const selectors = { fieldSelector: o.fieldSelector, labelSelector: o.labelSelector };
  let failures = 0;
  let resourceVersion: string | undefined;
  while (!o.signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const list = await client.list<KubeObject>(o.path, { ...selectors, signal: o.signal });
        resourceVersion = list.metadata.resourceVersion ?? '';
        o.onChange(undefined);
      }
      const startedMs = Date.now();
      const events = client.watch<KubeObject>(o.path, { ...selectors, resourceVersion, timeoutSeconds: o.timeoutSeconds, signal: o.signal });
      for await (const event of events) {
        if (event.type === 'ERROR') {
          // 410 Gone / Expired: our resourceVersion is too old; anything else: start over too.
          resourceVersion = undefined;
          break;
        }
        const rv = event.object.metadata?.resourceVersion;
        if (rv !== undefined && rv !== '') resourceVersion = rv;
        if (event.type !== 'BOOKMARK') o.onChange(event);
      }
      failures = 0;
      o.log.recovered(topic);
      // A server that ends watches at once must not make this loop spin.
      if (Date.now() - startedMs < 1000) await realSleep(1000, o.signal).catch(() => undefined);
    } catch (err) {
      if (o.signal.aborted) break;
      resourceVersion = undefined;
      failures++;
      o.log.problem(topic, err);
      await realSleep(computeBackoffMs(failures), o.signal).catch(() => undefined);
    }
  }
}
