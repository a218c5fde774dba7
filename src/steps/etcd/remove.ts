/**
 * `etcd.remove`: take out an old member that has no replacement (the target cluster is smaller). Leadership is
 * moved away first when it leads. Nothing to undo before the removal; after it, as for a replacement, a person
 * decides.
 */
import { FerryError } from '../../errors.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';
import { findByPeer, precheckCluster, waitForGate } from './cluster-checks.ts';
import { readMembershipNow } from './membership-view.ts';
import { takeOutOldMember } from './member-moves.ts';

export const removeHandler: StepHandler<StepOf<'etcd.remove'>> = {
  async precheck(step, ctx) {
    // Walking back an interrupted voter add (etcd before 3.4), the member to remove may be a voter never started.
    await precheckCluster(ctx, step.params.old.peerURL, true);
  },
  async apply(step, ctx) {
    await takeOutOldMember(ctx, step.params.old, step.params.oldId, step.params.timeouts);
  },
  async verify(step, ctx) {
    await waitForGate(ctx, step.params.timeouts, 'final', { expectAbsentPeerURLs: [step.params.old.peerURL] });
  },
  async rollback(step, ctx) {
    if (findByPeer(await readMembershipNow(ctx), step.params.old.peerURL) === undefined) {
      throw new FerryError('ROLLBACK_PAST_POINT_OF_NO_RETURN', `${step.params.old.name} was already removed from the cluster`, {
        subjects: { member: step.params.old.name },
        hint: 'the cluster runs without it: mend what failed (above), then `ferry resume` finishes this step from its precheck; or `ferry rollback` walks the migration back, re-adding it as a new member',
        exitCode: 3,
        forwardOnly: true,
      });
    }
  },
};
