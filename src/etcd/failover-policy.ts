/**
 * The fault-handling policy ferry gives the `etcd3` pool, used by ferry's etcd adapter and by the lab's apiserver
 * stand-in alike. etcd3's defaults (3 retries of any "recoverable" error plus a per-host circuit breaker) would
 * silently repeat calls such as `member add`, and keep endpoints blocked after they came back. Instead, a call is
 * repeated — the pool handing each repeat to the next host — only when it provably had no effect: grpc-js never
 * made a connection, the connection was refused, or a learner refused it (a learner rejects every RPC but status
 * and serializable reads without acting on it; every migration meets members that are down, gone, or learners).
 */
import type { IOptions } from 'etcd3';

export type FaultPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** Failures safe to send to another endpoint. */
export const NOT_SENT = /No connection established|ECONNREFUSED|rpc not supported for learner/i;

/** Repeat a call on a not-sent failure at most `maxFailovers` times. `buildFailoverPolicy(0)` is a pass-through. */
export function buildFailoverPolicy(maxFailovers: number): FaultPolicy {
  const noEvents = () => ({ dispose: () => undefined });
  const policy: Omit<FaultPolicy, '_altReturn'> = {
    onSuccess: noEvents,
    onFailure: noEvents,
    async execute(fn, signal) {
      const context = { signal: signal ?? new AbortController().signal };
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn(context);
        } catch (err) {
          if (attempt >= maxFailovers || !(err instanceof Error) || !NOT_SENT.test(err.message)) throw err;
        }
      }
    },
  };
  return policy as FaultPolicy;
}
