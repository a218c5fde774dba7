/**
 * `etcd.replace`: one old member replaced by one new member (member-moves.ts: the new half, then the old half).
 *
 * Rollback: until the old member is removed, undoing is safe and complete (remove the new member, stop it, move
 * its data dir aside): the cluster is as it was before the step. Once the old member is gone it cannot be brought
 * back automatically — its identity is gone — and rollback fails loudly so that a person decides
 * (`ferry rollback` can then add it back as a new member, the same careful way).
 */
import { FerryError } from '../../errors.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { precheckCluster, waitForGate } from './cluster-checks.ts';
import { bringInNewMember, oldStillMember, takeOutOldMember, undoNewMember } from './member-moves.ts';

export const replaceHandler: StepHandler<StepOf<'etcd.replace'>> = {
  async precheck(step, ctx) {
    await precheckCluster(ctx, step.params.new.peerURL, step.params.join === 'voter');
  },
  async apply(step, ctx) {
    const { old: oldMember, new: newMember, oldId, timeouts, join } = step.params;
    if (await oldStillMember(ctx, oldMember)) await bringInNewMember(ctx, newMember, oldMember, timeouts, join);
    else ctx.skip('bring-in-new', `${oldMember.name} was already removed: the new member is in`);
    await takeOutOldMember(ctx, oldMember, oldId, timeouts);
  },
  async verify(step, ctx) {
    await waitForGate(ctx, step.params.timeouts, 'final', { expectVoters: [step.params.new.peerURL], expectAbsentPeerURLs: [step.params.old.peerURL] });
  },
  async rollback(step, ctx) {
    const { old: oldMember, new: newMember, timeouts } = step.params;
    if (!(await oldStillMember(ctx, oldMember))) {
      throw new FerryError('ROLLBACK_PAST_POINT_OF_NO_RETURN', `${oldMember.name} was already removed from the cluster; its replacement ${newMember.name} stays`, {
        subjects: { member: oldMember.name },
        hint: `the cluster runs without ${oldMember.name}: mend what failed (above), then \`ferry resume\` finishes this step from its precheck; or \`ferry rollback\` walks the migration back, re-adding ${oldMember.name} as a new member`,
        exitCode: 3,
        forwardOnly: true,
      });
    }
    await undoNewMember(ctx, newMember, timeouts);
  },
};
