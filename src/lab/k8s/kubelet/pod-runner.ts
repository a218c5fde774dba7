/**
 * The kubelet's pods: it follows the pods bound to its node (through the process's shared watch of
 * `/api/v1/pods`, filtered by spec.nodeName as the real kubelet's fieldSelector would), "starts" each one that is
 * not running yet (an address, then status Running/Ready through pods/<name>/status), finishes the deletion of a
 * pod being deleted gracefully (DELETE with grace period 0), and forgets a pod deleted from the apiserver.
 * Pods whose containers are only images that "just run" (images.ts) cost nothing more; pods with a program to run
 * or an image that cannot be pulled go to the container runtime (managed-pods.ts), which keeps their status
 * honest.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../../errors.ts';
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import type { HttpClient } from '../../node-runtime/http-client.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { objectKey, RETRY_DELAY_MS, type WatchEventType } from '../../node-runtime/shared-watch.ts';
import { parseSubnetEnv } from '../flanneld/subnet-file.ts';
import type { HostContainers } from './containers.ts';
import { needsContainerRuntime } from './images.ts';
import { ManagedPods } from './managed-pods.ts';
import { buildRunningPodStatus, computeNextPodIP, isInSubnet, needsStart, type PodLike } from './pods.ts';

export interface PodRunnerOptions {
  readonly client: HttpClient;
  readonly nodeName: string;
  readonly hostAddress: string;
  /** This machine's path of the host's /run/flannel/subnet.env. */
  readonly subnetFile: string;
  readonly log: AgentLogger;
  /** The node's containers (they outlive this kubelet). */
  readonly containers: HostContainers;
}

const MAX_CONFLICT_RETRIES = 3;

export class PodRunner {
  /** Pods bound here that the kubelet knows about: key → pod address ('' when none yet). */
  private readonly pods = new Map<string, string>();
  private readonly queue = new Map<string, PodLike>();
  private working = false;
  private readonly failures: RepeatedLog;
  private readonly managed: ManagedPods;

  constructor(
    private readonly o: PodRunnerOptions,
    private readonly signal: AbortSignal,
  ) {
    this.failures = new RepeatedLog((m) => o.log.error(m));
    this.managed = new ManagedPods(
      {
        client: o.client,
        hostAddress: o.hostAddress,
        containers: o.containers,
        log: o.log,
        choosePodIP: async (key, previous) => {
          const ip = await this.choosePodIP(key, previous);
          this.pods.set(key, ip);
          return ip;
        },
        onDeleted: (key) => this.forget(key),
      },
      signal,
    );
  }

  private mine(pod: PodLike): boolean {
    return pod.spec?.nodeName === this.o.nodeName;
  }

  onSync(items: readonly PodLike[]): void {
    const present = new Set<string>();
    const uids = new Set<string>();
    for (const pod of items) {
      if (!this.mine(pod)) continue;
      const key = objectKey(pod);
      present.add(key);
      uids.add(pod.metadata?.uid ?? key);
      this.consider(key, pod);
    }
    for (const key of [...this.pods.keys()]) {
      if (!present.has(key)) this.forget(key);
    }
    this.managed.removeOrphans(uids);
  }

  onEvent(type: WatchEventType, pod: PodLike): void {
    if (!this.mine(pod)) return;
    const key = objectKey(pod);
    if (type === 'DELETED') this.forget(key);
    else this.consider(key, pod);
  }

  private forget(key: string): void {
    this.queue.delete(key);
    this.managed.remove(key);
    if (this.pods.delete(key)) this.o.log.info(`Pod ${key} was deleted from the API server; forgotten`);
  }

  private consider(key: string, pod: PodLike): void {
    if (this.managed.has(key) || needsContainerRuntime(pod.spec?.containers)) {
      this.queue.delete(key);
      if (!this.pods.has(key)) this.pods.set(key, this.managed.podIPOf(key) ?? pod.status?.podIP ?? '');
      this.managed.upsert(key, pod);
      return;
    }
    if (pod.metadata?.deletionTimestamp !== undefined || needsStart(pod, this.o.nodeName)) {
      if (!this.pods.has(key)) this.pods.set(key, '');
      this.queue.set(key, pod);
      void this.work();
      return;
    }
    // Running with an address already (started by an earlier run of this kubelet): adopt it.
    this.pods.set(key, pod.status?.podIP ?? '');
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.queue.size > 0 && !this.signal.aborted) {
        const [key, pod] = this.queue.entries().next().value as [string, PodLike];
        this.queue.delete(key);
        const retry = await this.handle(key, pod).catch((err: unknown) => {
          this.failures.log(`Error syncing pod ${key}: ${messageOf(err)}`);
          return true;
        });
        if (retry && !this.signal.aborted && !this.queue.has(key) && this.pods.has(key)) {
          await sleep(RETRY_DELAY_MS, undefined, { signal: this.signal }).catch(() => undefined);
          if (!this.queue.has(key) && this.pods.has(key)) this.queue.set(key, pod);
        }
      }
    } finally {
      this.working = false;
    }
  }

  private podPath(pod: PodLike): string {
    return `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? 'default')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}`;
  }

  /** True when it must be tried again later. */
  private async handle(key: string, pod: PodLike): Promise<boolean> {
    if (pod.metadata?.deletionTimestamp !== undefined) {
      const res = await this.o.client.request('DELETE', this.podPath(pod), { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }, signal: this.signal });
      if (res.status === 200 || res.status === 404) {
        this.forget(key);
        return false;
      }
      this.failures.log(`Failed to delete pod ${key}: HTTP ${res.status}`);
      return true;
    }
    let current = pod;
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      if (!needsStart(current, this.o.nodeName)) return false;
      const podIP = await this.choosePodIP(key, this.pods.get(key));
      const status = buildRunningPodStatus(current, { hostIP: this.o.hostAddress, podIP, now: new Date().toISOString() });
      const res = await this.o.client.request('PUT', `${this.podPath(current)}/status`, { body: { ...current, status }, signal: this.signal });
      if (res.status === 200 || res.status === 201) {
        this.pods.set(key, podIP);
        this.failures.reset();
        this.o.log.info(`Pod ${key} is running (IP ${podIP})`);
        return false;
      }
      if (res.status === 404) {
        this.forget(key);
        return false;
      }
      if (res.status !== 409) {
        this.failures.log(`Failed to update status for pod ${key}: HTTP ${res.status}: ${res.text.slice(0, 200)}`);
        return true;
      }
      const fresh = await this.o.client.request('GET', this.podPath(current), { signal: this.signal });
      if (fresh.status === 404) {
        this.forget(key);
        return false;
      }
      if (fresh.status !== 200) return true;
      current = fresh.json as PodLike;
    }
    return true;
  }

  /** `previous` when it lies in the node's subnet and no other pod has it, else the next free address. */
  private async choosePodIP(key: string, previous: string | undefined): Promise<string> {
    let subnet: string | undefined;
    try {
      subnet = parseSubnetEnv(await readFile(this.o.subnetFile, 'utf8'))?.subnet;
    } catch {
      subnet = undefined;
    }
    if (subnet === undefined) return this.o.hostAddress;
    const used = new Set([...[...this.pods].filter(([k]) => k !== key).map(([, ip]) => ip), ...this.o.containers.usedIPs()].filter((ip) => ip !== ''));
    if (previous !== undefined && previous !== '' && isInSubnet(subnet, previous) && !used.has(previous)) return previous;
    return computeNextPodIP(subnet, used) ?? this.o.hostAddress;
  }
}
