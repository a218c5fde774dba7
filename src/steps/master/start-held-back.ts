/**
 * `master.start-held-back` (runbook phase 6.1): the scheduler and the controller start only once every node is
 * Ready on the new master — before that, nodes not yet repointed would look dead and have their pods evicted.
 */
import { FerryError } from '../../errors.ts';
import { HELD_BACK_UNITS } from '../../master/files.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { requireActive, startUnits, stopUnits } from './services.ts';

export const startHeldBackHandler: StepHandler<StepOf<'master.start-held-back'>> = {
  async precheck(step, ctx) {
    const { new: n, nodes } = step.params;
    if (nodes.length === 0) return;
    const live = await ctx.deps.kube(n.apiserver).listNodes();
    const notReady = nodes.filter((x) => live.find((l) => l.name === x.name)?.ready !== 'True').map((x) => x.name);
    if (notReady.length > 0) {
      throw new FerryError('MASTER_NODES_NOT_READY', `${notReady.length} node(s) are not Ready on the new master: ${notReady.slice(0, 10).join(', ')}${notReady.length > 10 ? ', …' : ''}`, {
        hint: 'starting the controller now would evict their pods; repoint them first (`ferry resume` retries the nodes step)',
        exitCode: 2,
      });
    }
  },
  async apply(step, ctx) {
    await startUnits(ctx, await ctx.deps.host(step.params.new.host), HELD_BACK_UNITS, 'start');
  },
  async verify(step, ctx) {
    await requireActive(await ctx.deps.host(step.params.new.host), HELD_BACK_UNITS);
    ctx.gate(true, HELD_BACK_UNITS.map((u) => ({ name: `${u} active`, ok: true, detail: step.params.new.host })));
  },
  async rollback(step, ctx) {
    await stopUnits(ctx, await ctx.deps.host(step.params.new.host), [...HELD_BACK_UNITS].reverse(), 'stop');
  },
};
