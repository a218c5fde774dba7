/**
 * A Host that records what ferry does on a machine, for the run's report (commands.jsonl): every command's argv,
 * exit code, duration and error code; every service action; every file written (path and backup path), renamed
 * and folder made. It delegates every method unchanged, and never records stdin, file contents or environment —
 * only what an operator would see in a shell history. Reads (readFile, exists, serviceState) are not recorded.
 */
import { isFerryError } from '../../errors.ts';
import type { Host, RunOptions, RunResult, ServiceAction, ServiceState, WriteFileOptions, WriteFileResult } from '../../ports/host.ts';

/** What a recorded host action was. `run` has argv; `service` has service+action; files have path. */
export const CommandKind = { run: 'run', service: 'service', writeFile: 'write-file', rename: 'rename', mkdir: 'mkdir', reloadUnits: 'reload-units' } as const;
export type CommandKind = (typeof CommandKind)[keyof typeof CommandKind];

export interface CommandRecord {
  /** When it started, ms since the epoch. */
  readonly t: number;
  readonly host: string;
  readonly kind?: CommandKind;
  readonly argv?: readonly string[];
  readonly service?: string;
  /** The service action (start, stop, restart, reset-failed). */
  readonly action?: string;
  readonly exitCode?: number;
  readonly durationMs: number;
  /** The error code (e.g. HOST_COMMAND_FAILED) when it threw. */
  readonly error?: string;
  /** write-file, mkdir: the path; rename: the source. */
  readonly path?: string;
  /** rename: the destination. */
  readonly to?: string;
  /** write-file: where the old content was kept. */
  readonly backup?: string;
  /** write-file: false when the content was already the same (nothing written). */
  readonly changed?: boolean;
}

export type CommandSink = (record: CommandRecord) => void;

/** The error's stable code (never its message: a message may quote a command's stderr). */
function codeOf(err: unknown): string {
  if (isFerryError(err)) return err.code;
  return err instanceof Error ? err.name : 'ERROR';
}

/** The exit code a failed command's error reports (every Host adapter says "exited with code N"). */
export function parseExitCode(err: unknown): number | undefined {
  if (!isFerryError(err) || err.code !== 'HOST_COMMAND_FAILED') return undefined;
  const m = /exited with code (\d+)/.exec(err.message);
  return m === null ? undefined : Number(m[1]);
}

export class RecordingHost implements Host {
  constructor(
    private readonly inner: Host,
    private readonly sink: CommandSink,
    private readonly now: () => number = Date.now,
  ) {}

  get address(): string {
    return this.inner.address;
  }

  private async record<T>(base: Omit<CommandRecord, 't' | 'host' | 'durationMs'>, fn: () => Promise<T>, after?: (value: T) => Partial<CommandRecord>): Promise<T> {
    const t = this.now();
    const emit = (extra: Partial<CommandRecord>): void => {
      try {
        this.sink({ t, host: this.inner.address, ...base, ...extra, durationMs: this.now() - t });
      } catch {
        // a recording never fails the action it records
      }
    };
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      const exitCode = parseExitCode(err);
      emit({ error: codeOf(err), ...(exitCode !== undefined ? { exitCode } : {}) });
      throw err;
    }
    emit(after?.(value) ?? {});
    return value;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.record({ kind: CommandKind.run, argv: [...argv] }, () => this.inner.run(argv, options), (r) => ({ exitCode: r.exitCode }));
  }

  readFile(path: string): Promise<Buffer | undefined> {
    return this.inner.readFile(path);
  }

  writeFile(path: string, data: string | Buffer, options?: WriteFileOptions): Promise<WriteFileResult> {
    return this.record({ kind: CommandKind.writeFile, path }, () => this.inner.writeFile(path, data, options), (r) => ({
      changed: r.changed,
      ...(r.backupPath !== undefined ? { backup: r.backupPath } : {}),
    }));
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  mkdir(path: string, mode?: number): Promise<void> {
    return this.record({ kind: CommandKind.mkdir, path }, () => this.inner.mkdir(path, mode));
  }

  rename(from: string, to: string): Promise<void> {
    return this.record({ kind: CommandKind.rename, path: from, to }, () => this.inner.rename(from, to));
  }

  service(unit: string, action: ServiceAction): Promise<void> {
    return this.record({ kind: CommandKind.service, service: unit, action }, () => this.inner.service(unit, action));
  }

  serviceState(unit: string): Promise<ServiceState> {
    return this.inner.serviceState(unit);
  }

  reloadUnits(): Promise<void> {
    return this.record({ kind: CommandKind.reloadUnits }, () => this.inner.reloadUnits());
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
