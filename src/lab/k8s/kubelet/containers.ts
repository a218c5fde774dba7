/**
 * A lab node's containers — the docker of one host. It belongs to the node, not to the kubelet: it is kept in the
 * process's shared resources (one per host root) and outlives the kubelet agent that started its containers, so
 * a restarted kubelet adopts them; it ends with the node runtime (the host "going down"). A container of a
 * program image runs that program as an agent (node-runtime/agent.ts) whose address is the pod's IP; its log is
 * `/var/log/containers/<pod>_<namespace>_<container>.log` on the host. Only pods with program containers are
 * kept here; the kubelet decides when to start, restart and remove (container-state.ts).
 */
import { constants } from 'node:os';
import { messageOf } from '../../../errors.ts';
import { createFileLogger } from '../../node-runtime/agent-log.ts';
import { startNodeAgent, type AgentContext, type AgentMain, type NodeAgent } from '../../node-runtime/agent.ts';
import type { AgentShared, Closeable } from '../../node-runtime/shared.ts';
import { mapPathIntoRoot } from '../../paths.ts';
import { buildHexId, type InstanceFacts, type Termination } from './container-state.ts';
import type { ContainerProgram } from './images.ts';

/** How long a stopped container may take to end after SIGTERM before it is killed (docker stop's default). */
const DEFAULT_STOP_GRACE_MS = 10_000;
const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ContainerLaunch {
  readonly podUid: string;
  /** `namespace/name`. */
  readonly podKey: string;
  readonly name: string;
  readonly image: string;
  readonly program: ContainerProgram;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface Sandbox {
  readonly podKey: string;
  readonly podIP: string;
  readonly createdAt: string;
}

interface Instance extends InstanceFacts {
  readonly agent: NodeAgent;
  exit?: Termination;
}

interface PodEntry {
  readonly sandbox: Sandbox;
  readonly containers: Map<string, Instance>;
}

export interface HostContainersOptions {
  /** The host's root. */
  readonly root: string;
  readonly shared: AgentShared;
  /** The key it is kept under in `shared` (it marks the process busy under the same key). */
  readonly key: string;
  readonly mains: Readonly<Record<ContainerProgram, AgentMain>>;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): { exitCode: number; signal?: number } {
  if (signal !== null) {
    const n = constants.signals[signal] ?? 9;
    return { exitCode: 128 + n, signal: n };
  }
  return { exitCode: code ?? 1 };
}

export class HostContainers implements Closeable {
  private readonly pods = new Map<string, PodEntry>();
  private readonly listeners = new Set<(podUid: string) => void>();
  private closed = false;

  constructor(private readonly o: HostContainersOptions) {}

  /** The containers of the host at `root`, kept in `shared` for the process's life. */
  static forHost(shared: AgentShared, root: string, mains: Readonly<Record<ContainerProgram, AgentMain>>): HostContainers {
    const key = `containers ${root}`;
    return shared.keep(key, () => new HostContainers({ root, shared, key, mains }));
  }

  /** Hear when a container of a pod exits; returns the unsubscribe function. */
  onExit(listener: (podUid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  podUids(): string[] {
    return [...this.pods.keys()];
  }

  sandbox(podUid: string): Sandbox | undefined {
    return this.pods.get(podUid)?.sandbox;
  }

  /** Addresses of the pods held here. */
  usedIPs(): string[] {
    return [...this.pods.values()].map((p) => p.sandbox.podIP);
  }

  /** The pod's "infra container": its address, from now until removePod. */
  createSandbox(podUid: string, podKey: string, podIP: string): Sandbox {
    const existing = this.pods.get(podUid);
    if (existing !== undefined) return existing.sandbox;
    const sandbox = { podKey, podIP, createdAt: new Date().toISOString() };
    this.pods.set(podUid, { sandbox, containers: new Map() });
    this.o.shared.setBusy(this.o.key, true);
    return sandbox;
  }

  instance(podUid: string, name: string): InstanceFacts | undefined {
    return this.pods.get(podUid)?.containers.get(name);
  }

  /**
   * Run a container (its sandbox must exist); replaces an exited instance of the same name, which becomes the
   * new one's last termination.
   */
  start(launch: ContainerLaunch): InstanceFacts {
    const pod = this.pods.get(launch.podUid);
    if (pod === undefined || this.closed) throw new Error(`no sandbox for pod ${launch.podKey}`);
    const previous = pod.containers.get(launch.name);
    if (previous !== undefined && previous.exit === undefined) return previous;
    const restartCount = previous === undefined ? 0 : previous.restartCount + 1;
    const startedAt = new Date().toISOString();
    const id = buildHexId(`${launch.podUid}:${launch.name}:${restartCount}:${startedAt}`);
    const [ns, podName] = launch.podKey.split('/');
    const log = createFileLogger(`${launch.program}.go`, mapPathIntoRoot(this.o.root, `/var/log/containers/${podName ?? ''}_${ns ?? ''}_${launch.name}.log`));
    const ctx: AgentContext = {
      argv: launch.argv,
      env: { PATH: CONTAINER_PATH, HOSTNAME: podName ?? '', ...launch.env },
      root: this.o.root,
      hostAddress: pod.sandbox.podIP,
      log,
      shared: this.o.shared,
      stdout: (text) => log.write(text),
      stderr: (text) => log.write(text),
    };
    let agent: NodeAgent;
    try {
      agent = startNodeAgent(ctx, this.o.mains[launch.program]);
    } catch (err) {
      log.error(`cannot start ${launch.program}: ${messageOf(err)}`);
      throw err;
    }
    const instance: Instance = {
      id,
      startedAt,
      restartCount,
      agent,
      ...(previous?.exit !== undefined ? { lastTermination: previous.exit } : {}),
    };
    pod.containers.set(launch.name, instance);
    void agent.exited.then((exit) => {
      const { exitCode, signal } = exitCodeOf(exit.code, exit.signal);
      instance.exit = {
        exitCode,
        ...(signal !== undefined ? { signal } : {}),
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt,
        finishedAt: new Date().toISOString(),
        containerID: `docker://${id}`,
      };
      if (this.pods.get(launch.podUid)?.containers.get(launch.name) === instance && !this.closed) {
        for (const l of this.listeners) l(launch.podUid);
      }
    });
    return instance;
  }

  /** Stop every container of the pod (SIGTERM, SIGKILL after `graceMs`) and forget the pod. */
  async removePod(podUid: string, graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    const pod = this.pods.get(podUid);
    if (pod === undefined) return;
    this.pods.delete(podUid);
    if (this.pods.size === 0) this.o.shared.setBusy(this.o.key, false);
    await Promise.all(
      [...pod.containers.values()].map(async (c) => {
        if (c.exit !== undefined) return;
        c.agent.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            c.agent.kill('SIGKILL');
            resolve();
          }, graceMs);
        });
        await Promise.race([c.agent.exited.then(() => undefined), killed]);
        clearTimeout(timer);
      }),
    );
  }

  /** The host goes down: every container is killed at once. */
  close(): void {
    this.closed = true;
    for (const pod of this.pods.values()) for (const c of pod.containers.values()) c.agent.kill('SIGKILL');
    this.pods.clear();
    this.listeners.clear();
    this.o.shared.setBusy(this.o.key, false);
  }
}
