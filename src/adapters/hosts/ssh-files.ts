/**
 * The file half of SshHost, over one lazily opened SFTP session. SFTP runs as the SSH login user: the `sudo`
 * option of SshHost does not apply here, so the user must own (or be able to write) the files ferry manages.
 *
 * writeFile is atomic on OpenSSH servers: the new bytes go to `<dir>/.<name>.ferry-tmp-<random>`, are fsynced
 * (`fsync@openssh.com`), get the old file's mode and owner, and replace the target with `posix-rename@openssh.com`
 * (rename(2)). The folder itself cannot be fsynced over SFTP, so after a power loss right after the rename the old
 * file may come back, never a partial one.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { FerryError, inputError, messageOf } from '../../errors.ts';
import type { WriteFileOptions, WriteFileResult } from '../../ports/host.ts';

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that change what ferry does. */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

type Done<T> = (err: Error | null | undefined, value?: T) => void;

/**
 * Promise form of one ssh2 SFTP call. ssh2 throws synchronously for unsupported extensions; that rejects too.
 * `pending` holds the rejecter while the call waits, so a dropped connection can fail it: ssh2 fails the requests
 * outstanding when the channel ends, but never answers one sent after that (e.g. the unlink of a temp file that
 * cleans up after the first failure), which would otherwise wait forever.
 */
function callWith<T>(pending: Set<(err: Error) => void>, dead: string | undefined, start: (done: Done<T>) => void): Promise<T> {
  if (dead !== undefined) return Promise.reject(new Error(dead));
  return new Promise<T>((resolve, reject) => {
    const fail = (err: Error): void => {
      pending.delete(fail);
      reject(err);
    };
    pending.add(fail);
    try {
      start((err, value) => {
        if (!pending.delete(fail)) return; // already failed by the connection dropping
        if (err) reject(err);
        else resolve(value as T);
      });
    } catch (err) {
      pending.delete(fail);
      reject(err);
    }
  });
}

function sftpStatus(err: unknown): number | undefined {
  const code: unknown = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

function checkAbsolute(path: string): void {
  if (!path.startsWith('/') || path.includes('\0')) {
    throw inputError('HOST_PATH_INVALID', `Host paths must be absolute and free of NUL bytes; got ${JSON.stringify(path)}.`);
  }
}

export class SshFiles {
  private session: Promise<SFTPWrapper> | undefined;
  /** SFTP calls waiting for an answer: failed at once when the connection closes. */
  private readonly pending = new Set<(err: Error) => void>();
  /** Set once the connection closed: every later call fails at once. */
  private dead: string | undefined;

  constructor(private readonly client: Client, private readonly address: string) {
    client.once('close', () => {
      this.dead = 'the SSH connection closed';
      this.failPending(this.dead);
    });
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    checkAbsolute(path);
    return await this.guard('read', path, async (sftp) => {
      try {
        return await this.call<Buffer>((done) => sftp.readFile(path, done));
      } catch (err) {
        if (sftpStatus(err) === SFTP_NO_SUCH_FILE) return undefined;
        throw err;
      }
    });
  }

  async exists(path: string): Promise<boolean> {
    checkAbsolute(path);
    return await this.guard('lstat', path, async (sftp) => (await this.lstat(sftp, path)) !== undefined);
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    checkAbsolute(path);
    await this.guard('mkdir', path, async (sftp) => {
      let prefix = '';
      for (const part of posix.normalize(path).split('/').filter((p) => p !== '')) {
        prefix = `${prefix}/${part}`;
        const stats = await this.lstat(sftp, prefix);
        if (stats?.isDirectory() === true || (stats?.isSymbolicLink() === true && (await this.stat(sftp, prefix))?.isDirectory() === true)) continue;
        if (stats !== undefined) throw this.fail('mkdir', path, `${prefix} exists and is not a folder`);
        try {
          await this.call((done) => sftp.mkdir(prefix, { mode }, done));
          await this.call((done) => sftp.chmod(prefix, mode, done)); // mkdir's mode is cut by the server's umask
        } catch (err) {
          if ((await this.stat(sftp, prefix))?.isDirectory() !== true) throw err; // else created meanwhile
        }
      }
    });
  }

  async rename(from: string, to: string): Promise<void> {
    checkAbsolute(from);
    checkAbsolute(to);
    await this.guard('rename', from, (sftp) => this.renameNoReplace(sftp, from, to));
  }

  async writeFile(path: string, data: string | Buffer, options: WriteFileOptions = {}): Promise<WriteFileResult> {
    checkAbsolute(path);
    const { backupPath } = options;
    if (backupPath !== undefined) checkAbsolute(backupPath);
    const content = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    return await this.guard('write', path, async (sftp) => {
      let target = path;
      let current = await this.lstat(sftp, path);
      if (current?.isSymbolicLink() === true) {
        // Write through the link, as `cat > link` would, instead of replacing the link with a file.
        target = await this.call<string>((done) => sftp.realpath(path, done));
        current = await this.stat(sftp, target);
      }
      if (current === undefined) {
        await this.replace(sftp, target, content, options.mode ?? 0o644, undefined);
        await this.removeStaleTemps(sftp, target);
        return { changed: true };
      }
      if (!current.isFile()) throw this.fail('write', path, 'it exists and is not a regular file');
      const old = await this.call<Buffer>((done) => sftp.readFile(target, done));
      if (old.equals(content)) return { changed: false };
      let written: string | undefined;
      if (backupPath !== undefined && (await this.lstat(sftp, backupPath)) === undefined) {
        await this.mkdir(posix.dirname(backupPath), 0o700);
        const tmp = await this.writeTemp(sftp, backupPath, old, current.mode & 0o7777, current);
        await this.removeOnError(sftp, tmp, () => this.renameNoReplace(sftp, tmp, backupPath));
        written = backupPath;
      }
      await this.replace(sftp, target, content, current.mode & 0o7777, current);
      await this.removeStaleTemps(sftp, target);
      return written === undefined ? { changed: true } : { changed: true, backupPath: written };
    });
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) (await session.catch(() => undefined))?.end();
  }

  private call<T = void>(start: (done: Done<T>) => void): Promise<T> {
    return callWith(this.pending, this.dead, start);
  }

  private failPending(reason: string): void {
    const waiting = [...this.pending];
    this.pending.clear();
    for (const fail of waiting) fail(new Error(reason));
  }

  private sftp(): Promise<SFTPWrapper> {
    if (this.session === undefined) {
      const session = this.call<SFTPWrapper>((done) => this.client.sftp(done));
      this.session = session;
      session.then(
        (sftp) => sftp.once('close', () => {
          if (this.session === session) this.session = undefined;
          this.failPending('the SFTP session closed'); // one session at a time: whatever waits was sent on it
        }),
        () => { if (this.session === session) this.session = undefined; },
      );
    }
    return this.session;
  }

  /** Runs one file operation; anything that is not already a FerryError is translated here, once. */
  private async guard<T>(op: string, path: string, body: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    try {
      return await body(await this.sftp());
    } catch (err) {
      if (err instanceof FerryError) throw err;
      const status = sftpStatus(err);
      if (status === SFTP_PERMISSION_DENIED) {
        throw new FerryError('HOST_PERMISSION_DENIED', `SFTP ${op} of ${path} on ${this.address} was denied.`, {
          hint: 'File operations run as the SSH user over SFTP, even when sudo is set: give that user write access to the path, or connect as its owner.',
          subjects: { host: this.address, file: path }, cause: err,
        });
      }
      throw this.fail(op, path, messageOf(err), err, status === undefined);
    }
  }

  private fail(op: string, path: string, reason: string, cause?: unknown, retryable = false): FerryError {
    return new FerryError('HOST_FILE_OP_FAILED', `SFTP ${op} of ${path} on ${this.address} failed: ${reason}.`, {
      hint: retryable ? 'The SSH connection may have dropped; retry.' : 'Check the path and its parent folder on the host.',
      retryable, subjects: { host: this.address, file: path }, cause,
    });
  }

  private async lstat(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
    return await this.statWith((done) => sftp.lstat(path, done));
  }

  private async stat(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
    return await this.statWith((done) => sftp.stat(path, done));
  }

  private async statWith(start: (done: Done<Stats>) => void): Promise<Stats | undefined> {
    try {
      return await this.call<Stats>(start);
    } catch (err) {
      if (sftpStatus(err) === SFTP_NO_SUCH_FILE) return undefined;
      throw err;
    }
  }

  /** Fails when `to` exists. posix-rename is only used once `to` is known to be absent, since it would replace it. */
  private async renameNoReplace(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    if ((await this.lstat(sftp, to)) !== undefined) {
      throw new FerryError('HOST_RENAME_TARGET_EXISTS', `Cannot rename ${from} to ${to} on ${this.address}: ${to} already exists.`, {
        hint: `Remove or move ${to} first if it is no longer needed.`,
        subjects: { host: this.address, file: to },
      });
    }
    try {
      await this.call((done) => sftp.ext_openssh_rename(from, to, done));
    } catch (err) {
      if (sftpStatus(err) !== undefined) throw err;
      // Not an OpenSSH server: plain SFTP rename, which servers implement as "fail if the target exists".
      await this.call((done) => sftp.rename(from, to, done));
    }
  }

  /** Puts `content` at `target` through a synced temp file and an atomic rename. */
  private async replace(sftp: SFTPWrapper, target: string, content: Buffer, mode: number, owner: Stats | undefined): Promise<void> {
    const tmp = await this.writeTemp(sftp, target, content, mode, owner);
    await this.removeOnError(sftp, tmp, async () => {
      try {
        await this.call((done) => sftp.ext_openssh_rename(tmp, target, done));
      } catch (err) {
        if (sftpStatus(err) !== undefined) throw err;
        throw new FerryError('HOST_SFTP_UNSUPPORTED', `The SFTP server on ${this.address} lacks posix-rename@openssh.com, so ${target} cannot be replaced atomically.`, {
          hint: 'Use an OpenSSH sftp-server (any version since 2008) on the host.',
          subjects: { host: this.address, file: target },
        });
      }
    });
  }

  /** Writes a fully synced sibling temp file with the final mode and owner; returns its path. */
  private async writeTemp(sftp: SFTPWrapper, finalPath: string, content: Buffer, mode: number, owner: Stats | undefined): Promise<string> {
    const tmp = posix.join(posix.dirname(finalPath), `.${posix.basename(finalPath)}.ferry-tmp-${randomBytes(6).toString('hex')}`);
    const handle = await this.call<Buffer>((done) => sftp.open(tmp, 'wx', { mode: 0o600 }, done));
    await this.removeOnError(sftp, tmp, async () => {
      try {
        if (content.length > 0) await this.call((done) => sftp.write(handle, content, 0, content.length, 0, done));
        const mine = await this.call<Stats>((done) => sftp.fstat(handle, done));
        if (owner !== undefined && (mine.uid !== owner.uid || mine.gid !== owner.gid)) {
          await this.call((done) => sftp.fchown(handle, owner.uid, owner.gid, done));
        }
        await this.call((done) => sftp.fchmod(handle, mode, done));
        await this.fsync(sftp, handle);
      } finally {
        await this.call((done) => sftp.close(handle, done)).catch(() => undefined);
      }
    });
    return tmp;
  }

  /** fsync@openssh.com when the server has it (OpenSSH ≥ 6.5); otherwise the data is only as safe as close(2). */
  private async fsync(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
    try {
      await this.call((done) => sftp.ext_openssh_fsync(handle, done));
    } catch (err) {
      if (sftpStatus(err) !== undefined) throw err;
    }
  }

  /**
   * Best effort, after a successful replace: removes temp files of earlier writes of `target` that a dropped
   * connection left half written (nothing could unlink them then). Only names this class makes are touched.
   */
  private async removeStaleTemps(sftp: SFTPWrapper, target: string): Promise<void> {
    const dir = posix.dirname(target);
    const stale = new RegExp(`^\\.${posix.basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.ferry-tmp-[0-9a-f]{12}$`);
    try {
      const entries = await this.call<{ filename: string }[]>((done) => sftp.readdir(dir, done));
      for (const e of entries) if (stale.test(e.filename)) await this.call((done) => sftp.unlink(posix.join(dir, e.filename), done)).catch(() => undefined);
    } catch {
      // the write itself succeeded; a leftover temp file is only litter
    }
  }

  private async removeOnError(sftp: SFTPWrapper, tmp: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      await this.call((done) => sftp.unlink(tmp, done)).catch(() => undefined);
      throw err;
    }
  }
}
