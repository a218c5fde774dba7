/**
 * A node agent: one run of a node program (kubelet, kube-proxy, flanneld) with a process's interface — argv, env,
 * working directory (the host's root), a log, an exit with a code or a signal — but without a process of its own,
 * so that hundreds of them can share one node runtime (main.ts in this folder). The same agent runs alone in its
 * own process when a shim in lab-bin/ is executed directly (direct.ts).
 *
 * Signals keep their process meaning: SIGTERM, SIGINT, SIGHUP and SIGQUIT ask the agent to stop (the Go programs
 * do not catch them, so the exit is "killed by the signal", which systemd counts as clean for SIGTERM); SIGKILL
 * ends it at once. Other signals are ignored.
 */
import { basename } from 'node:path';
import { messageOf } from '../../errors.ts';
import type { AgentLogger } from './agent-log.ts';
import type { AgentShared } from './shared.ts';

export const AgentProgram = { kubelet: 'kubelet', kubeProxy: 'kube-proxy', flanneld: 'flanneld' } as const;
export type AgentProgram = (typeof AgentProgram)[keyof typeof AgentProgram];

export const AGENT_PROGRAMS: readonly AgentProgram[] = Object.values(AgentProgram);

export function isAgentProgram(name: string): name is AgentProgram {
  return (AGENT_PROGRAMS as readonly string[]).includes(name);
}

export interface AgentExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface AgentContext {
  /** argv[0] is the program as invoked (a path on this machine, inside the host's root); then its arguments. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The host's root folder, the agent's working directory: `/x` on the host is `<root>/x`. */
  readonly root: string;
  /** The host's address (its root folder's name). */
  readonly hostAddress: string;
  readonly log: AgentLogger;
  /** Connections and watches shared by the agents of one process. */
  readonly shared: AgentShared;
  /** The program's standard output, for one-shot answers such as `--version`. */
  readonly stdout: (text: string) => void;
  /** Its standard error (usage and flag errors). */
  readonly stderr: (text: string) => void;
}

/**
 * The body of an agent: runs until it ends by itself (resolving the exit code) or until `signal` aborts (then it
 * must return promptly; its return value is then ignored).
 */
export type AgentMain = (ctx: AgentContext, signal: AbortSignal) => Promise<number>;

export interface NodeAgent {
  /** Resolves once, when the agent has ended. */
  readonly exited: Promise<AgentExit>;
  kill(signal: NodeJS.Signals): void;
}

const TERMINATING: ReadonlySet<string> = new Set(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT']);
/** Go's exit status for a panic; an agent that throws ends like a crashed program. */
const CRASH_EXIT_CODE = 2;

/** Start `main` and give it a process's lifecycle. */
export function startNodeAgent(ctx: AgentContext, main: AgentMain): NodeAgent {
  const controller = new AbortController();
  let resolveExit: (exit: AgentExit) => void = () => undefined;
  const exited = new Promise<AgentExit>((resolve) => {
    resolveExit = resolve;
  });
  let done = false;
  let terminating: NodeJS.Signals | undefined;
  const finish = (exit: AgentExit): void => {
    if (done) return;
    done = true;
    void ctx.log.flush().finally(() => resolveExit(exit));
  };
  const run = async (): Promise<number> => main(ctx, controller.signal);
  run().then(
    (code) => finish(terminating !== undefined ? { code: null, signal: terminating } : { code, signal: null }),
    (err: unknown) => {
      if (terminating !== undefined) {
        finish({ code: null, signal: terminating });
        return;
      }
      ctx.log.error(`${basename(ctx.argv[0] ?? 'agent')} crashed: ${messageOf(err)}`);
      finish({ code: CRASH_EXIT_CODE, signal: null });
    },
  );
  return {
    exited,
    kill(signal: NodeJS.Signals): void {
      if (done) return;
      if (signal === 'SIGKILL') {
        terminating = signal;
        controller.abort(signal);
        done = true;
        resolveExit({ code: null, signal });
        return;
      }
      if (!TERMINATING.has(signal)) return;
      terminating ??= signal;
      controller.abort(signal);
    },
  };
}

/** A bad command line, answered as the real programs do: the error and a usage hint on stderr, exit status 2. */
export function writeFlagError(ctx: AgentContext, program: string, message: string): number {
  ctx.stderr(`${message}\nUsage of ${program}:\n  run \`${program} --help\` for the flags\n`);
  return 2;
}
