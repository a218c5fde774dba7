/**
 * An agent's log, in glog's line format as the real Kubernetes and flannel programs write it
 * (`I1127 05:43:00.123456   12345 kubelet.go] message`). A process run directly writes to its stderr (which
 * the supervisor points at the unit's log file); an agent inside a node runtime appends to that same file
 * itself, in order, without blocking the runtime's event loop.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AgentLogger {
  /** Raw text, as a program's stdout or stderr would put it in the same file. */
  write(text: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Resolves once every line so far is written. */
  flush(): Promise<void>;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `I1127 05:43:00.123456   12345 kubelet.go] message` (pure). */
export function renderGlogLine(level: 'I' | 'W' | 'E', now: Date, pid: number, source: string, message: string): string {
  const stamp = `${pad(now.getMonth() + 1)}${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}000`;
  return `${level}${stamp} ${String(pid).padStart(7)} ${source}] ${message}\n`;
}

type Sink = (text: string) => void;

function makeLogger(source: string, sink: Sink, flush: () => Promise<void>): AgentLogger {
  const line = (level: 'I' | 'W' | 'E', message: string): void => sink(renderGlogLine(level, new Date(), process.pid, source, message));
  return {
    write: sink,
    info: (m) => line('I', m),
    warn: (m) => line('W', m),
    error: (m) => line('E', m),
    flush,
  };
}

/** Lines go to a writable stream (a directly run program's stderr). */
export function createStreamLogger(source: string, stream: NodeJS.WritableStream): AgentLogger {
  return makeLogger(source, (text) => stream.write(text), () => Promise.resolve());
}

/** Lines are appended to `path` in order; a failing write is dropped (a log must never stop the agent). */
export function createFileLogger(source: string, path: string): AgentLogger {
  let pending: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;
  const write = async (): Promise<void> => {
    scheduled = false;
    const text = pending.join('');
    pending = [];
    if (text === '') return;
    try {
      await appendFile(path, text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
      await mkdir(dirname(path), { recursive: true }).then(() => appendFile(path, text)).catch(() => undefined);
    }
  };
  const sink: Sink = (text) => {
    pending.push(text);
    if (scheduled) return;
    scheduled = true;
    writing = writing.then(write);
  };
  return makeLogger(source, sink, () => writing);
}
