/**
 * One command over an ssh2 exec channel: argv quoted for the remote POSIX login shell, stdin sent then EOF,
 * stdout/stderr collected, bounded by a timeout and an AbortSignal.
 *
 * Stopping a command we give up on: sshd refuses `signal` channel requests for root logins ("session signalling
 * requires privilege separation", OpenSSH 9.2 session.c; root sessions run without the privsep child), and closing
 * the channel leaves the command running. So the command line first prints the shell's PID to stderr under a
 * random token, then `exec`s the program in that same process; sshd made it a process-group leader (setsid), so
 * on timeout a second exec channel runs `kill -TERM -- -PID`, which reaches the program and its children.
 */
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { FerryError, messageOf } from '../../errors.ts';
import type { RunOptions, RunResult } from '../../ports/host.ts';
import { quoteArgv } from './shell-quote.ts';

export interface ExecTarget {
  readonly client: Client;
  readonly address: string;
  /** Prefix the program with `sudo -n --`. */
  readonly sudo: boolean;
  /** Called when the channel cannot be opened or ends without a status: the connection is likely gone. */
  readonly lost: (reason: string) => FerryError;
}

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const KILL_TIMEOUT_MS = 5_000;

/** The line sent to the remote shell: announce `$$` on stderr, then become the program. */
export function buildCommandLine(argv: readonly string[], sudo: boolean, token: string): string {
  const words = sudo ? ['sudo', '-n', '--', ...argv] : argv;
  return `printf '${token}:%s\\n' "$$" >&2; exec ${quoteArgv(words)}`;
}

/** Splits the PID announcement out of stderr. */
export function parsePidLine(stderr: string, token: string): { pid: number | undefined; rest: string } {
  const match = new RegExp(`(^|\\n)${token}:(\\d+)\\n`).exec(stderr);
  if (match === null) return { pid: undefined, rest: stderr };
  const rest = stderr.slice(0, match.index) + (match[1] ?? '') + stderr.slice(match.index + match[0].length);
  return { pid: Number(match[2]), rest };
}

/** Runs argv; resolves with the exit status whatever it is (the caller applies `check`). */
export async function execCommand(target: ExecTarget, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const token = `ferry-pid-${randomBytes(6).toString('hex')}`;
  const command = buildCommandLine(argv, target.sudo, token);
  const program = argv[0] ?? '';
  const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const subjects = { host: target.address, command: program };
  options.signal?.throwIfAborted();

  return await new Promise<RunResult>((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let settled = false;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exit: { code: number | null; signal: string | undefined } | undefined;

    const settle = (outcome: RunResult | FerryError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof FerryError) reject(outcome);
      else resolve(outcome);
    };
    // Once stopping, the outcome is that error, even if the killed command's exit status arrives first. When the
    // PID is not known yet (the shell has not started), the kill happens as soon as its announcement arrives.
    let stopping: FerryError | undefined;
    let killSent = false;
    const killWhenPidKnown = async (): Promise<void> => {
      const { pid } = parsePidLine(Buffer.concat(stderr).toString('utf8'), token);
      if (pid === undefined || killSent) return;
      killSent = true;
      await killProcessGroup(target, pid);
      channel?.close();
    };
    const stop = (err: FerryError): void => {
      if (settled || stopping !== undefined) return;
      stopping = err;
      void killWhenPidKnown().finally(() => settle(err));
    };
    const onAbort = (): void => stop(new FerryError('HOST_COMMAND_ABORTED', `${program} on ${target.address} was cancelled and sent SIGTERM.`, {
      subjects, cause: options.signal?.reason,
    }));
    const timer = setTimeout(() => stop(new FerryError('HOST_COMMAND_TIMEOUT', `${program} on ${target.address} did not finish within ${timeoutMs} ms and was sent SIGTERM.`, {
      hint: 'Check the host for a hung process, or raise the step timeout.',
      retryable: true, subjects,
    })), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const onClose = (): void => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = parsePidLine(Buffer.concat(stderr).toString('utf8'), token).rest;
      if (stopping !== undefined) {
        settle(stopping);
      } else if (exit === undefined) {
        settle(target.lost(`${program} ended without an exit status`));
      } else if (exit.code !== null) {
        settle({ exitCode: exit.code, stdout: out, stderr: err });
      } else {
        // Killed by a signal: report it the way a shell does, 128 + the signal number. ssh2 names it `SIGKILL`.
        const name = `SIG${(exit.signal ?? '?').replace(/^SIG/, '')}`;
        const number = (osConstants.signals as Record<string, number | undefined>)[name] ?? 0;
        settle({ exitCode: 128 + number, stdout: out, stderr: `${err}[killed by signal ${name}]\n` });
      }
    };
    try {
      target.client.exec(command, (err, opened) => {
        if (err) return settle(target.lost(`cannot start ${program}: ${err.message}`));
        channel = opened;
        opened.on('data', (chunk: Buffer) => stdout.push(chunk));
        opened.stderr.on('data', (chunk: Buffer) => {
          stderr.push(chunk);
          if (stopping !== undefined && !killSent) void killWhenPidKnown();
        });
        opened.on('exit', (code: number | null, signal?: string) => { exit = { code, signal }; });
        opened.on('close', onClose);
        opened.end(options.stdin); // always send EOF, so a command reading stdin does not wait forever
      });
    } catch (err) {
      settle(target.lost(`cannot start ${program}: ${messageOf(err)}`));
    }
  });
}

/** Best effort: SIGTERM the command's process group (or just the process if it leads none). Never throws. */
async function killProcessGroup(target: ExecTarget, pid: number): Promise<void> {
  // `-s TERM --` is the spelling both dash and bash accept for a negative (process-group) PID.
  const script = 'kill -s TERM -- "-$1" 2>/dev/null || kill -s TERM "$1"';
  await execCommand(target, ['sh', '-c', script, 'sh', String(pid)], { timeoutMs: KILL_TIMEOUT_MS }).catch(() => undefined);
}
