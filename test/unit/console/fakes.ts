/**
 * In-memory stand-ins for the console steps' unit tests: a DomeOS console (ConsoleApi + ConsoleSession) with a
 * watcher that stops asynchronously, a host whose `domeos` unit or commands switch that console on and off, and a
 * StepContext whose journal lives in an array and which can "die" right after a chosen action (a kill).
 */
import { FerryError } from '../../../src/errors.ts';
import type { WatcherConf } from '../../../src/console/domeos-fields.ts';
import type { ConsoleApi, ConsoleLoginOptions, ConsoleSession } from '../../../src/ports/console.ts';
import type { ClusterEndpoints, ClusterInfo, DeploymentInfo, WatcherInfo } from '../../../src/console/types.ts';
import type { Host, RunResult, ServiceState } from '../../../src/ports/host.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import type { Plan } from '../../../src/plan/types.ts';
import type { StepContext } from '../../../src/run/step-context.ts';
import type { Deps } from '../../../src/ports/deps.ts';

interface FakeWatcher {
  deployId: number;
  name: string;
  state: string;
  /** Reads left before a STOPPING watcher is STOP. */
  stopReadsLeft: number;
  api: string;
  conf: WatcherConf;
}

export class FakeConsole implements ConsoleApi, ConsoleSession {
  readonly url = 'http://127.0.0.1:1';
  up = true;
  cluster: ClusterInfo = { id: 1, name: 'prod', api: '10.0.0.30:8080', etcd: 'http://10.0.0.31:4012,http://10.0.0.32:4012,', password: 'k8s-secret', domain: 'domeos.local' };
  watcher: FakeWatcher | undefined = {
    deployId: 2,
    name: 'watcher',
    state: 'RUNNING',
    stopReadsLeft: 0,
    api: '10.0.0.30:8080',
    conf: { name: 'watcher', description: '', namespace: 'default', hostEnv: 'PROD', containerDrafts: [{ registry: 'https://pub.domeos.org', image: 'kube_event_watcher', tag: 'v0.1.0', cpu: 0, mem: 0 }], labelSelectors: [{ name: 'role', content: 'USER_LABEL_VALUE' }] },
  };
  /** How many reads a stop takes (the real console stops pods asynchronously). */
  stopReads = 2;
  /** Whether watcher status shows the containers' args. */
  showArgs = true;
  nextId = 10;
  logins: Array<string | undefined> = [];
  calls: string[] = [];
  /** Fail the next call of this name once. */
  failOnce = new Map<string, FerryError>();

  private step(name: string): void {
    this.calls.push(name);
    if (!this.up) throw new FerryError('CONSOLE_UNREACHABLE', `cannot ${name}: connection refused`, { retryable: true });
    const err = this.failOnce.get(name);
    if (err !== undefined) {
      this.failOnce.delete(name);
      throw err;
    }
  }

  async health(): Promise<boolean> {
    return this.up;
  }

  async login(options: ConsoleLoginOptions = {}): Promise<ConsoleSession> {
    this.step('login');
    this.logins.push(options.credentialsFile);
    return this;
  }

  async readCluster(name: string): Promise<ClusterInfo> {
    this.step('readCluster');
    if (name !== this.cluster.name) throw new FerryError('CONSOLE_CLUSTER_NOT_EXIST', `no cluster named "${name}"`);
    return { ...this.cluster };
  }

  async readClusterById(id: number): Promise<ClusterInfo> {
    this.step('readClusterById');
    if (id !== this.cluster.id) throw new FerryError('CONSOLE_CLUSTER_NOT_EXIST', `no cluster ${id}`);
    return { ...this.cluster };
  }

  async updateClusterEndpoints(_c: Pick<ClusterInfo, 'id'>, endpoints: ClusterEndpoints): Promise<ClusterInfo> {
    this.step('updateClusterEndpoints');
    this.cluster = { ...this.cluster, ...endpoints };
    return { ...this.cluster };
  }

  private tick(): void {
    const w = this.watcher;
    if (w?.state === 'STOPPING') {
      if (w.stopReadsLeft <= 0) w.state = 'STOP';
      else w.stopReadsLeft--;
    }
  }

  private info(w: FakeWatcher): WatcherInfo {
    const drafts = w.conf.containerDrafts.map((d) => (this.showArgs ? { ...d, args: [`--apiserver=${w.api}`, '--in-cluster=false'] } : { ...d }));
    return { deployId: w.deployId, clusterId: 1, name: w.name, state: w.state, namespace: w.conf.namespace, hostEnv: w.conf.hostEnv, description: w.conf.description, versionSelectorInfos: [{ version: 1, labelSelectors: w.conf.labelSelectors, containerDrafts: drafts }] };
  }

  async readWatcher(): Promise<WatcherInfo | undefined> {
    this.step('readWatcher');
    this.tick();
    return this.watcher === undefined ? undefined : this.info(this.watcher);
  }

  private need(deployId: number): FakeWatcher {
    if (this.watcher?.deployId !== deployId) throw new FerryError('CONSOLE_DEPLOYMENT_NOT_EXIST', `no deployment ${deployId}`);
    return this.watcher;
  }

  async waitForDeploymentState(deployId: number, state: string, _timeoutMs: number): Promise<DeploymentInfo> {
    this.step('waitForDeploymentState');
    const w = this.need(deployId);
    for (let i = 0; i < 10 && w.state !== state; i++) this.tick();
    if (w.state !== state) throw new FerryError(state === 'STOP' ? 'CONSOLE_WATCHER_STOP_TIMEOUT' : 'CONSOLE_WATCHER_START_TIMEOUT', `still ${w.state}`, { retryable: true });
    return { id: w.deployId, state: w.state };
  }

  async stopWatcher(deployId: number, opts: { timeoutMs: number }): Promise<DeploymentInfo> {
    this.step('stopWatcher');
    const w = this.need(deployId);
    if (w.state !== 'STOP' && w.state !== 'STOPPING') {
      w.state = 'STOPPING';
      w.stopReadsLeft = this.stopReads;
    }
    return this.waitForDeploymentState(deployId, 'STOP', opts.timeoutMs);
  }

  async deleteWatcher(deployId: number): Promise<void> {
    this.step('deleteWatcher');
    const w = this.need(deployId);
    if (w.state !== 'STOP') throw new FerryError('CONSOLE_CANNOT_DELETE_DEPLOYMENT', `deployment status is ${w.state} now`);
    this.watcher = undefined;
  }

  async createWatcher(_clusterId: number, conf: WatcherConf): Promise<DeploymentInfo> {
    this.step('createWatcher');
    if (this.watcher !== undefined) throw new FerryError('CONSOLE_PARAM_ERROR', 'PARAM_ERROR:watcher existed!');
    this.watcher = { deployId: this.nextId++, name: conf.name, state: 'STOP', stopReadsLeft: 0, api: this.cluster.api, conf: structuredClone(conf) };
    return { id: this.watcher.deployId, state: 'STOP' };
  }

  async startWatcher(deployId: number): Promise<DeploymentInfo> {
    this.step('startWatcher');
    const w = this.need(deployId);
    if (w.state !== 'STOP') throw new FerryError('CONSOLE_PARAM_ERROR', `deployment status is ${w.state} now`);
    w.state = 'RUNNING';
    return { id: w.deployId, state: w.state };
  }
}

/** A host whose `domeos` unit (or stop/start commands) switch the fake console off and on. */
export class FakeConsoleHost implements Partial<Host> {
  readonly address = '10.0.0.10';
  runs: string[][] = [];
  services: string[] = [];
  exitCode = 0;
  constructor(private readonly console: FakeConsole) {}

  async run(argv: readonly string[]): Promise<RunResult> {
    this.runs.push([...argv]);
    if (this.exitCode === 0) this.console.up = argv.includes('start');
    return { exitCode: this.exitCode, stdout: '', stderr: this.exitCode === 0 ? '' : 'Error: No such container: domeos' };
  }

  async service(unit: string, action: string): Promise<void> {
    this.services.push(`${action} ${unit}`);
    if (action === 'stop') this.console.up = false;
    if (action === 'start') this.console.up = true;
  }

  async serviceState(): Promise<ServiceState> {
    return this.console.up ? 'active' : 'inactive';
  }
}

export interface JournalEntry {
  readonly type: 'started' | 'finished' | 'failed' | 'skipped' | 'gate' | 'note';
  readonly action: string;
  readonly detail?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
}

/** Thrown by the fake context's "kill" right after an action finished. */
export class Killed extends Error {}

export interface FakeContextOptions {
  readonly deps: Deps;
  readonly journal?: JournalEntry[];
  readonly resumed?: boolean;
  /** Simulate a kill right after this action finished (journalled). */
  readonly killAfter?: string;
  readonly inventory?: Partial<Inventory>;
}

export function buildFakeContext(o: FakeContextOptions): StepContext & { journal: JournalEntry[] } {
  const journal = o.journal ?? [];
  return {
    journal,
    runId: 'run-1',
    runDir: '/tmp/ferry-fake-run',
    plan: {} as Plan,
    inventory: { apiVersion: 'ferry/v1', name: 't', access: { mode: 'lab' }, hosts: {}, etcd: { old: [], new: [] }, ...o.inventory } as Inventory,
    deps: o.deps,
    signal: new AbortController().signal,
    resumed: o.resumed ?? false,
    async action(name, detail, fn, result) {
      journal.push({ type: 'started', action: name, detail });
      let value;
      try {
        value = await fn();
      } catch (err) {
        journal.push({ type: 'failed', action: name });
        throw err;
      }
      journal.push({ type: 'finished', action: name, ...(result ? { result: JSON.parse(JSON.stringify(result(value))) as Record<string, unknown> } : {}) });
      if (o.killAfter === name) throw new Killed(`killed after ${name}`);
      return value;
    },
    skip(name) {
      journal.push({ type: 'skipped', action: name });
    },
    progress() {},
    gate(ok, checks) {
      journal.push({ type: 'gate', action: ok ? 'ok' : 'failed', detail: { checks } });
    },
    note(message) {
      journal.push({ type: 'note', action: message });
    },
    finishedActions() {
      return new Set(journal.filter((e) => e.type === 'finished').map((e) => e.action));
    },
    actionResult(name) {
      return journal.filter((e) => e.type === 'finished' && e.action === name).at(-1)?.result;
    },
    resultOf() {
      return undefined;
    },
  };
}

/** Deps with only what the console steps use. */
export function buildFakeDeps(console: ConsoleApi, host: Partial<Host>): Deps {
  let clock = 0;
  return {
    console: () => console,
    host: async () => host as Host,
    // Every look at the clock moves it on, so bounded waits end without sleeping.
    now: () => (clock += 100),
    sleep: async () => undefined,
  } as unknown as Deps;
}
