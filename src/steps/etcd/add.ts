/**
 * `etcd.add`: a new member with no old member to replace (the target cluster is larger): the new half of
 * member-moves.ts, its settings copied from the first old member. Rollback undoes the new half.
 */
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { precheckCluster, waitForGate } from './cluster-checks.ts';
import { bringInNewMember, undoNewMember } from './member-moves.ts';

export const addHandler: StepHandler<StepOf<'etcd.add'>> = {
  async precheck(step, ctx) {
    await precheckCluster(ctx, step.params.new.peerURL, step.params.join === 'voter');
  },
  async apply(step, ctx) {
    await bringInNewMember(ctx, step.params.new, ctx.inventory.etcd.old[0], step.params.timeouts, step.params.join);
  },
  async verify(step, ctx) {
    await waitForGate(ctx, step.params.timeouts, 'final', { expectVoters: [step.params.new.peerURL] });
  },
  async rollback(step, ctx) {
    await undoNewMember(ctx, step.params.new, step.params.timeouts);
  },
};
