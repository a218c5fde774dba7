/**
 * Host over SSH (ssh2 Client): commands via exec with each argv word quoted for the remote POSIX shell, files via
 * SFTP (ssh-files.ts), services via systemctl. One connection per host, opened by {@link SshHost.connect}.
 */
import type { Client, ClientErrorExtensions } from 'ssh2';
import { FerryError, inputError } from '../errors.ts';
import { ServiceAction } from './host.ts';
import type { Host, RunOptions, RunResult, ServiceState, WriteFileOptions, WriteFileResult } from './host.ts';
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

export class SshHost implements Host {
  private closed = false;
  private lostReason: string | undefined;
  private readonly files: SshFiles;
  private readonly execTarget: ExecTarget;

  private constructor(readonly address: string, private readonly client: Client, sudo: boolean) {
    this.files = new SshFiles(client, address);
    this.execTarget = { client, address, sudo, lost: (reason) => this.lost(reason) };
    client.on('error', (err: Error & ClientErrorExtensions) => { this.lostReason = err.message; });
    client.on('close', () => { this.lostReason ??= 'the connection closed'; });
  }

  /** Connects and authenticates; see ssh-connect.ts for the HOST_* errors it throws. */
  static async connect(opts: SshHostOptions): Promise<SshHost> {
    return new SshHost(opts.address, await openSshClient(opts), opts.sudo ?? false);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.requireOpen();
    const result = await execCommand(this.execTarget, argv, options);
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
    this.requireOpen();
    return this.files.readFile(path);
  }

  writeFile(path: string, data: string | Buffer, options?: WriteFileOptions): Promise<WriteFileResult> {
    this.requireOpen();
    return this.files.writeFile(path, data, options);
  }

  exists(path: string): Promise<boolean> {
    this.requireOpen();
    return this.files.exists(path);
  }

  mkdir(path: string, mode?: number): Promise<void> {
    this.requireOpen();
    return this.files.mkdir(path, mode);
  }

  rename(from: string, to: string): Promise<void> {
    this.requireOpen();
    return this.files.rename(from, to);
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
    await this.files.close();
    if (this.lostReason !== undefined) {
      this.client.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.client.destroy(); resolve(); }, 5_000);
      this.client.once('close', () => { clearTimeout(timer); resolve(); });
      this.client.end();
    });
  }

  private requireOpen(): void {
    if (this.closed) throw new FerryError('HOST_CLOSED', `The SSH connection to ${this.address} was closed by ferry.`, { subjects: { host: this.address } });
    if (this.lostReason !== undefined) throw this.lost(this.lostReason);
  }

  private lost(reason: string): FerryError {
    return new FerryError('HOST_CONNECTION_LOST', `The SSH connection to ${this.address} failed: ${this.lostReason ?? reason}.`, {
      hint: 'Check that the host is up; the step can be retried on a new connection.',
      retryable: true, subjects: { host: this.address },
    });
  }
}

function checkUnit(unit: string): void {
  if (unit === '' || unit.startsWith('-') || /\s/.test(unit)) {
    throw inputError('HOST_SERVICE_UNIT', `${JSON.stringify(unit)} is not a valid systemd unit name.`);
  }
}
