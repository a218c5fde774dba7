/**
 * The one interface every step uses to touch a machine. Three implementations: SSH (src/adapters/hosts/ssh.ts, a real host), the
 * machine ferry runs on (src/adapters/hosts/local.ts) and the lab (src/lab/host.ts, a host emulated on this machine by
 * the lab supervisor), the last two on src/adapters/hosts/fs-host.ts. Steps never know which one they hold.
 *
 * Rules for implementations:
 * - Commands are argv arrays, never shell strings; the SSH adapter quotes each word for the remote shell.
 * - Foreign errors (ssh, sftp, spawn) are translated into FerryError with codes starting `HOST_`.
 * - Nothing secret (key material, passwords) is ever put in an error message.
 */

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Data written to the command's standard input. */
  readonly stdin?: string | Buffer;
  /** Bound on the whole command; default 60 000 ms. */
  readonly timeoutMs?: number;
  /** Throw HOST_COMMAND_FAILED when the exit code is not 0 (default true). */
  readonly check?: boolean;
  readonly signal?: AbortSignal;
}

export interface WriteFileOptions {
  /** File mode for a new file; an existing file keeps its mode. Default 0o644. */
  readonly mode?: number;
  /**
   * Where to copy the current content before replacing it (an absolute path on the host). When set and the file
   * exists, the copy is written (and synced) before the new content is put in place. An existing backup at that
   * path is never overwritten: the first backup of a run is the one that matters.
   */
  readonly backupPath?: string;
}

export interface WriteFileResult {
  /** True when the content changed (false when it was already identical: nothing was written). */
  readonly changed: boolean;
  /** The backup written, if any. */
  readonly backupPath?: string;
}

/**
 * `reset-failed` clears a unit's failed state and its start-limit count (`systemctl reset-failed UNIT`): after a
 * unit failed to start a few times in a row, systemd refuses further starts ("start request repeated too quickly")
 * until it is reset or the limit's interval has passed.
 */
export const ServiceAction = { start: 'start', stop: 'stop', restart: 'restart', resetFailed: 'reset-failed' } as const;
export type ServiceAction = (typeof ServiceAction)[keyof typeof ServiceAction];

/** The states `systemctl is-active` prints, which the lab supervisor also uses. */
export type ServiceState = 'active' | 'inactive' | 'failed' | 'activating' | 'deactivating' | 'unknown';

export interface Host {
  /** The host's address as the inventory names it. */
  readonly address: string;
  /** Run a command. argv[0] is the program. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Read a whole file; undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Write a file atomically (temp file in the same folder, fsync, rename), backing up the old content first. */
  writeFile(path: string, data: string | Buffer, options?: WriteFileOptions): Promise<WriteFileResult>;
  /** True when a file or folder exists at path. */
  exists(path: string): Promise<boolean>;
  /** Create a folder and its parents (no error if it exists). */
  mkdir(path: string, mode?: number): Promise<void>;
  /** Rename (move) within the host's file system; fails if `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Manage a service unit (`systemctl ACTION UNIT` on a real host). start/stop are idempotent. */
  service(unit: string, action: ServiceAction): Promise<void>;
  /** The unit's state as `systemctl is-active` reports it. */
  serviceState(unit: string): Promise<ServiceState>;
  /** Reload unit definitions after writing a unit file (`systemctl daemon-reload`). */
  reloadUnits(): Promise<void>;
  /** Release connections. */
  close(): Promise<void>;
}
