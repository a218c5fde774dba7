/**
 * What the writer's records say, over a time window: stalls (intervals with no acknowledgement), latency
 * percentiles, failed writes, and which errors the retried writes met. Pure.
 */
import type { WriteRecord } from './writer.ts';

export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/** An interval in which no write was acknowledged. */
export interface Stall {
  readonly ms: number;
  readonly from: number;
  readonly to: number;
}

export interface WriteStats {
  /** Writes scheduled in the window. */
  readonly writes: number;
  readonly acked: number;
  readonly failed: number;
  /** Writes scheduled in the window that needed more than one attempt. */
  readonly retried: number;
  /** Latency from scheduled time to acknowledgement, over the acknowledged writes scheduled in the window. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxLatencyMs: number;
  /** The longest interval in the window with no acknowledgement (window edges count as boundaries). */
  readonly longestStall: Stall;
  /** The longest stalls, longest first. */
  readonly topStalls: readonly Stall[];
  /** The last error of each retried write, counted by message. */
  readonly retryErrors: Readonly<Record<string, number>>;
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function computePercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Gaps between consecutive acknowledgements inside the window, the window's edges included; longest first. */
export function computeStalls(records: readonly WriteRecord[], w: TimeWindow): Stall[] {
  const points = records
    .map((r) => r.ackAt)
    .filter((t): t is number => t !== undefined && t > w.from && t < w.to)
    .sort((a, b) => a - b);
  const all = [w.from, ...points, w.to];
  const stalls: Stall[] = [];
  for (let i = 1; i < all.length; i++) {
    const from = all[i - 1] as number;
    const to = all[i] as number;
    stalls.push({ ms: to - from, from, to });
  }
  return stalls.sort((a, b) => b.ms - a.ms);
}

/** Error text without the parts that vary per call (ids, numbers), so that messages can be counted. */
function normalizeError(message: string): string {
  return message.replace(/\b[0-9a-f]{8,}\b/gi, '<id>').replace(/\d+(\.\d+)?/g, 'N').slice(0, 120);
}

export function computeWriteStats(records: readonly WriteRecord[], w: TimeWindow, topN = 5): WriteStats {
  const inWindow = records.filter((r) => r.scheduledAt >= w.from && r.scheduledAt <= w.to);
  const latencies = inWindow
    .filter((r) => r.ackAt !== undefined)
    .map((r) => (r.ackAt as number) - r.scheduledAt)
    .sort((a, b) => a - b);
  const stalls = computeStalls(records, w);
  const retryErrors: Record<string, number> = {};
  for (const r of inWindow) {
    if (r.attempts > 1 && r.lastError !== undefined) {
      const key = normalizeError(r.lastError);
      retryErrors[key] = (retryErrors[key] ?? 0) + 1;
    }
  }
  return {
    writes: inWindow.length,
    acked: latencies.length,
    failed: inWindow.filter((r) => r.failed).length,
    retried: inWindow.filter((r) => r.attempts > 1).length,
    p50Ms: computePercentile(latencies, 50),
    p99Ms: computePercentile(latencies, 99),
    maxLatencyMs: latencies[latencies.length - 1] ?? Number.NaN,
    longestStall: stalls[0] ?? { ms: w.to - w.from, from: w.from, to: w.to },
    topStalls: stalls.slice(0, topN),
    retryErrors,
  };
}

/**
 * The longest time the writer's own thread was late issuing a write scheduled inside `w` (its event loop was
 * blocked or the thread did not get a CPU). Acknowledgements that arrive meanwhile are stamped late too, so a
 * stall no longer than this may be the writer's rather than the cluster's.
 */
export function computeWriterLagMs(records: readonly WriteRecord[], w: TimeWindow): number {
  let lag = 0;
  for (const r of records) {
    if (r.scheduledAt >= w.from && r.scheduledAt <= w.to && !Number.isNaN(r.startedAt)) lag = Math.max(lag, r.startedAt - r.scheduledAt);
  }
  return lag;
}
