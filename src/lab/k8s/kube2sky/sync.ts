/**
 * kube2sky's service handlers: keeps the skydns records in etcd equal to the services the apiserver lists. Each
 * service is reconciled in turn (one etcd mutation at a time, as kube2sky's informer delivers them): a new service
 * gets its records set; a service whose records changed has its name's directory removed and the records written
 * again (kube2sky's updateService); a deleted service has its directory removed. A mutation that keeps failing is
 * retried with a growing delay for `--etcd_mutation_timeout`, then kube2sky dies (mutateEtcdOrDie → glog.Fatalf),
 * and the pod's restart brings it back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../../errors.ts';
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { objectKey, type WatchEventType } from '../../node-runtime/shared-watch.ts';
import type { EtcdV2Client } from '../common/etcd-v2.ts';
import { buildServiceRecords, type ServiceLike } from './records.ts';

const FIRST_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 1_000;

export interface ServiceDnsSyncOptions {
  readonly etcd: Pick<EtcdV2Client, 'set' | 'delete'>;
  /** With its trailing dot. */
  readonly domain: string;
  readonly pathPrefix: string;
  readonly mutationTimeoutMs: number;
  readonly log: AgentLogger;
  readonly signal: AbortSignal;
  /** Called once when a mutation failed for longer than `mutationTimeoutMs`; nothing more is written after it. */
  readonly onFatal: (message: string) => void;
}

interface Written {
  readonly subdomainKey: string;
  /** The records as written ('' when the service has none, e.g. headless). */
  readonly signature: string;
}

export class ServiceDnsSync {
  private readonly services = new Map<string, ServiceLike>();
  private readonly written = new Map<string, Written>();
  private readonly dirty = new Set<string>();
  private readonly skipped = new Set<string>();
  private readonly failures: RepeatedLog;
  private draining = false;
  private dead = false;

  constructor(private readonly o: ServiceDnsSyncOptions) {
    this.failures = new RepeatedLog((m) => o.log.warn(m), 20);
  }

  /** The whole list, after each (re)list: services no longer listed are deleted. */
  onSync(items: readonly ServiceLike[]): void {
    const fresh = new Map(items.map((s) => [objectKey(s), s] as const));
    for (const key of this.services.keys()) if (!fresh.has(key)) this.dirty.add(key);
    this.services.clear();
    for (const [key, s] of fresh) {
      this.services.set(key, s);
      this.dirty.add(key);
    }
    this.kick();
  }

  onEvent(type: WatchEventType, item: ServiceLike): void {
    const key = objectKey(item);
    if (type === 'DELETED') this.services.delete(key);
    else this.services.set(key, item);
    this.dirty.add(key);
    this.kick();
  }

  /** True when nothing is left to write. */
  get idle(): boolean {
    return !this.draining && this.dirty.size === 0;
  }

  private kick(): void {
    if (this.draining || this.dead) return;
    this.draining = true;
    void this.drain().finally(() => {
      this.draining = false;
      if (this.dirty.size > 0 && !this.dead && !this.o.signal.aborted) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty.size > 0 && !this.dead && !this.o.signal.aborted) {
      const key = this.dirty.values().next().value as string;
      this.dirty.delete(key);
      await this.reconcile(key);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const service = this.services.get(key);
    const before = this.written.get(key);
    if (service === undefined) {
      if (before === undefined) return;
      if (await this.mutate(`remove ${key}`, () => this.remove(before.subdomainKey))) this.written.delete(key);
      return;
    }
    const wanted = buildServiceRecords(service, this.o.domain, this.o.pathPrefix);
    if (wanted.kind === 'skip') {
      if (!this.skipped.has(key)) this.o.log.info(`Not adding ${key} to DNS: ${wanted.reason}`);
      this.skipped.add(key);
      if (before !== undefined && before.signature !== '' && !(await this.mutate(`remove ${key}`, () => this.remove(before.subdomainKey)))) return;
      this.written.set(key, { subdomainKey: wanted.subdomainKey, signature: '' });
      return;
    }
    this.skipped.delete(key);
    const signature = JSON.stringify(wanted.records);
    if (before?.signature === signature) return;
    const ok = await this.mutate(`add ${key}`, async () => {
      // An update replaces the name's records: kube2sky removes the old service's then adds the new one's.
      if (before !== undefined) await this.remove(before.subdomainKey);
      for (const record of wanted.records) {
        this.o.log.info(`Setting DNS record: ${record.key} -> ${JSON.stringify(record.value)}`);
        await this.o.etcd.set(record.key, record.value, this.o.signal);
      }
    });
    if (ok) this.written.set(key, { subdomainKey: wanted.subdomainKey, signature });
  }

  private async remove(subdomainKey: string): Promise<void> {
    this.o.log.info(`Removing ${subdomainKey} from DNS`);
    await this.o.etcd.delete(subdomainKey, { recursive: true }, this.o.signal);
  }

  /** Run `fn` until it succeeds; false when it gave up (stopped, or dead after the mutation timeout). */
  private async mutate(what: string, fn: () => Promise<void>): Promise<boolean> {
    const deadline = Date.now() + this.o.mutationTimeoutMs;
    let delay = FIRST_RETRY_DELAY_MS;
    for (;;) {
      try {
        await fn();
        if (this.failures.reset() > 0) this.o.log.info('etcd mutations succeed again');
        return true;
      } catch (err) {
        if (this.o.signal.aborted) return false;
        if (Date.now() + delay > deadline) {
          this.dead = true;
          this.o.onFatal(`Failed to mutate etcd for ${this.o.mutationTimeoutMs / 1000}s using mutator (${what}): ${messageOf(err)}`);
          return false;
        }
        this.failures.log(`Failed to mutate etcd (${what}) due to: ${messageOf(err)}. Will retry.`);
        await sleep(delay, undefined, { signal: this.o.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
      }
    }
  }
}
