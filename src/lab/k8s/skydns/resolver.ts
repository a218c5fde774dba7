/**
 * Reads a name's records from etcd for each query (no cache: when kube2sky changes a record, the next answer
 * changes), and lets concurrent queries for the same key share one read, as skydns's singleinflight does.
 */
import { messageOf } from '../../../errors.ts';
import type { Lookup } from './answer.ts';
import type { EtcdV2Client } from '../common/etcd-v2.ts';
import { buildSkydnsPath } from './msg.ts';
import { collectStoredServices } from './records.ts';

export class SkydnsResolver {
  private readonly inflight = new Map<string, Promise<Lookup>>();

  constructor(
    private readonly etcd: EtcdV2Client,
    private readonly pathPrefix: string,
  ) {}

  /** What etcd holds at and below `name`'s key; etcd failures are a lookup of kind `error`, never a throw. */
  lookup(name: string, signal: AbortSignal): Promise<Lookup> {
    const key = buildSkydnsPath(name.toLowerCase(), this.pathPrefix);
    let pending = this.inflight.get(key);
    if (pending === undefined) {
      pending = this.read(key, signal).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async read(key: string, signal: AbortSignal): Promise<Lookup> {
    try {
      const node = await this.etcd.get(key, { recursive: true }, signal);
      if (node === undefined) return { kind: 'missing' };
      const collected = collectStoredServices(node);
      return collected.ok ? { kind: 'found', services: collected.services } : { kind: 'error', message: collected.message };
    } catch (err) {
      return { kind: 'error', message: messageOf(err) };
    }
  }
}
