/**
 * Bounded retry and polling. Every wait has a deadline and honours an AbortSignal (docs/design/style.md §8); the sleep is
 * injected so tests do not wait for real.
 */
import { FerryError } from '../errors.ts';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetryOptions {
  readonly timeoutMs: number;
  readonly delayMs: number;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** Which errors are worth another try. Default: FerryErrors marked retryable. */
  readonly retryIf?: (err: unknown) => boolean;
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

/** Call fn until it succeeds, a non-retryable error is thrown, or the deadline passes (then the last error). */
export async function retryUntil<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const deadline = o.now() + o.timeoutMs;
  const retryIf = o.retryIf ?? ((e: unknown) => e instanceof FerryError && e.retryable);
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (!retryIf(err) || o.now() + o.delayMs > deadline) throw err;
      o.onRetry?.(err, attempt);
      await o.sleep(o.delayMs, o.signal);
    }
  }
}

/** Poll `probe` until it returns a value other than undefined, or throw `onTimeout()` at the deadline. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  o: { timeoutMs: number; intervalMs: number; sleep: Sleep; now: () => number; signal?: AbortSignal; onTimeout: () => Error },
): Promise<T> {
  const deadline = o.now() + o.timeoutMs;
  for (;;) {
    o.signal?.throwIfAborted();
    const v = await probe();
    if (v !== undefined) return v;
    if (o.now() >= deadline) throw o.onTimeout();
    await o.sleep(o.intervalMs, o.signal);
  }
}
