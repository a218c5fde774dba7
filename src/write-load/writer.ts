/**
 * The benchmark's load: an open-loop writer that puts `bench/<tag>/<seq> = <seq>` (unique keys) every `intervalMs`
 * to a client over every endpoint (old and new client URLs), whatever the cluster is doing. The same writer runs
 * against ferry and against the literal runbook, so their numbers compare.
 *
 * Open loop: write n is scheduled at t0 + n·intervalMs whether or not earlier writes came back, and its latency is
 * counted from that scheduled time, so a stall shows up in full (no coordinated omission). At most `maxInFlight`
 * writes run at once; a scheduled write waits for a slot, and that wait is part of its latency.
 *
 * Failover: a write whose attempt fails on one endpoint is tried again on the next one (round-robin, skipping
 * endpoints that refused a connection in the last `cooldownMs`) until it is acknowledged or its `writeBudgetMs`
 * runs out — only then does it count as failed. A put of the same key and value is idempotent, so re-sending one
 * whose first attempt timed out (and may have been applied) is safe.
 *
 * Two clients are available (`client`):
 * - `own-failover` (default): one single-host etcd3 client per endpoint with etcd3's retry and circuit breaker
 *   turned off, and the failover above. etcd3's defaults (3 retries per call over random hosts, a per-host breaker
 *   that opens for 5 s after 3 failures, and closing a host's gRPC channel after any "recoverable" error) decide
 *   on their own when a host is tried again, which is a property of the client, not of the migration.
 * - `etcd3-pool`: one etcd3 client over all endpoints with etcd3's default fault handling, under the same
 *   per-write loop, to measure what that client adds.
 */
import { Etcd3 } from 'etcd3';
import type { IOptions } from 'etcd3';

export const WRITER_CLIENTS = ['own-failover', 'etcd3-pool'] as const;
export type WriterClient = (typeof WRITER_CLIENTS)[number];

export interface WriterOptions {
  /** Client URLs, tried in this order round-robin. */
  readonly endpoints: readonly string[];
  /** Keys are written under `<keyRoot>/<tag>/`. */
  readonly tag: string;
  /** Default `bench`. */
  readonly keyRoot?: string;
  /** One write is scheduled every this many ms; default 5 (200 writes/s). */
  readonly intervalMs?: number;
  /** Writes in flight at most; default 2048 (10 s of writes: a stall never holds a write back). */
  readonly maxInFlight?: number;
  /** A write that is not acknowledged this many ms after it started counts as failed; default 10 000. */
  readonly writeBudgetMs?: number;
  /** gRPC deadline of one attempt, in ms; default 1000. */
  readonly attemptTimeoutMs?: number;
  /** After a refused connection, an endpoint is skipped for this many ms; default 500. */
  readonly cooldownMs?: number;
  /** Default `own-failover`. */
  readonly client?: WriterClient;
  /** The clock, in ms (fractional); default performance.timeOrigin + performance.now(). */
  readonly now?: () => number;
}

export interface WriteRecord {
  readonly seq: number;
  readonly key: string;
  readonly value: string;
  /** When the open-loop schedule called for this write (latency counts from here). */
  readonly scheduledAt: number;
  /** When its first attempt went out (later than scheduledAt when every slot was busy). */
  startedAt: number;
  /** When it was acknowledged; undefined when it failed or was still in flight at stop. */
  ackAt?: number;
  /** The endpoint that acknowledged it. */
  endpoint?: string;
  attempts: number;
  /** The last attempt's error (for a write that needed several attempts, or failed). */
  lastError?: string;
  failed: boolean;
}

export interface Writer {
  /** Stop scheduling, wait for writes in flight to settle (bounded by their budget), close the clients. */
  stop(): Promise<readonly WriteRecord[]>;
  /** Records so far (live view). */
  readonly records: readonly WriteRecord[];
}

export const monotonicNow = (): number => performance.timeOrigin + performance.now();

/** The key of write `seq`: zero-padded so that keys sort in write order. */
export function buildWriteKey(tag: string, seq: number, root = 'bench'): string {
  return `${root}/${tag}/${String(seq).padStart(8, '0')}`;
}

/** A cockatiel-compatible pass-through policy (etcd3 only calls `execute`): no retry, no circuit breaker. */
type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
export function buildPassThroughPolicy(): Policy {
  const noEvents = () => ({ dispose: () => undefined });
  const policy: Omit<Policy, '_altReturn'> = {
    onSuccess: noEvents,
    onFailure: noEvents,
    execute: async (fn, signal) => await fn({ signal: signal ?? new AbortController().signal }),
  };
  return policy as Policy;
}

/** gRPC re-dials a refused endpoint after 100–500 ms, so a member that has just started is found quickly. */
const GRPC_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };
/**
 * The endpoint cannot take writes now — down, removed, or a learner (which refuses every write without acting on
 * it): try another one at once. A put that got "server stopped" was not applied by that member; one whose
 * connection dropped may have been, which a re-sent put of the same value makes harmless.
 */
const ENDPOINT_DOWN = /No connection established|ECONNREFUSED|ECONNRESET|Connection dropped|Failed to connect|server stopped|not supported for learner/i;

interface Target {
  readonly endpoint: string;
  readonly client: Etcd3;
  downUntil: number;
}

function makeTargets(endpoints: readonly string[], kind: WriterClient): Target[] {
  if (kind === 'etcd3-pool') {
    const pool = new Etcd3({ hosts: [...endpoints], grpcOptions: GRPC_OPTIONS });
    return [{ endpoint: 'pool', client: pool, downUntil: 0 }];
  }
  return endpoints.map((endpoint) => ({
    endpoint,
    client: new Etcd3({ hosts: endpoint, grpcOptions: GRPC_OPTIONS, faultHandling: { host: () => buildPassThroughPolicy(), global: buildPassThroughPolicy() } }),
    downUntil: 0,
  }));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function startWriter(o: WriterOptions): Writer {
  const intervalMs = o.intervalMs ?? 5;
  const maxInFlight = o.maxInFlight ?? 2048;
  const budgetMs = o.writeBudgetMs ?? 10_000;
  const attemptMs = o.attemptTimeoutMs ?? 1000;
  const cooldownMs = o.cooldownMs ?? 500;
  const now = o.now ?? monotonicNow;
  const targets = makeTargets(o.endpoints, o.client ?? 'own-failover');
  const records: WriteRecord[] = [];
  const queue: WriteRecord[] = [];
  const running = new Set<Promise<void>>();
  let next = 0;

  const pickTarget = (): Target => {
    const t = now();
    for (let i = 0; i < targets.length; i++) {
      const candidate = targets[(next + i) % targets.length] as Target;
      if (candidate.downUntil <= t) {
        next = (next + i + 1) % targets.length;
        return candidate;
      }
    }
    // Every endpoint refused recently: try the one whose cooldown ends first.
    const soonest = [...targets].sort((a, b) => a.downUntil - b.downUntil)[0] as Target;
    next = (targets.indexOf(soonest) + 1) % targets.length;
    return soonest;
  };

  const runWrite = async (r: WriteRecord): Promise<void> => {
    r.startedAt = now();
    const deadline = r.startedAt + budgetMs;
    let backoffMs = 10;
    while (now() < deadline) {
      const target = pickTarget();
      r.attempts++;
      try {
        const timeout = Math.min(attemptMs, Math.max(1, deadline - now()));
        await target.client.put(r.key).value(r.value).options({ deadline: new Date(Date.now() + timeout) }).exec();
        r.ackAt = now();
        r.endpoint = target.endpoint;
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        r.lastError = message;
        if (ENDPOINT_DOWN.test(message)) {
          target.downUntil = now() + cooldownMs;
          if (targets.some((t) => t.downUntil <= now())) continue; // another endpoint is up: at once
        }
        // etcd answered with an error (e.g. "raft proposal dropped" while leaderless or during a leader transfer),
        // the attempt timed out, or every endpoint is down: back off a little so that a leaderless cluster is not
        // flooded. Writes scheduled meanwhile still go out at once, so the end of a stall is seen within ~1 interval.
        await sleep(Math.min(backoffMs, Math.max(0, deadline - now())));
        backoffMs = Math.min(backoffMs * 2, 100);
      }
    }
    r.failed = true;
  };

  const pump = (): void => {
    while (queue.length > 0 && running.size < maxInFlight) {
      const r = queue.shift() as WriteRecord;
      const p: Promise<void> = runWrite(r).finally(() => {
        running.delete(p);
        pump();
      });
      running.add(p);
    }
  };

  const t0 = now();
  let scheduled = 0;
  const tick = (): void => {
    // Catch up on every write the schedule called for since the last tick (timers fire late under load).
    const due = Math.floor((now() - t0) / intervalMs) + 1;
    while (scheduled < due) {
      const seq = scheduled++;
      const r: WriteRecord = {
        seq,
        key: buildWriteKey(o.tag, seq, o.keyRoot),
        value: String(seq),
        scheduledAt: t0 + seq * intervalMs,
        startedAt: Number.NaN,
        attempts: 0,
        failed: false,
      };
      records.push(r);
      queue.push(r);
    }
    pump();
  };
  const timer = setInterval(tick, intervalMs);
  tick();

  return {
    records,
    async stop() {
      clearInterval(timer);
      // Writes still queued never started: they were not part of the load; drop them from the record.
      const unstarted = new Set(queue.splice(0));
      while (running.size > 0) await Promise.race(running);
      for (const t of targets) t.client.close();
      return records.filter((r) => !unstarted.has(r));
    },
  };
}
