/**
 * Output of the control-plane stand-ins kube-controller-manager and kube-scheduler (the node programs log through
 * node-runtime/agent-log.ts): one stdout line per action (`created pod X for rc Y`), and failures on stderr, each
 * distinct message once until it changes or clears, so an apiserver that is down for an hour does not fill the log.
 */
import { messageOf } from '../../../errors.ts';

export interface Logger {
  /** One action taken (stdout). */
  action(message: string): void;
  /** A failure of `topic`; repeated identical messages for the same topic are dropped. */
  problem(topic: string, err: unknown): void;
  /** `topic` works again: its next problem is printed, and a recovery line now if it had one. */
  recovered(topic: string): void;
  /** A plain stderr line (flag warnings). */
  warn(message: string): void;
}

export interface LoggerOptions {
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly now?: () => number;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const out = o.out ?? ((line) => process.stdout.write(line + '\n'));
  const err = o.err ?? ((line) => process.stderr.write(line + '\n'));
  const now = o.now ?? Date.now;
  const stamp = (): string => new Date(now()).toISOString();
  const lastProblem = new Map<string, string>();
  return {
    action: (message) => out(`${stamp()} ${message}`),
    warn: (message) => err(`${stamp()} warning: ${message}`),
    problem(topic, e) {
      const message = messageOf(e);
      if (lastProblem.get(topic) === message) return;
      lastProblem.set(topic, message);
      err(`${stamp()} ${topic}: ${message}`);
    },
    recovered(topic) {
      if (lastProblem.delete(topic)) err(`${stamp()} ${topic}: ok again`);
    },
  };
}
