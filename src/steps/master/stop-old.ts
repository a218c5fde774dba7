/**
 * `master.stop-old` (runbook phase 3): so that only one apiserver writes to etcd at any time, stop every service of
 * the old master in the runbook's order and make sure its apiserver no longer answers. Before that, record what it
 * holds: the new master must show the same.
 */
import { FerryError } from '../../errors.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { MASTER_STOP_ORDER } from '../../master/files.ts';
import { readKubeVersion } from '../../observe/kube-version.ts';
import { requireActive, startUnits, stopUnits, waitHealthz } from './services.ts';

export const stopOldMasterHandler: StepHandler<StepOf<'master.stop-old'>> = {
  async precheck(step, ctx) {
    const { old, new: n, binDir } = step.params;
    const [a, b] = await Promise.all([readKubeVersion(await ctx.deps.host(old.host), binDir), readKubeVersion(await ctx.deps.host(n.host), binDir)]);
    if (a !== b) {
      throw new FerryError('MASTER_VERSION_MISMATCH', `the new master ${n.host} has Kubernetes ${b}, the old master ${old.host} ${a}`, {
        subjects: { host: n.host },
        hint: `install ${a} on ${n.host} (the runbook insists on the same version), then plan again`,
        exitCode: 2,
      });
    }
    if (!(await ctx.deps.kube(old.apiserver).healthz())) {
      throw new FerryError('MASTER_OLD_NOT_HEALTHY', `the old apiserver ${old.apiserver} does not answer /healthz`, {
        hint: 'ferry records what the old apiserver holds before stopping it; bring it back, or check the address in the inventory',
        exitCode: 2,
      });
    }
  },
  async apply(step, ctx) {
    const { old, timeouts } = step.params;
    const host = await ctx.deps.host(old.host);
    if (ctx.actionResult('census') === undefined) {
      await ctx.action('census', { apiserver: old.apiserver }, () => ctx.deps.kube(old.apiserver).readCensus(), (c) => ({ ...c }));
    } else ctx.skip('census', 'recorded before');
    await stopUnits(ctx, host, MASTER_STOP_ORDER, 'stop');
    await waitHealthz(ctx, old.apiserver, false, timeouts.stopTimeoutMs);
  },
  async verify(step, ctx) {
    const host = await ctx.deps.host(step.params.old.host);
    const states = await Promise.all(MASTER_STOP_ORDER.map(async (u) => ({ u, s: await host.serviceState(u) })));
    const up = await ctx.deps.kube(step.params.old.apiserver).healthz();
    const checks = [
      ...states.map(({ u, s }) => ({ name: `${u} stopped`, ok: s !== 'active' && s !== 'activating', detail: s })),
      { name: 'old apiserver silent', ok: !up, detail: up ? 'still answers' : 'no answer' },
    ];
    ctx.gate(checks.every((c) => c.ok), checks);
    if (!checks.every((c) => c.ok)) throw new FerryError('MASTER_STOP_INCOMPLETE', `the old master is not fully stopped: ${checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')}`, {});
  },
  async rollback(step, ctx) {
    const { old, timeouts } = step.params;
    const host = await ctx.deps.host(old.host);
    await startUnits(ctx, host, [...MASTER_STOP_ORDER].reverse(), 'restart-old');
    await waitHealthz(ctx, old.apiserver, true, timeouts.startTimeoutMs);
    await requireActive(host, MASTER_STOP_ORDER);
  },
};
