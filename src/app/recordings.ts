/**
 * What every run records in its folder for the report (src/run/recording-files.ts): the picture of the cluster when it
 * starts and when it ends, the etcd write-latency probe for its whole length, and every command and service action
 * ferry runs on a host. Started by session.ts around the runner; nothing here may fail a run: a recording that
 * cannot be made is left out (the report says it is missing), and a picture that cannot be read says why inside.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../adapters/durable-file.ts';
import { readClusterPicture } from '../observe/picture.ts';
import { messageOf } from '../errors.ts';
import type { Host } from '../ports/host.ts';
import { RecordingHost, type CommandSink } from '../adapters/hosts/recording.ts';
import type { Inventory } from '../inventory/types.ts';
import type { ClusterPicture } from '../observe/types.ts';
import { JsonlAppender } from '../run/jsonl-appender.ts';
import { startLatencyProbe, type LatencyProbe } from './latency-probe.ts';
import { COMMANDS_FILE, LATENCY_FILE, PICTURE_AFTER_FILE, PICTURE_BEFORE_FILE } from '../run/recording-files.ts';
import type { Deps } from '../ports/deps.ts';

/** A picture that takes longer than this is given up (the run goes on). */
const PICTURE_TIMEOUT_MS = 20_000;

/** `deps` whose hosts record every action into `sink` (the same Host object for the same host, as deps caches). */
export function withCommandRecorder(deps: Deps, sink: CommandSink): Deps {
  const wrapped = new WeakMap<Host, Host>();
  const host = async (address: string): Promise<Host> => {
    const inner = await deps.host(address);
    let w = wrapped.get(inner);
    if (w === undefined) {
      w = new RecordingHost(inner, sink);
      wrapped.set(inner, w);
    }
    return w;
  };
  // A proxy rather than a copy: every other member (and any added to Deps later) is the original's.
  return new Proxy(deps, { get: (target, prop) => (prop === 'host' ? host : Reflect.get(target, prop, target)) });
}

/** The cluster's picture, never throwing: a failure or a timeout becomes the picture's `error`. */
export async function readPictureSafely(inventory: Inventory, deps: Deps, timeoutMs = PICTURE_TIMEOUT_MS): Promise<ClusterPicture> {
  const takenAt = new Date().toISOString();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the picture took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([readClusterPicture(inventory, deps), late]);
  } catch (err) {
    return { takenAt, error: `could not read the cluster: ${messageOf(err)}`, masters: [], nodes: { list: [] } };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Write `value` as JSON atomically (temp file + rename). Returns false when it could not; a temp file cut short (a
 * full disk) is removed, so it neither litters the run folder nor holds the space the journal needs.
 */
function writeJsonQuietly(path: string, value: unknown): boolean {
  try {
    writeFileDurably(path, JSON.stringify(value, null, 2) + '\n');
    return true;
  } catch {
    return false; // the run goes on without this recording
  }
}

export interface RunRecordingsOptions {
  readonly runId: string;
  readonly runDir: string;
  readonly inventory: Inventory;
  readonly deps: Deps;
}

export interface RunRecordings {
  /** The deps the runner must use: hosts that record what is done on them. */
  readonly deps: Deps;
  /** Take the after picture, stop the probe (deleting its key), close commands.jsonl. Never throws. */
  stop(): Promise<void>;
}

/**
 * Start recording a run: the latency probe first (so it covers everything), then the before picture — only when
 * there is none yet, so that a resume keeps the first run's.
 */
export async function startRunRecordings(o: RunRecordingsOptions): Promise<RunRecordings> {
  let probe: LatencyProbe | undefined;
  try {
    const endpoints = [...o.inventory.etcd.old, ...o.inventory.etcd.new].map((m) => m.clientURL);
    probe = startLatencyProbe({ endpoints, runId: o.runId, file: join(o.runDir, LATENCY_FILE), ...(o.inventory.etcd.tls ? { tls: o.inventory.etcd.tls } : {}) });
  } catch {
    probe = undefined; // no chart in the report; the run goes on
  }
  const beforeFile = join(o.runDir, PICTURE_BEFORE_FILE);
  if (!existsSync(beforeFile)) writeJsonQuietly(beforeFile, await readPictureSafely(o.inventory, o.deps));
  const commands = new JsonlAppender(join(o.runDir, COMMANDS_FILE), { maxLines: 1 });
  return {
    deps: withCommandRecorder(o.deps, (r) => commands.append(r)),
    async stop() {
      const after = readPictureSafely(o.inventory, o.deps).then((p) => writeJsonQuietly(join(o.runDir, PICTURE_AFTER_FILE), p));
      await Promise.all([after, probe?.stop().catch(() => undefined)]);
      commands.close();
    },
  };
}

/** Run `fn` (the runner) with the run's recordings around it: `fn` gets the recording deps. */
export async function withRunRecordings<T>(o: RunRecordingsOptions, fn: (deps: Deps) => Promise<T>): Promise<T> {
  const rec = await startRunRecordings(o);
  try {
    return await fn(rec.deps);
  } finally {
    await rec.stop();
  }
}
