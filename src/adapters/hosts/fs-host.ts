/**
 * A Host whose files are files of this machine and whose commands run here: the base of LocalHost (the machine
 * itself) and the lab's LabHost (a host emulated in a root folder). Subclasses say where a host path lives on this
 * machine, how a command is spawned and named in messages, and how services are run.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FerryError, isFerryError, messageOf } from '../../errors.ts';
import type { Host, RunOptions, RunResult, ServiceAction, ServiceState, WriteFileOptions, WriteFileResult } from '../../ports/host.ts';

const DEFAULT_RUN_TIMEOUT_MS = 60_000;
/** How much of stderr an error message quotes. */
const STDERR_TAIL_CHARS = 2_000;

/** How a command is started on this machine. */
export interface SpawnPlan {
  readonly program: string | undefined;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export abstract class FsHost implements Host {
  abstract readonly address: string;

  /** The file on this machine for an absolute path on the host. */
  protected abstract mapPath(path: string): string;
  /** How `argv` is spawned here. */
  protected abstract planSpawn(argv: readonly string[]): SpawnPlan;
  /** How a command is named in an error message (arguments may carry secrets: a subclass may show the program only). */
  protected abstract describeCommand(argv: readonly string[]): string;
  /** A check run before every operation (the lab: that the host exists). */
  protected async ready(): Promise<void> {}

  abstract service(unit: string, action: ServiceAction): Promise<void>;
  abstract serviceState(unit: string): Promise<ServiceState>;
  abstract reloadUnits(): Promise<void>;
  abstract close(): Promise<void>;

  protected fsError(code: string, what: string, path: string, err: unknown): FerryError {
    return new FerryError(code, `${this.address}: cannot ${what} ${path}: ${messageOf(err)}`, { subjects: { host: this.address, file: path }, cause: err });
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    await this.ready();
    try {
      return await readFile(this.mapPath(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.fsError('HOST_READ_FAILED', 'read', path, err);
    }
  }

  async exists(path: string): Promise<boolean> {
    await this.ready();
    return (await lstat(this.mapPath(path)).catch(() => undefined)) !== undefined;
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    await this.ready();
    try {
      await mkdir(this.mapPath(path), { recursive: true, mode });
    } catch (err) {
      throw this.fsError('HOST_MKDIR_FAILED', 'create folder', path, err);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await this.ready();
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

  async writeFile(path: string, data: string | Buffer, options: WriteFileOptions = {}): Promise<WriteFileResult> {
    await this.ready();
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
        if ((await lstat(backup).catch(() => undefined)) === undefined) await writeFileAtomically(backup, current, mode);
        backupPath = options.backupPath;
      }
      await writeFileAtomically(target, content, mode);
      return backupPath === undefined ? { changed: true } : { changed: true, backupPath };
    } catch (err) {
      if (isFerryError(err)) throw err;
      throw this.fsError('HOST_WRITE_FAILED', 'write', path, err);
    }
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    await this.ready();
    const plan = this.planSpawn(argv);
    const program = plan.program;
    if (program === undefined) throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: empty command`, { subjects: { host: this.address } });
    const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    const result = await new Promise<RunResult & { why?: 'timeout' | 'abort' }>((resolve) => {
      const child = spawn(program, [...plan.args], { ...(plan.cwd !== undefined ? { cwd: plan.cwd } : {}), ...(plan.env !== undefined ? { env: plan.env } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let why: 'timeout' | 'abort' | undefined;
      const timer = setTimeout(() => {
        why ??= 'timeout'; // a cancel that came first is what is reported
        child.kill('SIGKILL');
      }, timeoutMs);
      const onAbort = (): void => {
        why = 'abort';
        child.kill('SIGKILL');
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
        resolve({ exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + stderrExtra, ...(why ? { why } : {}) });
      };
      // Like a shell: a program that cannot be run is exit code 127 (126 when not executable), not a thrown error.
      child.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'EACCES' ? 126 : 127, `${argv[0] ?? ''}: ${e.code === 'ENOENT' ? 'No such file or directory' : e.message}\n`));
      child.on('close', (code, signal) => finish(code ?? 128 + (signal === null ? 0 : (osConstants.signals[signal] ?? 0))));
      if (options.signal?.aborted === true) onAbort();
    });
    const subjects = { host: this.address, command: argv[0] ?? '' };
    const shown = this.describeCommand(argv);
    if (result.why === 'abort') throw new FerryError('HOST_COMMAND_ABORTED', `${this.address}: ${shown} was cancelled`, { subjects });
    if (result.why === 'timeout') throw new FerryError('HOST_COMMAND_TIMEOUT', `${this.address}: ${shown} did not finish within ${timeoutMs} ms`, { subjects, retryable: true });
    if ((options.check ?? true) && result.exitCode !== 0) {
      throw new FerryError('HOST_COMMAND_FAILED', `${this.address}: ${shown} exited with code ${result.exitCode}: ${result.stderr.slice(-STDERR_TAIL_CHARS).trim()}`, { subjects });
    }
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }
}

/**
 * Writes `data` to a temp file in the same folder, fsyncs it, renames it over `target` and fsyncs the folder: a
 * reader sees the old content or the new, never half, and the rename survives a power cut.
 */
async function writeFileAtomically(target: string, data: Buffer, mode: number): Promise<void> {
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
