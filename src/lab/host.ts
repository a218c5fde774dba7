/**
 * A host emulated on this machine by the lab: its files live under `<labDir>/hosts/<address>/` (every absolute
 * path is mapped into that root), its commands run locally with their path arguments mapped the same way, and
 * its services are run by the lab supervisor. Steps cannot tell it from an SSH host.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { lstat, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FerryError, isFerryError, messageOf } from '../errors.ts';
import { buildHostRoot, isValidLabAddress, mapArgvIntoRoot, mapPathIntoRoot } from './paths.ts';
import { SupervisorClient } from './supervisor-client.ts';
import type { Host, RunOptions, RunResult, ServiceAction, ServiceState, WriteFileOptions, WriteFileResult } from '../ports/host.ts';

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
/** How much of stderr an error message quotes. */
const STDERR_TAIL_CHARS = 2_000;

export class LabHost implements Host {
  readonly root: string;
  private readonly supervisor: SupervisorClient;
  private rootChecked = false;

  readonly labDir: string;

  constructor(
    labDir: string,
    readonly address: string,
  ) {
    this.labDir = resolve(labDir);
    this.root = buildHostRoot(this.labDir, address);
    this.supervisor = new SupervisorClient(this.labDir);
  }

  /** `/etc/x` on this host → the file on this machine. */
  mapPath(path: string): string {
    if (!path.startsWith('/')) throw new FerryError('HOST_PATH_NOT_ABSOLUTE', `${this.address}: path "${path}" is not absolute`, { subjects: { host: this.address } });
    return mapPathIntoRoot(this.root, path);
  }

  private async ensureRoot(): Promise<void> {
    if (this.rootChecked) return;
    const st = isValidLabAddress(this.address) ? await stat(this.root).catch(() => undefined) : undefined;
    if (st?.isDirectory() !== true) {
      throw new FerryError('LAB_HOST_UNKNOWN', `${this.address} is not a host of the lab in ${this.labDir}`, {
        hint: 'Run `ferry lab up` with an inventory that names this host, or check access.labDir.',
        subjects: { host: this.address },
      });
    }
    this.rootChecked = true;
  }

  private fsError(code: string, what: string, path: string, err: unknown): FerryError {
    return new FerryError(code, `${this.address}: cannot ${what} ${path}: ${messageOf(err)}`, { subjects: { host: this.address, file: path }, cause: err });
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    await this.ensureRoot();
    try {
      return await readFile(this.mapPath(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.fsError('HOST_READ_FAILED', 'read', path, err);
    }
  }

  async exists(path: string): Promise<boolean> {
    await this.ensureRoot();
    return (await lstat(this.mapPath(path)).catch(() => undefined)) !== undefined;
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await this.ensureRoot();
    try {
      await mkdir(this.mapPath(path), { recursive: true, mode });
    } catch (err) {
      throw this.fsError('HOST_MKDIR_FAILED', 'create folder', path, err);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await this.ensureRoot();
    const target = this.mapPath(to);
    if ((await lstat(target).catch(() => undefined)) !== undefined) {
      throw new FerryError('HOST_RENAME_FAILED', `${this.address}: cannot rename ${from} to ${to}: ${to} exists`, { subjects: { host: this.address, file: to } });
    }
    try {
      await rename(this.mapPath(from), target);
    } catch (err) {
      throw this.fsError('HOST_RENAME_FAILED', `rename ${from} to`, to, err);
    }
  }

  /** Write `data` to a temp file in the same folder, fsync it, rename it over `target` (atomic replace). */
  private async writeAtomically(target: string, data: Buffer, mode: number): Promise<void> {
    const tmp = join(dirname(target), `.${basename(target)}.ferry-tmp-${process.pid}-${Date.now()}`);
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // the umask must not change the mode asked for
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync(); // make the rename itself durable
    } finally {
      await dir.close();
    }
  }

  async writeFile(path: string, data: string | Buffer, options: WriteFileOptions = {}): Promise<WriteFileResult> {
    await this.ensureRoot();
    const target = this.mapPath(path);
    const content = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      const current = await readFile(target).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (current !== undefined && current.equals(content)) return { changed: false };
      const mode = current !== undefined ? (await stat(target)).mode & 0o7777 : (options.mode ?? 0o644);
      let backupPath: string | undefined;
      if (current !== undefined && options.backupPath !== undefined) {
        const backup = this.mapPath(options.backupPath);
        // The first backup of a run is the one that matters: never overwrite it.
        if ((await lstat(backup).catch(() => undefined)) === undefined) {
          await this.writeAtomically(backup, current, mode);
        }
        backupPath = options.backupPath;
      }
      await this.writeAtomically(target, content, mode);
      return backupPath === undefined ? { changed: true } : { changed: true, backupPath };
    } catch (err) {
      if (isFerryError(err)) throw err;
      throw this.fsError('HOST_WRITE_FAILED', 'write', path, err);
    }
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    await this.ensureRoot();
    const [program, ...args] = mapArgvIntoRoot(this.root, argv);
    if (program === undefined) throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: empty command`, { subjects: { host: this.address } });
    const shown = argv.join(' ');
    const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    const result = await new Promise<RunResult & { timedOut: boolean; aborted: boolean }>((resolve) => {
      const child = spawn(program, args, {
        cwd: this.root,
        env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: this.root, LANG: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let aborted = false;
      const kill = (): void => {
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        kill();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.stdin.on('error', () => undefined); // the program may exit without reading its input
      child.stdin.end(options.stdin);
      let finished = false;
      const finish = (exitCode: number, stderrExtra = ''): void => {
        if (finished) return; // a failed spawn emits 'error' and then 'close'
        finished = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + stderrExtra, timedOut, aborted });
      };
      // Like a shell on the real host: a program that cannot be run is exit code 127 (or 126), not a thrown error.
      child.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'EACCES' ? 126 : 127, `${argv[0] ?? ''}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}\n`));
      child.on('close', (code, signal) => finish(code ?? 128 + (signal === null ? 0 : (osConstants.signals[signal] ?? 0))));
      if (options.signal?.aborted === true) onAbort();
    });
    const subjects = { host: this.address, command: argv[0] ?? '' };
    if (result.aborted) throw new FerryError('HOST_COMMAND_ABORTED', `${this.address}: \`${shown}\` was cancelled`, { subjects });
    if (result.timedOut) {
      throw new FerryError('HOST_COMMAND_TIMEOUT', `${this.address}: \`${shown}\` did not finish within ${timeoutMs} ms`, { subjects, retryable: true });
    }
    if ((options.check ?? true) && result.exitCode !== 0) {
      throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: \`${shown}\` exited with code ${result.exitCode}: ${result.stderr.slice(-STDERR_TAIL_CHARS).trim()}`, { subjects });
    }
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  async service(unit: string, action: ServiceAction): Promise<void> {
    await this.ensureRoot();
    await this.supervisor.action(this.address, unit, action);
  }

  async serviceState(unit: string): Promise<ServiceState> {
    await this.ensureRoot();
    return (await this.supervisor.state(this.address, unit)).state;
  }

  /** A no-op: the supervisor reads the unit file again at every start (so a forgotten daemon-reload goes unnoticed here). */
  async reloadUnits(): Promise<void> {
    await this.ensureRoot();
  }

  async close(): Promise<void> {
    // Nothing held open: every supervisor request uses its own connection.
  }
}
