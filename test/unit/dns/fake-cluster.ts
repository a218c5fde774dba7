/**
 * An in-memory apiserver + controllers for the DNS step's unit tests: a KubeWorkloads whose replication
 * controllers and Deployments keep their pod counts one move per tick (a tick = each sleep of the step), whose pods
 * become Ready one tick after they are created (unless their image is "bad"), and whose endpoints follow the
 * service's selector. Every change is followed by a check of the invariant the step must keep: at least one Ready
 * skydns pod behind the service (the DNS keeps answering).
 */
import { FerryError } from '../../../src/errors.ts';
import type { Deployment, Endpoints, Labels, Pod, PodTemplate, ReplicationController, Service } from '../../../src/kube/objects.ts';
import type { KubeWorkloads } from '../../../src/ports/kube.ts';
import type { DnsStep } from '../../../src/plan/types.ts';
import type { StepContext } from '../../../src/run/step-context.ts';
import type { Deps } from '../../../src/ports/deps.ts';
import type { GateCheck } from '../../../src/gate-check.ts';
import { load2016, loadDeploymentVariant } from './fixtures.ts';

export const KUBERNETES_IP = '172.16.0.1';
export const DNS_IP = '172.16.40.1';

function selects(labels: Labels | undefined, selector: Labels | undefined): boolean {
  const e = Object.entries(selector ?? {});
  return e.length > 0 && e.every(([k, v]) => labels?.[k] === v);
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

export interface FakeOptions {
  /** Images whose pods never become Ready, with the waiting reason they show. */
  readonly badImages?: Readonly<Record<string, string>>;
  /** Ticks a new pod takes to become Ready. Default 1. */
  readonly readyAfterTicks?: number;
  /** Ticks a Ready pod takes to show in its service's endpoints (the endpoints controller's lag). Default 1. */
  readonly endpointsLagTicks?: number;
}

export class FakeCluster implements KubeWorkloads {
  readonly url = 'http://fake:8080';
  services = new Map<string, Service>();
  rcs = new Map<string, ReplicationController>();
  deployments = new Map<string, Deployment>();
  pods = new Map<string, Pod & { bornAt: number; readySince?: number }>();
  tick = 0;
  private seq = 0;
  private rv = 100;
  /** Calls that changed something, in order: `create rc skydns-v10`, `scale skydns 0`, … */
  readonly log: string[] = [];
  /** Invariant breaks seen (should stay empty). */
  readonly violations: string[] = [];
  /** Set to make every call throw (an apiserver that went away). */
  down = false;

  constructor(private readonly o: FakeOptions = {}) {
    this.services.set('kubernetes', { kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: KUBERNETES_IP, selector: {} } });
  }

  static dns2016(o: FakeOptions = {}): FakeCluster {
    const c = new FakeCluster(o);
    const { service, skydns, kube2sky } = load2016();
    c.seed(service, [kube2sky, skydns], []);
    return c;
  }

  static dnsDeployments(o: FakeOptions = {}): FakeCluster {
    const c = new FakeCluster(o);
    const { service, skydns, kube2sky } = loadDeploymentVariant();
    c.seed(service, [], [kube2sky, skydns]);
    return c;
  }

  seed(service: Service, rcs: ReplicationController[], deps: Deployment[]): void {
    this.services.set(service.metadata?.name ?? '', { ...clone(service), metadata: { ...service.metadata, namespace: 'default', resourceVersion: String(this.rv++) } });
    for (const rc of rcs) this.rcs.set(rc.metadata?.name ?? '', { ...clone(rc), metadata: { ...rc.metadata, resourceVersion: String(this.rv++), uid: `uid-${this.seq++}` } });
    for (const d of deps) this.deployments.set(d.metadata?.name ?? '', { ...clone(d), metadata: { ...d.metadata, resourceVersion: String(this.rv++) } });
    // Start settled: every pod there and Ready.
    for (let i = 0; i < 10; i++) this.advance();
    this.log.length = 0;
    this.violations.length = 0;
  }

  private newPod(prefix: string, template: PodTemplate | undefined): void {
    const name = `${prefix}-${(this.seq++).toString(36).padStart(5, '0')}`;
    const t = clone(template) ?? {};
    this.pods.set(name, {
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { ...(t.metadata?.labels ?? {}) } },
      spec: { nodeName: 'n1', containers: clone(t.spec?.containers ?? []) },
      status: { phase: 'Pending', podIP: `10.0.0.${this.seq}`, conditions: [] },
      bornAt: this.tick,
    });
  }

  private podsOf(selector: Labels | undefined): (Pod & { bornAt: number; readySince?: number })[] {
    return [...this.pods.values()].filter((p) => selects(p.metadata?.labels, selector)).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  private isReady(p: Pod): boolean {
    return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  }

  /** One move of every controller, and pods getting Ready. */
  advance(): void {
    this.tick++;
    for (const p of this.pods.values()) {
      const image = p.spec?.containers?.[0]?.image ?? '';
      const bad = this.o.badImages?.[image];
      if (bad !== undefined) {
        p.status = { phase: 'Pending', podIP: p.status?.podIP ?? '', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'c', ready: false, state: { waiting: { reason: bad, message: `image ${image} not found` } } }] };
      } else if (this.tick - p.bornAt >= (this.o.readyAfterTicks ?? 1)) {
        p.status = { phase: 'Running', podIP: p.status?.podIP ?? '', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }] };
        p.readySince ??= this.tick;
      }
    }
    for (const rc of this.rcs.values()) {
      const pods = this.podsOf(rc.spec?.selector);
      const want = rc.spec?.replicas ?? 1;
      if (pods.length < want) this.newPod(rc.metadata?.name ?? '', rc.spec?.template);
      else if (pods.length > want) this.pods.delete((pods.find((p) => !this.isReady(p)) ?? pods[0])?.metadata?.name ?? '');
    }
    for (const d of this.deployments.values()) {
      const pods = this.podsOf(d.spec?.selector?.matchLabels);
      const wantArgs = JSON.stringify(d.spec?.template?.spec?.containers?.map((c) => c.args));
      const current = pods.filter((p) => JSON.stringify(p.spec?.containers?.map((c) => c.args)) === wantArgs);
      const old = pods.filter((p) => !current.includes(p));
      const want = d.spec?.replicas ?? 1;
      // Available: Ready for minReadySeconds (which ferry sets to cover the endpoints' lag, in this fake's ticks).
      const minReady = typeof d.spec?.['minReadySeconds'] === 'number' && d.spec['minReadySeconds'] > 0 ? (this.o.endpointsLagTicks ?? 1) : 0;
      const readyNew = current.filter((p) => this.isReady(p) && p.readySince !== undefined && this.tick - p.readySince >= minReady).length;
      if (old.length > 0 && readyNew + old.length > want) this.pods.delete(old[0]?.metadata?.name ?? '');
      else if (current.length < want && pods.length < want + 1) this.newPod(d.metadata?.name ?? '', d.spec?.template);
    }
    this.checkInvariant();
  }

  /** Pods listed in a service's endpoints: Ready for at least the endpoints controller's lag. */
  private serving(selector: Labels | undefined): (Pod & { bornAt: number; readySince?: number })[] {
    const lag = this.o.endpointsLagTicks ?? 1;
    return this.podsOf(selector).filter((p) => this.isReady(p) && p.readySince !== undefined && this.tick - p.readySince >= lag);
  }

  private checkInvariant(): void {
    const svc = this.services.get('skydns-svc');
    if (svc === undefined) return;
    if (this.serving(svc.spec?.selector).length === 0) this.violations.push(`tick ${this.tick}: no pod in skydns-svc's endpoints (${this.log.at(-1) ?? ''})`);
  }

  private guard(): void {
    if (this.down) throw new FerryError('KUBE_UNREACHABLE', 'fake apiserver down', { retryable: true });
  }

  private bump<T extends { metadata?: Record<string, unknown> }>(o: T): T {
    return { ...o, metadata: { ...o.metadata, resourceVersion: String(this.rv++) } };
  }

  // KubeWorkloads ---------------------------------------------------------------------------------------------
  async readService(_ns: string, name: string) {
    this.guard();
    const s = this.services.get(name);
    return s === undefined ? undefined : clone(s);
  }
  async replaceService(_ns: string, s: Service) {
    this.guard();
    const name = s.metadata?.name ?? '';
    const live = this.services.get(name);
    if (live === undefined) throw new FerryError('KUBE_NOT_FOUND', `service ${name}`);
    if (s.metadata?.resourceVersion !== undefined && s.metadata.resourceVersion !== live.metadata?.resourceVersion) throw new FerryError('KUBE_CONFLICT', 'conflict', { retryable: true });
    this.log.push(`replace service ${name} selector=${JSON.stringify(s.spec?.selector)}`);
    this.services.set(name, this.bump(clone(s)));
    this.checkInvariant();
    return clone(s);
  }
  async createService(_ns: string, s: Service) {
    this.guard();
    const name = s.metadata?.name ?? '';
    if (this.services.has(name)) throw new FerryError('KUBE_ALREADY_EXISTS', name);
    this.log.push(`create service ${name}`);
    this.services.set(name, this.bump(clone(s)));
    return clone(s);
  }
  async readEndpoints(_ns: string, name: string): Promise<Endpoints | undefined> {
    this.guard();
    const svc = this.services.get(name);
    if (svc === undefined) return undefined;
    const ips = this.serving(svc.spec?.selector).map((p) => ({ ip: p.status?.podIP ?? '' }));
    return { kind: 'Endpoints', metadata: { name }, subsets: ips.length === 0 ? [] : [{ addresses: ips }] };
  }
  async listPods(_ns: string, selector: Readonly<Labels>) {
    this.guard();
    return this.podsOf(selector).map((p) => {
      const { bornAt: _b, readySince: _r, ...pod } = clone(p);
      return pod as Pod;
    });
  }
  async readController(_ns: string, name: string) {
    this.guard();
    const rc = this.rcs.get(name);
    return rc === undefined ? undefined : clone(rc);
  }
  async listControllers() {
    this.guard();
    return [...this.rcs.values()].map(clone);
  }
  async createController(_ns: string, rc: ReplicationController) {
    this.guard();
    const name = rc.metadata?.name ?? '';
    if (this.rcs.has(name)) throw new FerryError('KUBE_ALREADY_EXISTS', `rc ${name} exists`);
    if (rc.metadata?.['resourceVersion'] !== undefined || rc.status !== undefined) throw new Error(`create with server-set fields: ${JSON.stringify(rc.metadata)}`);
    this.log.push(`create rc ${name} replicas=${rc.spec?.replicas ?? 1}`);
    this.rcs.set(name, this.bump(clone(rc)));
    this.checkInvariant();
    return clone(rc);
  }
  async scaleController(_ns: string, name: string, replicas: number) {
    this.guard();
    const rc = this.rcs.get(name);
    if (rc === undefined) throw new FerryError('KUBE_NOT_FOUND', `rc ${name}`);
    this.log.push(`scale ${name} ${replicas}`);
    this.rcs.set(name, this.bump({ ...rc, spec: { ...rc.spec, replicas } }));
    this.checkInvariant();
  }
  async deleteController(_ns: string, name: string) {
    this.guard();
    if (!this.rcs.has(name)) return false;
    this.log.push(`delete rc ${name}`);
    this.rcs.delete(name);
    this.checkInvariant();
    return true;
  }
  async readDeployment(_ns: string, name: string) {
    this.guard();
    const d = this.deployments.get(name);
    return d === undefined ? undefined : clone(d);
  }
  async listDeployments() {
    this.guard();
    return [...this.deployments.values()].map(clone);
  }
  async replaceDeployment(_ns: string, d: Deployment) {
    this.guard();
    const name = d.metadata?.name ?? '';
    const live = this.deployments.get(name);
    if (live === undefined) throw new FerryError('KUBE_NOT_FOUND', name);
    if (d.metadata?.resourceVersion !== live.metadata?.resourceVersion) throw new FerryError('KUBE_CONFLICT', 'conflict', { retryable: true });
    this.log.push(`replace deployment ${name}`);
    this.deployments.set(name, this.bump(clone(d)));
    return clone(d);
  }

  /** The DNS answers when a Ready pod is behind the service and kube2sky runs somewhere. */
  async resolveA(server: string, name: string): Promise<string[]> {
    const svc = [...this.services.values()].find((s) => s.spec?.['clusterIP'] === server);
    const behind = svc === undefined ? [] : this.serving(svc.spec?.selector);
    const kube2sky = [...this.pods.values()].some((p) => p.metadata?.labels?.['app'] === 'kube2sky' && this.isReady(p));
    if (behind.length === 0 || !kube2sky) throw new FerryError('DNS_QUERY_FAILED', `no answer from ${server}`, { retryable: true });
    return name.startsWith('kubernetes.default.svc.') ? [KUBERNETES_IP] : [];
  }
}

/** Thrown by the fake context to stand for a SIGKILL at an action. */
export class Killed extends Error {}

export interface Recorded {
  readonly type: 'started' | 'finished' | 'failed' | 'skipped';
  readonly name: string;
  readonly result?: Record<string, unknown>;
}

/**
 * A StepContext over the fake: a journal of actions (kept across a "kill" to resume from), a fake clock whose sleep
 * advances the cluster one tick, and an optional kill at the n-th action (before or after its effect).
 */
export function makeContext(cluster: FakeCluster, runDir: string, o: { journal?: Recorded[]; killAt?: { n: number; when: 'before' | 'after' }; gates?: { ok: boolean; checks: readonly GateCheck[] }[]; notes?: string[] } = {}): StepContext {
  const journal = o.journal ?? [];
  let clock = 0;
  let actions = 0;
  const deps: Deps = {
    etcd: undefined as never,
    host: () => Promise.reject(new Error('no hosts in this test')),
    kube: () => {
      throw new Error('no kube in this test');
    },
    workloads: () => cluster,
    console: () => {
      throw new Error('no console in this test');
    },
    resolveA: (server, name) => cluster.resolveA(server, name),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
      cluster.advance();
    },
  };
  return {
    runId: 'r1',
    runDir,
    plan: undefined as never,
    inventory: undefined as never,
    deps,
    signal: new AbortController().signal,
    resumed: journal.length > 0,
    async action(name, _detail, fn, result) {
      actions++;
      const kill = o.killAt !== undefined && o.killAt.n === actions;
      journal.push({ type: 'started', name });
      if (kill && o.killAt?.when === 'before') throw new Killed(`killed before ${name}`);
      let v;
      try {
        v = await fn();
      } catch (err) {
        journal.push({ type: 'failed', name });
        throw err;
      }
      if (kill) throw new Killed(`killed after ${name}`);
      journal.push({ type: 'finished', name, ...(result ? { result: result(v) } : {}) });
      return v;
    },
    skip(name) {
      journal.push({ type: 'skipped', name });
    },
    progress() {},
    gate(ok, checks) {
      o.gates?.push({ ok, checks });
    },
    note(m) {
      o.notes?.push(m);
    },
    finishedActions() {
      return new Set(journal.filter((j) => j.type === 'finished').map((j) => j.name));
    },
    actionResult(name) {
      return journal.filter((j) => j.type === 'finished' && j.name === name).at(-1)?.result;
    },
    resultOf() {
      return undefined;
    },
  };
}

export function dnsStep(over: Partial<DnsStep['params']> = {}): DnsStep {
  return {
    id: 'dns.update',
    kind: 'dns.update',
    phase: 6,
    title: 'dns',
    does: [],
    checks: [],
    undoes: [],
    params: {
      apiserver: 'http://fake:8080',
      namespace: 'default',
      service: 'skydns-svc',
      controllers: ['kube2sky', 'skydns'],
      domain: 'domeos.local',
      etcd: ['http://10.17.33.21:4012', 'http://10.17.33.22:4012', 'http://10.17.33.23:4012'],
      master: 'http://10.17.33.20:8080',
      timeouts: { podReadyTimeoutMs: 20_000, gateTimeoutMs: 10_000 },
      ...over,
    },
  };
}
