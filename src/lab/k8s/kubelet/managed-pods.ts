/**
 * The kubelet's pods that need its container runtime (a program image to run, or an image that cannot be
 * pulled — images.ts): at every change of the pod, every exit of one of its containers and every sync period
 * (for back-offs), it starts or restarts the containers the 1.4 kubelet would (container-state.ts) in the node's
 * container registry (containers.ts), and PUTs the pod's status when what it says changed. A restarted kubelet
 * finds the pods' containers still running in the registry and adopts them. A pod being deleted has its
 * containers stopped before the kubelet finishes the deletion; a pod gone from the apiserver has them stopped.
 */
import { messageOf } from '../../../errors.ts';
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import type { HttpClient } from '../../node-runtime/http-client.ts';
import { RepeatedLog } from '../../node-runtime/repeat-log.ts';
import { decideContainer, type ContainerFacts, type PullFacts } from './container-state.ts';
import type { HostContainers } from './containers.ts';
import { buildContainerArgv, resolveImage } from './images.ts';
import { buildPodStatus, isSamePodStatus, readRestartPolicy } from './pod-status.ts';
import type { PodLike } from './pods.ts';

/** The kubelet's resync of pods with back-offs pending (the real one syncs every 10 s, and at once on events). */
const DEFAULT_SYNC_PERIOD_MS = 2_000;
/** A deleted pod's containers get at most this long to stop (the lab does not wait the full 30 s grace). */
const MAX_STOP_GRACE_MS = 5_000;

export interface ManagedPodsOptions {
  readonly client: HttpClient;
  readonly hostAddress: string;
  readonly containers: HostContainers;
  readonly log: AgentLogger;
  /** An address for the pod: `previous` when still valid, else a free one of the node. */
  readonly choosePodIP: (key: string, previous: string | undefined) => Promise<string>;
  /** Called when a pod's deletion is finished (the kubelet forgets it). */
  readonly onDeleted: (key: string) => void;
  readonly syncPeriodMs?: number;
}

interface Entry {
  pod: PodLike;
  readonly uid: string;
  readonly pulls: Map<string, PullFacts>;
  running: boolean;
  again: boolean;
}

interface ContainerSpecLike {
  name?: string;
  image?: string;
  command?: unknown;
  args?: unknown;
  env?: unknown;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** The container's environment from its `env` (literal values only; valueFrom is not resolved in the lab). */
export function buildContainerEnv(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(env)) return out;
  for (const e of env as { name?: unknown; value?: unknown }[]) {
    if (typeof e.name === 'string' && e.name !== '') out[e.name] = typeof e.value === 'string' ? e.value : '';
  }
  return out;
}

export class ManagedPods {
  private readonly entries = new Map<string, Entry>();
  /** Runs only while there are pods to look after: a kubelet without such pods costs no timer. */
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private readonly failures: RepeatedLog;

  constructor(
    private readonly o: ManagedPodsOptions,
    private readonly signal: AbortSignal,
  ) {
    this.failures = new RepeatedLog((m) => o.log.error(m));
    this.unsubscribe = o.containers.onExit((uid) => {
      for (const [key, e] of this.entries) if (e.uid === uid) this.trigger(key);
    });
    signal.addEventListener('abort', () => this.close(), { once: true });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The pod's address once it has one. */
  podIPOf(key: string): string | undefined {
    const e = this.entries.get(key);
    return e === undefined ? undefined : this.o.containers.sandbox(e.uid)?.podIP;
  }

  upsert(key: string, pod: PodLike): void {
    const uid = pod.metadata?.uid ?? key;
    const entry = this.entries.get(key);
    // The same name with another uid is another pod: the old one's containers go.
    if (entry !== undefined && entry.uid !== uid) this.remove(key);
    const current = this.entries.get(key);
    if (current !== undefined) current.pod = pod;
    else this.entries.set(key, { pod, uid, pulls: new Map(), running: false, again: false });
    this.updateTimer();
    this.trigger(key);
  }

  private updateTimer(): void {
    if (this.entries.size === 0 || this.signal.aborted) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.timer = setInterval(() => {
        for (const key of this.entries.keys()) this.trigger(key);
      }, this.o.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS);
      this.timer.unref();
    }
  }

  /** The pod is gone from the apiserver: its containers are stopped. */
  remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.updateTimer();
    void this.o.containers.removePod(entry.uid, MAX_STOP_GRACE_MS);
  }

  /** After a full list: containers of pods not in it (deleted while this kubelet was away) are stopped. */
  removeOrphans(presentUids: ReadonlySet<string>): void {
    for (const [key, e] of [...this.entries]) if (!presentUids.has(e.uid)) this.entries.delete(key);
    this.updateTimer();
    for (const uid of this.o.containers.podUids()) {
      if (presentUids.has(uid)) continue;
      this.o.log.info(`Killing orphaned containers of pod ${this.o.containers.sandbox(uid)?.podKey ?? uid}`);
      void this.o.containers.removePod(uid, MAX_STOP_GRACE_MS);
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe();
  }

  private trigger(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined || this.signal.aborted) return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.running = true;
    void (async () => {
      try {
        do {
          entry.again = false;
          await this.sync(key, entry).catch((err: unknown) => {
            if (!this.signal.aborted) this.failures.log(`Error syncing pod ${key}: ${messageOf(err)}`);
          });
        } while (entry.again && !this.signal.aborted && this.entries.get(key) === entry);
      } finally {
        entry.running = false;
      }
    })();
  }

  private podPath(pod: PodLike): string {
    return `/api/v1/namespaces/${encodeURIComponent(pod.metadata?.namespace ?? 'default')}/pods/${encodeURIComponent(pod.metadata?.name ?? '')}`;
  }

  private async finishDeletion(key: string, entry: Entry): Promise<void> {
    const grace = Number(entry.pod.metadata?.['deletionGracePeriodSeconds'] ?? 30);
    await this.o.containers.removePod(entry.uid, Math.min(MAX_STOP_GRACE_MS, Math.max(0, grace * 1000)));
    const res = await this.o.client.request('DELETE', this.podPath(entry.pod), { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 }, signal: this.signal });
    if (res.status !== 200 && res.status !== 404) throw new Error(`Failed to delete pod ${key}: HTTP ${res.status}`);
    this.entries.delete(key);
    this.updateTimer();
    this.o.onDeleted(key);
  }

  private async sync(key: string, entry: Entry): Promise<void> {
    const pod = entry.pod;
    if (pod.metadata?.deletionTimestamp !== undefined) return this.finishDeletion(key, entry);
    const containers = this.o.containers;
    let sandbox = containers.sandbox(entry.uid);
    if (sandbox === undefined) {
      const podIP = await this.o.choosePodIP(key, pod.status?.podIP);
      if (this.entries.get(key) !== entry) return;
      sandbox = containers.createSandbox(entry.uid, key, podIP);
    }
    const specs = (pod.spec?.containers ?? []) as ContainerSpecLike[];
    const restartPolicy = readRestartPolicy(pod.spec);
    const [namespace, name] = [pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? ''];
    const startTime = typeof pod.status?.['startTime'] === 'string' ? (pod.status['startTime'] as string) : sandbox.createdAt;
    const factsOf = (c: ContainerSpecLike, i: number): ContainerFacts => {
      const cname = c.name ?? `container-${i}`;
      const instance = containers.instance(entry.uid, cname);
      const pull = entry.pulls.get(cname);
      return {
        name: cname,
        image: c.image ?? '',
        entry: resolveImage(c.image),
        ...(instance !== undefined ? { instance } : {}),
        ...(pull !== undefined ? { pull } : {}),
        podStartedAt: startTime,
        podRef: `${name}_${namespace}(${entry.uid})`,
        restartPolicy,
      };
    };
    specs.forEach((c, i) => {
      const facts = factsOf(c, i);
      const { action } = decideContainer(facts, Date.now());
      if (action === 'pull') {
        entry.pulls.set(facts.name, { attempts: (facts.pull?.attempts ?? 0) + 1, lastAttemptAt: Date.now() });
        this.o.log.warn(`Failed to pull image "${facts.image}": image ${facts.image} not found (pod ${key}, container ${facts.name})`);
      } else if ((action === 'start' || action === 'restart') && facts.entry?.kind === 'program') {
        const argv = buildContainerArgv(facts.entry, strings(c.command), strings(c.args));
        containers.start({ podUid: entry.uid, podKey: key, name: facts.name, image: facts.image, program: facts.entry.program, argv, env: buildContainerEnv(c.env) });
        this.o.log.info(`${action === 'start' ? 'Started' : 'Restarted'} container ${facts.name} of pod ${key} (${argv.join(' ')}) on ${sandbox.podIP}`);
      }
    });
    const now = Date.now();
    const status = buildPodStatus({
      containers: specs.map((c, i) => decideContainer(factsOf(c, i), now).status),
      restartPolicy,
      hostIP: this.o.hostAddress,
      podIP: sandbox.podIP,
      startTime,
      previousConditions: Array.isArray(pod.status?.['conditions']) ? (pod.status['conditions'] as { type?: string; status?: string; lastTransitionTime?: string }[]) : [],
      now: new Date(now).toISOString(),
    });
    if (isSamePodStatus(pod.status, status)) return;
    const res = await this.o.client.request('PUT', `${this.podPath(pod)}/status`, { body: { ...pod, status }, signal: this.signal });
    if (res.status === 200 || res.status === 201) {
      if (this.entries.get(key) === entry && entry.pod === pod && res.json !== undefined) entry.pod = res.json as PodLike;
      this.failures.reset();
      this.o.log.info(`Pod ${key}: ${status.phase}, ready ${status.conditions.find((c) => c.type === 'Ready')?.status ?? '?'} (IP ${sandbox.podIP})`);
      return;
    }
    if (res.status === 404) return this.remove(key);
    if (res.status !== 409) throw new Error(`Failed to update status for pod ${key}: HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    const fresh = await this.o.client.request('GET', this.podPath(pod), { signal: this.signal });
    if (fresh.status === 404) return this.remove(key);
    if (fresh.status === 200 && this.entries.get(key) === entry) {
      entry.pod = fresh.json as PodLike;
      entry.again = true;
    }
  }
}
