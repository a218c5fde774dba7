/**
 * After `systemctl restart`, a unit is only good once `is-active` says `active`; `activating` (starting, or waiting
 * to be restarted after a crash) is polled until a bound, `failed` and `inactive` fail at once.
 */
import { FerryError } from '../errors.ts';
import type { Host } from '../ports/host.ts';
import type { Sleep } from '../util/retry.ts';

export interface UnitWaitOptions {
  readonly timeoutMs: number;
  /** Between two `is-active` calls; default 250 ms. */
  readonly intervalMs?: number;
  readonly sleep: Sleep;
  readonly now: () => number;
}

export async function waitUnitActive(host: Host, unit: string, o: UnitWaitOptions): Promise<void> {
  const deadline = o.now() + o.timeoutMs;
  for (;;) {
    const state = await host.serviceState(unit);
    if (state === 'active') return;
    if (state === 'failed' || state === 'inactive' || o.now() >= deadline) {
      throw new FerryError('NODE_SERVICE_NOT_ACTIVE', `${host.address}: ${unit} is ${state} after its restart`, {
        hint: `its log says why: journalctl -u ${unit} -n 50 on ${host.address}`,
        subjects: { host: host.address, unit },
      });
    }
    await o.sleep(o.intervalMs ?? 250);
  }
}
