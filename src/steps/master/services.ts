/** Starting and stopping a master's services in order, idempotently, each change journaled. */
import { FerryError } from '../../errors.ts';
import type { Host } from '../../ports/host.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';

export async function stopUnits(ctx: StepContext, host: Host, units: readonly string[], label: string): Promise<void> {
  for (const unit of units) {
    const state = await host.serviceState(unit);
    if (state === 'inactive' || state === 'failed' || state === 'unknown') {
      ctx.skip(`${label}:${unit}`, `${unit} on ${host.address} is ${state}`);
      continue;
    }
    await ctx.action(`${label}:${unit}`, { host: host.address, unit }, () => host.service(unit, 'stop'));
  }
}

export async function startUnits(ctx: StepContext, host: Host, units: readonly string[], label: string): Promise<void> {
  for (const unit of units) {
    const state = await host.serviceState(unit);
    if (state === 'active') {
      ctx.skip(`${label}:${unit}`, `${unit} on ${host.address} is active`);
      continue;
    }
    if (state === 'failed') await ctx.action(`${label}:${unit}:reset-failed`, { host: host.address, unit }, () => host.service(unit, 'reset-failed'));
    await ctx.action(`${label}:${unit}`, { host: host.address, unit }, () => host.service(unit, 'start'));
  }
}

export async function requireActive(host: Host, units: readonly string[]): Promise<void> {
  for (const unit of units) {
    const state = await host.serviceState(unit);
    if (state !== 'active') {
      throw new FerryError('MASTER_UNIT_NOT_ACTIVE', `${unit} on ${host.address} is ${state}`, {
        subjects: { host: host.address, unit },
        hint: `read its log on ${host.address} (journalctl -u ${unit})`,
      });
    }
  }
}

/** Wait until an apiserver answers /healthz (want=true) or stops answering (want=false). */
export async function waitHealthz(ctx: StepContext, url: string, want: boolean, timeoutMs: number): Promise<void> {
  const kube = ctx.deps.kube(url);
  await pollUntil(async () => ((await kube.healthz(1000)) === want ? true : undefined), {
    timeoutMs,
    intervalMs: 250,
    sleep: ctx.deps.sleep,
    now: ctx.deps.now,
    signal: ctx.signal,
    onTimeout: () =>
      want
        ? new FerryError('MASTER_NOT_HEALTHY', `${url}/healthz did not answer ok within ${timeoutMs} ms`, { retryable: true, subjects: { apiserver: url }, hint: 'read the apiserver log on its host; is etcd reachable from it?' })
        : new FerryError('MASTER_STILL_ANSWERS', `${url} still answers ${timeoutMs} ms after its services were stopped`, {
            subjects: { apiserver: url },
            hint: 'something else serves that address (another unit, a container?): stop it, so that only one apiserver writes',
          }),
  });
}
