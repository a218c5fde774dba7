/**
 * Messages between the lab supervisor and a node runtime (Node IPC, JSON). The supervisor asks the runtime to
 * start an agent with a unit's argv, environment, working directory and log file, and to deliver signals to it;
 * the runtime answers when the agent started or could not, and when it exited (code or signal), and says when it
 * holds work of its own (a host's containers) that must keep it alive while no agent runs.
 */
import { isAgentProgram, type AgentProgram } from './agent.ts';

export interface StartAgentMessage {
  readonly t: 'start';
  readonly id: string;
  readonly program: AgentProgram;
  /** argv[0] is the executable as the unit names it, mapped into the host's root. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The host's root. */
  readonly cwd: string;
  /** The unit's log file on this machine. */
  readonly logPath: string;
}

export type ToRuntime = StartAgentMessage | { readonly t: 'signal'; readonly id: string; readonly signal: NodeJS.Signals } | { readonly t: 'shutdown' };

export type FromRuntime =
  | { readonly t: 'ready'; readonly pid: number }
  | { readonly t: 'started'; readonly id: string }
  | { readonly t: 'start-failed'; readonly id: string; readonly message: string }
  | { readonly t: 'exit'; readonly id: string; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  /** The runtime holds (or no longer holds) work of its own, such as a host's containers: do not end it when idle. */
  | { readonly t: 'busy'; readonly busy: boolean };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function parseToRuntime(v: unknown): ToRuntime | undefined {
  if (!isRecord(v)) return undefined;
  if (v['t'] === 'shutdown') return { t: 'shutdown' };
  if (typeof v['id'] !== 'string') return undefined;
  if (v['t'] === 'signal' && typeof v['signal'] === 'string') return v as unknown as ToRuntime;
  if (
    v['t'] === 'start' &&
    typeof v['program'] === 'string' &&
    isAgentProgram(v['program']) &&
    Array.isArray(v['argv']) &&
    (v['argv'] as unknown[]).every((a) => typeof a === 'string') &&
    isRecord(v['env']) &&
    typeof v['cwd'] === 'string' &&
    typeof v['logPath'] === 'string'
  ) {
    return v as unknown as StartAgentMessage;
  }
  return undefined;
}

export function parseFromRuntime(v: unknown): FromRuntime | undefined {
  if (!isRecord(v) || typeof v['t'] !== 'string') return undefined;
  switch (v['t']) {
    case 'ready':
      return typeof v['pid'] === 'number' ? (v as unknown as FromRuntime) : undefined;
    case 'started':
      return typeof v['id'] === 'string' ? (v as unknown as FromRuntime) : undefined;
    case 'start-failed':
      return typeof v['id'] === 'string' && typeof v['message'] === 'string' ? (v as unknown as FromRuntime) : undefined;
    case 'exit':
      return typeof v['id'] === 'string' ? (v as unknown as FromRuntime) : undefined;
    case 'busy':
      return typeof v['busy'] === 'boolean' ? (v as unknown as FromRuntime) : undefined;
    default:
      return undefined;
  }
}
