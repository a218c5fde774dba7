/**
 * Writing and verifying etcd snapshot files on ferry's machine.
 *
 * What etcd 3.4 sends (checked on 3.4.23, with `etcdctl snapshot save` and with etcd3's maintenance.snapshot()):
 * the stream is the bbolt database file followed by a 32-byte sha256 of the preceding bytes. The database is a
 * whole number of 4096-byte pages, so `size % 512 === 32` (etcd's own test when restoring: `hasHash := off%512 ==
 * sha256.Size`). etcdctl keeps the trailer in the file it saves, and `etcdctl snapshot status` reads such a file
 * without changing it; so do we.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { constants, createReadStream } from 'node:fs';
import { access, open, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { BugError, FerryError } from '../../errors.ts';
import { translateEtcdError } from './errors.ts';
import type { EtcdErrorContext } from './errors.ts';
import { parseBigJson } from '../../etcd/ids.ts';
import type { SnapshotInfo } from '../../etcd/types.ts';

const TRAILER_BYTES = 32;

export interface SnapshotFileCheck {
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly verified: SnapshotInfo['verified'];
}

/** sha256 of the whole file, its size, and whether its last 32 bytes are the sha256 of the rest (etcd's trailer). */
export async function readSnapshotDigest(path: string): Promise<{ sha256: string; sizeBytes: number; trailerHash: boolean }> {
  const whole = createHash('sha256');
  const body = createHash('sha256');
  let tail = Buffer.alloc(0);
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    whole.update(chunk);
    size += chunk.length;
    const joined = Buffer.concat([tail, chunk]);
    const cut = Math.max(0, joined.length - TRAILER_BYTES);
    body.update(joined.subarray(0, cut));
    tail = joined.subarray(cut);
  }
  const trailerHash = size > TRAILER_BYTES && size % 512 === TRAILER_BYTES && body.digest().equals(tail);
  return { sha256: whole.digest('hex'), sizeBytes: size, trailerHash };
}

/**
 * Verify a snapshot file: etcd's trailing sha256 must match, and when `etcdctl` is on PATH,
 * `etcdctl snapshot status` must read it. Throws ETCD_SNAPSHOT_CORRUPT otherwise.
 */
export async function verifySnapshotFile(path: string, opts: { etcdctlTimeoutMs?: number } = {}): Promise<SnapshotFileCheck> {
  const digest = await readSnapshotDigest(path);
  if (!digest.trailerHash) {
    throw new FerryError('ETCD_SNAPSHOT_CORRUPT', `Snapshot ${path} is corrupt: its trailing sha256 (added by etcd) does not match its content (${digest.sizeBytes} bytes).`, {
      hint: 'Take the snapshot again; if it keeps failing, check the disk and the member that sent it.',
      subjects: { file: path },
    });
  }
  const etcdctl = await findOnPath('etcdctl');
  if (etcdctl === undefined) return { sha256: digest.sha256, sizeBytes: digest.sizeBytes, verified: { trailerHash: true } };
  const etcdctlStatus = await readEtcdctlStatus(etcdctl, path, opts.etcdctlTimeoutMs ?? 120_000);
  return { sha256: digest.sha256, sizeBytes: digest.sizeBytes, verified: { trailerHash: true, etcdctlStatus } };
}

/**
 * Stream a snapshot into `path + '.part'`, fsync it, verify it, then rename it to `path` (and fsync the folder).
 * The part file is removed when anything fails.
 */
export async function writeSnapshotStream(opts: {
  path: string;
  context: EtcdErrorContext;
  openStream: () => Promise<unknown>;
  /** Backstop for the whole stream, in ms, on top of the grpc deadline the stream was opened with. */
  timeoutMs: number;
}): Promise<SnapshotFileCheck & { path: string }> {
  const path = resolve(opts.path);
  const part = `${path}.part`;
  let stream: unknown;
  try {
    stream = await opts.openStream();
  } catch (err) {
    throw translateEtcdError(err, opts.context);
  }
  if (!(stream instanceof Readable)) throw new BugError('etcd3 snapshot() did not return a Readable stream');
  const timer = setTimeout(() => stream.destroy(new Error(`deadline: snapshot stream did not end within ${opts.timeoutMs} ms`)), opts.timeoutMs);
  try {
    const file = await open(part, 'w', 0o600);
    try {
      for await (const message of stream as AsyncIterable<{ blob: Buffer }>) await file.write(message.blob);
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (err) {
    // destroy() alone leaves the grpc call open; cancel() ends it on the server too.
    (stream as Readable & { cancel?: () => void }).cancel?.();
    stream.destroy();
    await rm(part, { force: true });
    if (isFsError(err)) {
      throw new FerryError('ETCD_SNAPSHOT_WRITE', `Cannot write the snapshot to ${part}: ${err.message}`, {
        hint: 'Check that the folder exists, is writable and has room for the whole etcd database.',
        subjects: { file: part },
        cause: err,
      });
    }
    throw translateEtcdError(err, opts.context);
  } finally {
    clearTimeout(timer);
  }
  let check: SnapshotFileCheck;
  try {
    check = await verifySnapshotFile(part);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
  await rename(part, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return { ...check, path };
}

async function readEtcdctlStatus(etcdctl: string, path: string, timeoutMs: number): Promise<NonNullable<SnapshotInfo['verified']['etcdctlStatus']>> {
  const args = ['snapshot', 'status', path, '-w', 'json'];
  const env = { ...process.env, ETCDCTL_API: '3' };
  const result = await new Promise<{ stdout: string; stderr: string; error: (Error & { killed?: boolean; code?: unknown }) | null }>((done) => {
    execFile(etcdctl, args, { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => done({ stdout, stderr, error }));
  });
  if (result.error !== null && result.error.killed === true) {
    throw new FerryError('ETCD_SNAPSHOT_VERIFY_TIMEOUT', `etcdctl snapshot status ${path} did not finish within ${timeoutMs} ms.`, {
      hint: 'The file may be very large or the disk slow; verify it by hand with `etcdctl snapshot status`.',
      retryable: true,
      subjects: { file: path },
    });
  }
  const status = result.error === null ? parseStatus(result.stdout) : undefined;
  if (status === undefined) {
    const why = (result.stderr.trim() || result.stdout.trim() || (result.error?.message ?? '')).split('\n').slice(-3).join(' | ');
    throw new FerryError('ETCD_SNAPSHOT_CORRUPT', `Snapshot ${path} is corrupt: \`etcdctl snapshot status\` cannot read it (${why}).`, {
      hint: 'Take the snapshot again from a healthy member.',
      subjects: { file: path },
    });
  }
  return status;
}

/** `{"hash":1990420313,"revision":21,"totalKey":24,"totalSize":24576}` → hash as etcdctl's table prints it (%x). */
function parseStatus(stdout: string): NonNullable<SnapshotInfo['verified']['etcdctlStatus']> | undefined {
  let value: unknown;
  try {
    value = parseBigJson(stdout);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { hash, revision, totalKey } = value as Record<string, unknown>;
  const isInt = (v: unknown): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
  if (!isInt(hash) || !isInt(revision) || typeof totalKey !== 'number') return undefined;
  return { hash: BigInt(hash).toString(16), revision: BigInt(revision).toString(), totalKeys: totalKey };
}

function isFsError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
