/**
 * The supervisor's side of node runtimes: forks them on demand (each hosts up to `capacity` agents), hands each
 * agent start to the least loaded one, relays signals, and reports each agent's exit to its unit — including when
 * a whole runtime dies (each of its agents then "was killed"). An idle runtime ends after a while, unless it holds
 * work of its own (a host's containers).
 *
 * The agents of one host all go to the same runtime while it lives (host affinity): a host's containers live in
 * the runtime its kubelet started them in, like docker's on a machine, and a restarted kubelet must find them
 * there. A host is placed on the least loaded runtime the first time; capacity is therefore a soft bound.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError, messageOf } from '../../errors.ts';
import type { ExitListener, UnitProcess } from '../supervisor/unit-handle.ts';
import type { AgentProgram } from './agent.ts';
import { parseFromRuntime, type StartAgentMessage, type ToRuntime } from './protocol.ts';

export const DEFAULT_AGENTS_PER_RUNTIME = 500;
const START_TIMEOUT_MS = 30_000;
const IDLE_CLOSE_MS = 30_000;

export interface AgentSpec {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly logPath: string;
}

export interface NodeRuntimePoolOptions {
  readonly labDir: string;
  /** Agents per runtime process; default 500. */
  readonly capacity?: number;
  readonly log?: (line: string) => void;
}

class AgentHandle implements UnitProcess {
  private listeners: ExitListener[] = [];
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly id: string,
    private readonly runtime: RuntimeProcess,
  ) {}

  get pid(): number | undefined {
    return this.runtime.pid;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.runtime.send({ t: 'signal', id: this.id, signal });
  }

  onExit(listener: ExitListener): void {
    const exit = this.exit;
    // Asynchronously, as a child process's 'exit' event: the unit finishes its start first.
    if (exit !== undefined) setImmediate(() => listener(exit.code, exit.signal));
    else this.listeners.push(listener);
  }

  deliverExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exit !== undefined) return;
    this.exit = { code, signal };
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l(code, signal);
  }
}

function runtimeCommand(): { main: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  const main = join(dirname(here), `main${ext}`);
  return { main, execArgv: ext === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}

class RuntimeProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly agents = new Map<string, AgentHandle>();
  private readonly pendingStarts = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
  /** Agents assigned, including starts in flight. */
  load = 0;
  closing = false;
  exited = false;
  /** The runtime said it holds work of its own (containers): not ended when idle. */
  busy = false;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(labDir: string, onGone: (rt: RuntimeProcess) => void, log: (line: string) => void, onIdle: (rt: RuntimeProcess) => void) {
    const { main, execArgv } = runtimeCommand();
    this.child = fork(main, [labDir], { execArgv, cwd: labDir, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no answer within ${START_TIMEOUT_MS} ms`));
        // A runtime that never became ready must not be picked again: its exit removes it from the pool.
        this.child.kill('SIGKILL');
      }, START_TIMEOUT_MS);
      this.child.on('message', (raw: unknown) => {
        const m = parseFromRuntime(raw);
        if (m === undefined) return;
        if (m.t === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.t === 'started') this.pendingStarts.get(m.id)?.resolve();
        else if (m.t === 'start-failed') this.pendingStarts.get(m.id)?.reject(new Error(m.message));
        else if (m.t === 'exit') {
          const agent = this.agents.get(m.id);
          this.agents.delete(m.id);
          agent?.deliverExit(m.code, m.signal);
        } else if (m.t === 'busy') {
          this.busy = m.busy;
          if (!m.busy) onIdle(this);
        }
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.exited = true;
        reject(new Error(`node runtime exited (${signal ?? `code ${code ?? '?'}`})`));
        if (!this.closing) log(`node runtime pid ${this.child.pid ?? '?'} died (${signal ?? `code ${code ?? '?'}`}); its ${this.agents.size} agent(s) count as killed`);
        for (const p of this.pendingStarts.values()) p.reject(new Error('the node runtime exited'));
        for (const agent of this.agents.values()) agent.deliverExit(null, signal ?? 'SIGKILL');
        this.agents.clear();
        onGone(this);
      });
      this.child.on('error', (err) => log(`node runtime error: ${messageOf(err)}`));
    });
    this.ready.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToRuntime): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  async start(message: StartAgentMessage): Promise<AgentHandle> {
    await this.ready;
    const handle = new AgentHandle(message.id, this);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      this.pendingStarts.set(message.id, {
        resolve: () => {
          clearTimeout(timer);
          this.pendingStarts.delete(message.id);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          this.pendingStarts.delete(message.id);
          reject(err);
        },
      });
      // Registered before sending, so an exit right after the start finds it.
      this.agents.set(message.id, handle);
      this.send(message);
    }).catch((err: unknown) => {
      this.agents.delete(message.id);
      throw err;
    });
    return handle;
  }
}

export class NodeRuntimePool {
  private readonly runtimes = new Set<RuntimeProcess>();
  /** Host root → the runtime its agents (and containers) live in. */
  private readonly homes = new Map<string, RuntimeProcess>();
  private readonly capacity: number;
  private readonly log: (line: string) => void;
  private nextId = 0;
  private closed = false;

  constructor(private readonly o: NodeRuntimePoolOptions) {
    this.capacity = o.capacity ?? DEFAULT_AGENTS_PER_RUNTIME;
    this.log = o.log ?? (() => undefined);
  }

  /** Pids of the live runtime processes. */
  pids(): number[] {
    return [...this.runtimes].map((r) => r.pid).filter((p): p is number => p !== undefined);
  }

  stats(): { runtimes: number; agents: number } {
    let agents = 0;
    for (const r of this.runtimes) agents += r.agents.size;
    return { runtimes: this.runtimes.size, agents };
  }

  private pick(cwd: string): RuntimeProcess {
    const home = this.homes.get(cwd);
    if (home !== undefined && !home.closing && !home.exited) return home;
    const picked = this.pickLeastLoaded();
    this.homes.set(cwd, picked);
    return picked;
  }

  private forget(gone: RuntimeProcess): void {
    this.runtimes.delete(gone);
    for (const [cwd, rt] of this.homes) if (rt === gone) this.homes.delete(cwd);
  }

  private pickLeastLoaded(): RuntimeProcess {
    let best: RuntimeProcess | undefined;
    for (const r of this.runtimes) {
      if (r.closing || r.exited || r.load >= this.capacity) continue;
      if (best === undefined || r.load < best.load) best = r;
    }
    if (best !== undefined) return best;
    const created = new RuntimeProcess(this.o.labDir, (gone) => this.forget(gone), this.log, (rt) => this.scheduleIdleClose(rt));
    this.runtimes.add(created);
    this.log(`started node runtime pid ${created.pid ?? '?'} (up to ${this.capacity} agents)`);
    return created;
  }

  private release(rt: RuntimeProcess): void {
    rt.load--;
    this.scheduleIdleClose(rt);
  }

  private scheduleIdleClose(rt: RuntimeProcess): void {
    if (rt.load > 0 || rt.busy || rt.closing || rt.exited) return;
    if (rt.idleTimer !== undefined) clearTimeout(rt.idleTimer);
    rt.idleTimer = setTimeout(() => {
      if (rt.load > 0 || rt.busy || rt.exited) return;
      rt.closing = true;
      this.forget(rt);
      rt.send({ t: 'shutdown' });
      this.log(`node runtime pid ${rt.pid ?? '?'} idle; ended`);
    }, IDLE_CLOSE_MS);
    rt.idleTimer.unref();
  }

  /** Start an agent; resolves once it runs (its unit is then active). */
  async launch(program: AgentProgram, spec: AgentSpec): Promise<UnitProcess> {
    if (this.closed) throw new FerryError('LAB_SHUTTING_DOWN', 'the lab supervisor is shutting down');
    const rt = this.pick(spec.cwd);
    rt.load++;
    if (rt.idleTimer !== undefined) clearTimeout(rt.idleTimer);
    rt.idleTimer = undefined;
    const id = `a${++this.nextId}`;
    try {
      const handle = await rt.start({ t: 'start', id, program, argv: [...spec.argv], env: { ...spec.env }, cwd: spec.cwd, logPath: spec.logPath });
      handle.onExit(() => this.release(rt));
      return handle;
    } catch (err) {
      this.release(rt);
      throw new FerryError('LAB_NODE_RUNTIME_FAILED', `cannot run ${program} in a node runtime: ${messageOf(err)}`, { hint: 'See supervisor.log in the lab folder.' });
    }
  }

  /** End every runtime (their agents are killed); resolves once they exited or `timeoutMs` passed. */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    const all = [...this.runtimes];
    await Promise.all(
      all.map(
        (rt) =>
          new Promise<void>((resolve) => {
            if (rt.exited) return resolve();
            rt.closing = true;
            const timer = setTimeout(() => {
              rt.child.kill('SIGKILL');
              resolve();
            }, timeoutMs);
            rt.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            rt.send({ t: 'shutdown' });
            if (!rt.child.connected) rt.child.kill('SIGTERM');
          }),
      ),
    );
    this.runtimes.clear();
    this.homes.clear();
  }
}
