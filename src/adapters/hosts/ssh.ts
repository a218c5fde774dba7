/**
 * Host over SSH (ssh2 Client): commands via exec with each argv word quoted for the remote POSIX shell, files via
 * SFTP (ssh-files.ts), services via systemctl. One connection per host, opened by {@link SshHost.connect}; when it
 * drops, the operations in flight fail with HOST_CONNECTION_LOST and the next one reconnects.
 */
import type { Client, ClientErrorExtensions } from 'ssh2';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import { ServiceAction } from '../../ports/host.ts';
import type { Host, RunOptions, RunResult, ServiceState, WriteFileOptions, WriteFileResult } from '../../ports/host.ts';
import { execCommand } from './ssh-exec.ts';
import type { ExecTarget } from './ssh-exec.ts';
import { openSshClient } from './ssh-connect.ts';
import type { SshConnectOptions } from './ssh-connect.ts';
import { SshFiles } from './ssh-files.ts';

export interface SshHostOptions extends SshConnectOptions {
  /** Run commands as `sudo -n -- argv…` (needs passwordless sudo). SFTP file operations still run as `user`. */
  readonly sudo?: boolean;
}

const STDERR_TAIL_LINES = 20;
const SERVICE_STATES: ReadonlySet<string> = new Set<ServiceState>(['active', 'inactive', 'failed', 'activating', 'deactivating', 'unknown']);

function tailLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** One SSH connection and what runs over it; replaced by a new one when it is lost. */
interface Connection {
  readonly client: Client;
  readonly files: SshFiles;
  readonly exec: ExecTarget;
  /** Set once the connection failed or closed: it is never used again. */
  lostReason: string | undefined;
}

export class SshHost implements Host {
  private closed = false;
  private conn: Connection;
  /** A reconnect in progress, shared by the calls that wait for it. */
  private reconnecting: Promise<Connection> | undefined;

  private constructor(readonly address: string, client: Client, private readonly opts: SshHostOptions) {
    this.conn = this.attach(client);
  }

  /** Connects and authenticates; see ssh-connect.ts for the HOST_* errors it throws. */
  static async connect(opts: SshHostOptions): Promise<SshHost> {
    return new SshHost(opts.address, await openSshClient(opts), opts);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const result = await this.use((c) => execCommand(c.exec, argv, options));
    if ((options.check ?? true) && result.exitCode !== 0) {
      const program = argv[0] ?? '';
      const tail = tailLines(result.stderr, STDERR_TAIL_LINES);
      throw new FerryError('HOST_COMMAND_FAILED', `${program} exited with code ${result.exitCode} on ${this.address}${tail === '' ? '.' : `:\n${tail}`}`, {
        // Not the full command line: arguments may carry secrets.
        hint: `Read ${program}'s error output above; pass check: false to handle non-zero exit codes yourself.`,
        subjects: { host: this.address, command: program },
      });
    }
    return result;
  }

  readFile(path: string): Promise<Buffer | undefined> {
    return this.use((c) => c.files.readFile(path));
  }

  writeFile(path: string, data: string | Buffer, options?: WriteFileOptions): Promise<WriteFileResult> {
    return this.use((c) => c.files.writeFile(path, data, options));
  }

  exists(path: string): Promise<boolean> {
    return this.use((c) => c.files.exists(path));
  }

  mkdir(path: string, mode?: number): Promise<void> {
    return this.use((c) => c.files.mkdir(path, mode));
  }

  rename(from: string, to: string): Promise<void> {
    return this.use((c) => c.files.rename(from, to));
  }

  async service(unit: string, action: ServiceAction): Promise<void> {
    checkUnit(unit);
    if (!Object.values(ServiceAction).includes(action)) throw inputError('HOST_SERVICE_ACTION', `Unknown service action ${JSON.stringify(action)}.`);
    await this.run(['systemctl', action, unit]);
  }

  /** `systemctl is-active` exits non-zero for every state but active, so only its output decides. */
  async serviceState(unit: string): Promise<ServiceState> {
    checkUnit(unit);
    const result = await this.run(['systemctl', 'is-active', unit], { check: false });
    const word = result.stdout.trim().split('\n')[0] ?? '';
    if (SERVICE_STATES.has(word)) return word as ServiceState;
    if (word === 'reloading' || word === 'refreshing') return 'active'; // running, re-reading its configuration
    if (word !== '') return 'unknown';
    throw new FerryError('HOST_COMMAND_FAILED', `systemctl is-active ${unit} printed no state on ${this.address} (exit code ${result.exitCode}):\n${tailLines(result.stderr, STDERR_TAIL_LINES)}`, {
      hint: 'Check that the host runs systemd and that systemctl works for the SSH user (or set sudo).',
      subjects: { host: this.address, command: 'systemctl' },
    });
  }

  async reloadUnits(): Promise<void> {
    await this.run(['systemctl', 'daemon-reload']);
  }

  /** Ends the SFTP session and the connection; waits up to 5 s for the socket to close. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const c = await (this.reconnecting ?? Promise.resolve(this.conn)).catch(() => this.conn);
    await c.files.close();
    if (c.lostReason !== undefined) {
      c.client.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { c.client.destroy(); resolve(); }, 5_000);
      c.client.once('close', () => { clearTimeout(timer); resolve(); });
      c.client.end();
    });
  }

  private attach(client: Client): Connection {
    const c: Connection = {
      client,
      files: new SshFiles(client, this.address),
      exec: { client, address: this.address, sudo: this.opts.sudo ?? false, lost: (reason) => this.lost(c, reason) },
      lostReason: undefined,
    };
    client.on('error', (err: Error & ClientErrorExtensions) => { c.lostReason ??= err.message; });
    client.on('close', () => { c.lostReason ??= 'the connection closed'; });
    return c;
  }

  /**
   * The live connection. A lost one is never used again: the operation that was running on it failed with
   * HOST_CONNECTION_LOST, and the next operation opens a new connection (HOST_UNREACHABLE etc. while the host
   * stays unreachable), so a rollback or a retry after a dropped link works once the link is back.
   */
  private async connection(): Promise<Connection> {
    if (this.closed) throw new FerryError('HOST_CLOSED', `The SSH connection to ${this.address} was closed by ferry.`, { subjects: { host: this.address } });
    if (this.conn.lostReason === undefined) return this.conn;
    if (this.reconnecting === undefined) {
      const lost = this.conn;
      lost.client.destroy();
      const pending = openSshClient(this.opts).then((client) => {
        const fresh = this.attach(client);
        if (this.closed) client.destroy();
        else this.conn = fresh;
        return fresh;
      });
      this.reconnecting = pending;
      void pending.catch(() => undefined).finally(() => { if (this.reconnecting === pending) this.reconnecting = undefined; });
    }
    return await this.reconnecting;
  }

  /** Runs one operation on the live connection; a failure caused by the connection dropping is HOST_CONNECTION_LOST. */
  private async use<T>(op: (c: Connection) => Promise<T>): Promise<T> {
    const c = await this.connection();
    try {
      return await op(c);
    } catch (err) {
      if (err instanceof FerryError && err.code !== 'HOST_FILE_OP_FAILED') throw err;
      // ssh2 may fail the SFTP request a tick before the client reports the closed socket.
      await new Promise((resolve) => setImmediate(resolve));
      if (c.lostReason !== undefined) throw this.lost(c, messageOf(err), err);
      throw err;
    }
  }

  private lost(c: Connection, reason: string, cause?: unknown): FerryError {
    return new FerryError('HOST_CONNECTION_LOST', `The SSH connection to ${this.address} failed: ${c.lostReason ?? reason}.`, {
      hint: 'Check that the host is up and reachable; retrying opens a new connection (`ferry resume` retries the step).',
      retryable: true, subjects: { host: this.address }, ...(cause !== undefined ? { cause } : {}),
    });
  }
}

function checkUnit(unit: string): void {
  if (unit === '' || unit.startsWith('-') || /\s/.test(unit)) {
    throw inputError('HOST_SERVICE_UNIT', `${JSON.stringify(unit)} is not a valid systemd unit name.`);
  }
}
