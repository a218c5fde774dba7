/**
 * Watching flannel's network config while flanneld runs, shared by every flanneld of a process that uses the same
 * etcd endpoints and prefix: one read of `<prefix>/config` every 2 s tells them all whether etcd still answers
 * (each flanneld exits when it has not for too long) and whether the config changed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../../errors.ts';
import type { Closeable } from '../../node-runtime/shared.ts';
import type { EtcdV2Client } from '../common/etcd-v2.ts';

const POLL_INTERVAL_MS = 2_000;

export class FlannelConfigMonitor implements Closeable {
  /** When etcd last answered (ms since epoch). */
  lastOkAt: number;
  /** The config's value at that time (undefined when the key is missing). */
  value: string | undefined;
  lastError: string | undefined;
  private readonly controller = new AbortController();

  constructor(
    private readonly etcd: EtcdV2Client,
    private readonly key: string,
    initialValue: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.lastOkAt = now();
    this.value = initialValue;
    void this.run();
  }

  /** How long etcd has not answered, in ms (0 when it answered at the last poll). */
  unreachableForMs(): number {
    return Math.max(0, this.now() - this.lastOkAt - POLL_INTERVAL_MS);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await sleep(POLL_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        const node = await this.etcd.get(this.key, {}, signal);
        this.value = node?.value;
        this.lastOkAt = this.now();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = messageOf(err);
      }
    }
  }

  close(): void {
    this.controller.abort();
  }
}
