/**
 * ferry's two kinds of failure (docs/design/style.md §6):
 * - {@link FerryError}: an expected operational failure. It carries a stable `code`, whether retrying may help,
 *   the names it concerns (member, host, node, file), and a `hint` that says what to do next.
 * - {@link BugError}: ferry broke its own rules (an illegal state transition, an impossible value). It asks for a
 *   report instead of giving the operator a hint.
 * Foreign errors (gRPC, HTTP, ssh, stderr) are translated into FerryError once, in the adapter that met them.
 */

/** Exit codes: the only place they are defined. Only the CLI entry calls process.exit. */
export const ExitCode = {
  ok: 0,
  failedRolledBack: 1,
  badInput: 2,
  rollbackFailed: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface FerryErrorOptions {
  /** What to try next, in one or two sentences. */
  hint?: string;
  /** True when repeating the same call later may succeed (a busy cluster, a refused connection). */
  retryable?: boolean;
  /** Names this error concerns: `member: domeosEtcd1`, `host: 127.17.33.21`, `file: /etc/sysconfig/etcd`. */
  subjects?: Record<string, string>;
  /** The exit code the CLI uses when this error ends a command. Defaults by code family. */
  exitCode?: ExitCode;
  /**
   * For a rollback that cannot undo its step (the point of no return is behind it) while finishing the step forward
   * is safe once the cause is fixed: `ferry resume` then runs the step again (precheck, apply, gate) instead of
   * stopping at it.
   */
  forwardOnly?: boolean;
  cause?: unknown;
}

export class FerryError extends Error {
  override readonly name = 'FerryError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly subjects: Record<string, string>;
  readonly exitCode: ExitCode;
  readonly forwardOnly: boolean;

  constructor(code: string, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
    this.subjects = options.subjects ?? {};
    this.exitCode = options.exitCode ?? ExitCode.failedRolledBack;
    this.forwardOnly = options.forwardOnly ?? false;
  }

  /** A JSON-safe form for the journal and `-o json` output. Never includes the cause's secrets: only its message. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      subjects: this.subjects,
    };
  }
}

/** ferry broke one of its own invariants. Not the operator's fault. */
export class BugError extends Error {
  override readonly name = 'BugError';
  constructor(message: string) {
    super(`${message} (this is a bug in ferry: please report it with the run's journal)`);
  }
}

/** Bad input or a refused preflight: exit code 2, nothing touched. */
export function inputError(code: string, message: string, options: Omit<FerryErrorOptions, 'exitCode'> = {}): FerryError {
  return new FerryError(code, message, { ...options, exitCode: ExitCode.badInput });
}

export function isFerryError(err: unknown): err is FerryError {
  return err instanceof FerryError;
}

/** The message of anything thrown, for places that must not let a non-Error escape. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
