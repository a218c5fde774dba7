/** The planner's defaults: the bounds on each kind of step's waits and the rollout. */
import { DEFAULTS } from '../inventory/schema.ts';
import type { Inventory, RolloutSection } from '../inventory/types.ts';
import type { DnsTimeouts, EtcdTimeouts, MasterTimeouts } from './types.ts';

export const DEFAULT_MASTER_TIMEOUTS: MasterTimeouts = { stopTimeoutMs: 30_000, startTimeoutMs: 60_000 };

export const DEFAULT_DNS_TIMEOUTS: DnsTimeouts = { podReadyTimeoutMs: 120_000, gateTimeoutMs: 60_000 };
export const DEFAULT_CONSOLE_STOP_TIMEOUT_MS = 30_000;
export const DEFAULT_WATCHER_TIMEOUT_MS = 60_000;

export const DEFAULT_ETCD_TIMEOUTS: EtcdTimeouts = {
  addMemberTimeoutMs: 30_000,
  startTimeoutMs: 30_000,
  catchUpTimeoutMs: 120_000,
  promoteTimeoutMs: 30_000,
  moveLeaderTimeoutMs: 15_000,
  removeTimeoutMs: 30_000,
  gateTimeoutMs: 30_000,
  retryDelayMs: 100,
};

/** The inventory's rollout, or the defaults (schema.ts) when it has none. */
export function rolloutOf(inventory: Inventory): RolloutSection {
  const d = DEFAULTS.rollout;
  return inventory.rollout ?? { canary: d.canary, batchSize: d.batchSize, concurrency: d.concurrency, maxFailures: d.maxFailures, readyTimeoutMs: d.readyTimeoutSeconds * 1000 };
}
