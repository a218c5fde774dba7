/**
 * The machine ferry runs on, as a Host: real paths, local processes, `systemctl` for services. Used by
 * `ferry node update-config` run on a node itself (as the runbook ran update_node_configs.sh with sudo).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FerryError, inputError, isFerryError, messageOf } from '../../errors.ts';
import type { Host, RunOptions, RunResult, ServiceAction, ServiceState, WriteFileOptions, WriteFileResult } from '../../ports/host.ts';

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
const STDERR_TAIL_CHARS = 2_000;
const SERVICE_STATES: ReadonlySet<string> = new Set<ServiceState>(['active', 'inactive', 'failed', 'activating', 'deactivating', 'unknown']);

export class LocalHost implements Host {
  constructor(readonly address: string = hostname()) {}

  private fail(code: string, what: string, path: string, err: unknown): FerryError {
    return new FerryError(code, `${this.address}: cannot ${what} ${path}: ${messageOf(err)}`, { subjects: { host: this.address, file: path }, cause: err });
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.fail('HOST_READ_FAILED', 'read', path, err);
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await lstat(path).catch(() => undefined)) !== undefined;
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await mkdir(path, { recursive: true, mode }).catch((err: unknown) => {
      throw this.fail('HOST_MKDIR_FAILED', 'create folder', path, err);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (await this.exists(to)) throw new FerryError('HOST_RENAME_FAILED', `${this.address}: cannot rename ${from} to ${to}: ${to} exists`, { subjects: { host: this.address, file: to } });
    await rename(from, to).catch((err: unknown) => {
      throw this.fail('HOST_RENAME_FAILED', `rename ${from} to`, to, err);
    });
  }

  /** Temp file in the same folder, fsync, rename over the target, fsync the folder: a reader sees old or new, never half. */
  private async writeAtomically(target: string, data: Buffer, mode: number): Promise<void> {
    const tmp = join(dirname(target), `.${basename(target)}.ferry-tmp-${process.pid}-${Date.now()}`);
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target).catch(async (err: unknown) => {
      await unlink(tmp).catch(() => undefined);
      throw err;
    });
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  async writeFile(path: string, data: string | Buffer, options: WriteFileOptions = {}): Promise<WriteFileResult> {
    const content = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      const current = await this.readFile(path);
      if (current !== undefined && current.equals(content)) return { changed: false };
      const mode = current !== undefined ? (await stat(path)).mode & 0o7777 : (options.mode ?? 0o644);
      if (current !== undefined && options.backupPath !== undefined) {
        // The first backup of a run is the one that matters: never overwrite it.
        if (!(await this.exists(options.backupPath))) await this.writeAtomically(options.backupPath, current, mode);
      }
      await this.writeAtomically(path, content, mode);
      return current !== undefined && options.backupPath !== undefined ? { changed: true, backupPath: options.backupPath } : { changed: true };
    } catch (err) {
      if (isFerryError(err)) throw err;
      throw this.fail('HOST_WRITE_FAILED', 'write', path, err);
    }
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [program, ...args] = argv;
    if (program === undefined) throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: empty command`, { subjects: { host: this.address } });
    const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    const r = await new Promise<RunResult & { why?: 'timeout' | 'abort' }>((resolve) => {
      const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let why: 'timeout' | 'abort' | undefined;
      const timer = setTimeout(() => {
        why = 'timeout';
        child.kill('SIGKILL');
      }, timeoutMs);
      const onAbort = (): void => {
        why = 'abort';
        child.kill('SIGKILL');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
      let done = false;
      const finish = (exitCode: number, extra = ''): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + extra, ...(why ? { why } : {}) });
      };
      // Like a shell: a program that cannot be run is exit code 127 (126 when not executable).
      child.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'EACCES' ? 126 : 127, `${program}: ${e.message}\n`));
      child.on('close', (code, signal) => finish(code ?? (signal === null ? 128 : 128 + 9)));
      if (options.signal?.aborted === true) onAbort();
    });
    const subjects = { host: this.address, command: program };
    if (r.why === 'abort') throw new FerryError('HOST_COMMAND_ABORTED', `${this.address}: ${program} was cancelled`, { subjects });
    if (r.why === 'timeout') throw new FerryError('HOST_COMMAND_TIMEOUT', `${this.address}: ${program} did not finish within ${timeoutMs} ms`, { subjects, retryable: true });
    if ((options.check ?? true) && r.exitCode !== 0) {
      // The program, not the whole command line: arguments may carry secrets.
      throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: ${program} exited with code ${r.exitCode}: ${r.stderr.slice(-STDERR_TAIL_CHARS).trim()}`, { subjects });
    }
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  async service(unit: string, action: ServiceAction): Promise<void> {
    checkUnit(unit);
    await this.run(['systemctl', action, unit]);
  }

  /** `systemctl is-active` exits non-zero for every state but active, so only its output decides. */
  async serviceState(unit: string): Promise<ServiceState> {
    checkUnit(unit);
    const r = await this.run(['systemctl', 'is-active', unit], { check: false });
    const word = r.stdout.trim().split('\n')[0] ?? '';
    if (SERVICE_STATES.has(word)) return word as ServiceState;
    if (word === 'reloading' || word === 'refreshing') return 'active';
    if (word !== '') return 'unknown';
    throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: systemctl is-active ${unit} printed no state (exit code ${r.exitCode}): ${r.stderr.trim()}`, {
      hint: 'run ferry as root on a host with systemd',
      subjects: { host: this.address, command: 'systemctl' },
    });
  }

  async reloadUnits(): Promise<void> {
    await this.run(['systemctl', 'daemon-reload']);
  }

  async close(): Promise<void> {
    // Nothing held open.
  }
}

function checkUnit(unit: string): void {
  if (unit === '' || unit.startsWith('-') || /\s/.test(unit)) throw inputError('HOST_SERVICE_UNIT', `${JSON.stringify(unit)} is not a valid systemd unit name`);
}
