/**
 * The etcd write-latency probe that runs for the whole of every run (issue 5 §3: "a chart of etcd write latency
 * across the migration"): every 500 ms one put of the single key `/ferry/latency-probe/<runId>` (a small value,
 * overwritten each time, deleted at the end), over the inventory's old and new client URLs, each line of
 * `latency.jsonl` one sample `{"t", "ms"|null, "error"?}`.
 *
 * It runs in a worker thread (like src/write-load/writer-thread.ts) so that its timing is its own: the run's main thread
 * does synchronous journal writes with fsync, which would otherwise show up as etcd latency.
 *
 * One sample: a put with a short gRPC deadline to the endpoint that answered last; when that endpoint refuses
 * (a member stopped, removed, or a learner), the next one at once; the sample fails (ms null) when no endpoint
 * acknowledged within the sample's budget. Samples never overlap: one that takes longer than the interval delays
 * the next to the next tick, so a stall shows as one long (or failed) sample, not as a pile-up.
 */
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';
import { buildPassThroughPolicy, monotonicNow } from '../write-load/writer.ts';
import { JsonlAppender } from '../run/jsonl-appender.ts';
import type { LatencySample } from '../run/recording-files.ts';

export const LATENCY_PROBE_INTERVAL_MS = 500;

export { LATENCY_PROBE_PLAN_NOTE } from '../plan/notes.ts';

export function buildProbeKey(runId: string): string {
  return `/ferry/latency-probe/${runId}`;
}

export interface LatencyProbeOptions {
  readonly endpoints: readonly string[];
  readonly runId: string;
  /** The latency.jsonl to append to. */
  readonly file: string;
  /** Default 500. */
  readonly intervalMs?: number;
  /** gRPC deadline of one put, in ms; default 1000. */
  readonly attemptTimeoutMs?: number;
  /** A sample fails when no endpoint acknowledged within this many ms; default 2000. */
  readonly sampleBudgetMs?: number;
  /** Paths of the etcd TLS files (read in the probe's thread; contents never written anywhere). */
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

export interface LatencyProbe {
  /** Stop sampling, delete the key, write what is buffered; bounded by `timeoutMs` (default 8000). */
  stop(timeoutMs?: number): Promise<void>;
}

const KIND = 'ferry-latency-probe';

/**
 * A handshake in shared memory, so that a run that ends before the probe's thread has even loaded (a refused
 * precheck) need not wait for it: the thread claims IDLE → PUTTING before its first put, stop() claims IDLE →
 * CANCELLED. Whoever claims first wins; a cancelled probe never wrote its key, so there is nothing to delete.
 */
const Handshake = { idle: 0, putting: 1, cancelled: 2 } as const;

/** Starts the probe in a worker thread; returns at once (the thread starts sampling when it has loaded). */
export function startLatencyProbe(o: LatencyProbeOptions): LatencyProbe {
  // A worker does not inherit tsx's loader hooks on Node 20: register them first, then load this file.
  const api = import.meta.resolve('tsx/esm/api');
  const handshake = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(import.meta.url)}))`, {
    eval: true,
    workerData: { kind: KIND, options: o, handshake },
  });
  const ended = new Promise<void>((resolve) => {
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
  worker.unref(); // a run that ends without stop() (a bug) must not keep ferry alive
  return {
    async stop(timeoutMs = 8000) {
      if (Atomics.compareExchange(handshake, 0, Handshake.idle, Handshake.cancelled) === Handshake.idle) {
        await worker.terminate().catch(() => undefined);
        return;
      }
      const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      try {
        await Promise.race([stopped, ended, late]);
      } finally {
        clearTimeout(timer);
        await worker.terminate().catch(() => undefined);
      }
    },
  };
}

/** gRPC errors that mean "this endpoint cannot take the put now": try the next one at once. */
const ENDPOINT_DOWN = /No connection established|ECONNREFUSED|ECONNRESET|Connection dropped|Failed to connect|server stopped|not supported for learner/i;
const GRPC_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };

function readCredentials(tls: LatencyProbeOptions['tls']): IOptions['credentials'] {
  if (tls?.ca === undefined) return undefined;
  return {
    rootCertificate: readFileSync(tls.ca),
    ...(tls.cert !== undefined ? { certChain: readFileSync(tls.cert) } : {}),
    ...(tls.key !== undefined ? { privateKey: readFileSync(tls.key) } : {}),
  };
}

const shortError = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200) ?? 'error';

interface ProbeLoop {
  stop(): Promise<void>;
}

function runProbeLoop(o: LatencyProbeOptions, handshake: Int32Array): ProbeLoop {
  const interval = o.intervalMs ?? LATENCY_PROBE_INTERVAL_MS;
  const attemptMs = o.attemptTimeoutMs ?? 1000;
  const budgetMs = o.sampleBudgetMs ?? 2000;
  const key = buildProbeKey(o.runId);
  const out = new JsonlAppender(o.file, { maxLines: 20, maxDelayMs: 2000 });
  let clients: Etcd3[] = [];
  let setupError: string | undefined;
  try {
    const credentials = readCredentials(o.tls);
    const policy = () => buildPassThroughPolicy();
    clients = o.endpoints.map((e) => new Etcd3({ hosts: e, grpcOptions: GRPC_OPTIONS, faultHandling: { host: policy, global: buildPassThroughPolicy() }, ...(credentials ? { credentials } : {}) }));
  } catch (err) {
    setupError = shortError(err);
  }
  let preferred = 0;
  let seq = 0;
  let stopping = false;
  let wake: (() => void) | undefined;

  /**
   * One put, starting with the endpoint that answered last and moving on to the next after any error; a pause of
   * 50 ms after an error etcd itself gave (no leader yet) or after every endpoint refused, so as not to spin.
   */
  const putOnce = async (value: string, deadline: number): Promise<string | undefined> => {
    if (clients.length === 0) return setupError ?? 'no etcd endpoint';
    let lastError = 'no endpoint answered in time';
    let at = preferred;
    let refused = 0;
    // Not within the last 20 ms: an attempt with no time left would only replace the real error by a deadline.
    while (deadline - monotonicNow() >= 20 && !stopping) {
      const ms = Math.min(attemptMs, deadline - monotonicNow());
      try {
        await (clients[at] as Etcd3).put(key).value(value).options({ deadline: new Date(Date.now() + ms) }).exec();
        preferred = at;
        return undefined;
      } catch (err) {
        lastError = shortError(err);
        at = (at + 1) % clients.length;
        refused = ENDPOINT_DOWN.test(lastError) ? refused + 1 : clients.length;
        if (refused >= clients.length) {
          refused = 0;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(50, deadline - monotonicNow()))));
        }
      }
    }
    return lastError;
  };

  const sample = async (): Promise<LatencySample> => {
    const t = monotonicNow();
    const error = await putOnce(`${++seq} ${new Date().toISOString()}`, t + budgetMs);
    const ms = Math.round((monotonicNow() - t) * 10) / 10;
    return error === undefined ? { t: Math.round(t), ms } : { t: Math.round(t), ms: null, error };
  };

  const loop = (async () => {
    if (Atomics.compareExchange(handshake, 0, Handshake.idle, Handshake.putting) !== Handshake.idle) return;
    const t0 = monotonicNow();
    let tick = 0;
    while (!stopping) {
      const wait = t0 + tick * interval - monotonicNow();
      if (wait > 0) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, wait)));
      if (stopping) break;
      const s = await sample();
      if (!stopping || s.ms !== null) out.append(s); // a sample cut short by the stop is no measurement

      tick = Math.floor((monotonicNow() - t0) / interval) + 1;
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop.catch(() => undefined);
      const deadline = monotonicNow() + 3000;
      for (const c of clients) {
        if (monotonicNow() >= deadline) break;
        try {
          await c.delete().key(key).options({ deadline: new Date(Date.now() + 1000) }).exec();
          break;
        } catch {
          // the next endpoint
        }
      }
      out.close();
      for (const c of clients) c.close();
    },
  };
}

function runWorkerSide(o: LatencyProbeOptions, handshake: Int32Array): void {
  const port = parentPort;
  if (port === null) return;
  const probe = runProbeLoop(o, handshake);
  port.once('message', () => {
    void probe.stop().finally(() => port.postMessage('stopped'));
  });
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === KIND) {
  const data = workerData as { options: LatencyProbeOptions; handshake: Int32Array };
  runWorkerSide(data.options, data.handshake);
}
