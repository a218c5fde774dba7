/**
 * `etcd.add` and `etcd.replace`: bring a new member in the careful way — learner first, started with
 * `--initial-cluster-state existing`, caught up, promoted — and, for a replacement, take the old member out:
 * leadership moved away first if it leads, removed, stopped, its data archived.
 *
 * Rollback: until the old member is removed, undoing is safe and complete (remove the new member, stop it, move
 * its data dir aside): the cluster is as it was before the step. Once the old member is gone it cannot be brought
 * back automatically — its identity is gone — and rollback fails loudly so that a person decides
 * (`ferry rollback` can then add it back as a new member, the same careful way).
 */
import { FerryError } from '../../errors.ts';
import type { EtcdMember } from '../../inventory/types.ts';
import type { EtcdTimeouts, Step } from '../../plan/types.ts';
import type { StepContext, StepHandler } from '../../run/step-context.ts';
import { findByPeer, precheckCluster, waitForGate, waitForRollbackGate } from './cluster-checks.ts';
import {
  ensureDataDirMovedAside,
  ensureLearnerAdded,
  ensureLeaderNotOn,
  ensurePromoted,
  ensureRemoved,
  ensureServiceStopped,
  ensureStarted,
  waitCaughtUp,
} from './member-actions.ts';
import { ensureMemberConfigured } from './member-config.ts';

type ReplaceStep = Extract<Step, { kind: 'etcd.replace' }>;
type AddStep = Extract<Step, { kind: 'etcd.add' }>;

/** The new half: learner add → configure → start → catch up → promote → gate. */
export async function bringInNewMember(ctx: StepContext, n: EtcdMember, optsSource: EtcdMember | undefined, t: EtcdTimeouts): Promise<void> {
  const id = await ensureLearnerAdded(ctx, n, t);
  const self = (await ctx.deps.etcd.memberList()).find((m) => m.id === id);
  if (self !== undefined && self.isLearner) {
    await ensureMemberConfigured(ctx, n, optsSource);
    await ensureStarted(ctx, n, t);
    await waitCaughtUp(ctx, n, t);
    await ensurePromoted(ctx, n, id, t);
  } else {
    ctx.skip('promote', `${n.name} is already a voting member`);
    await ensureStarted(ctx, n, t);
  }
  await waitForGate(ctx, t, `after promoting ${n.name}`, { expectVoters: [n.peerURL] });
}

/** The old half: move leadership away → remove → gate → stop → archive. */
export async function takeOutOldMember(ctx: StepContext, o: EtcdMember, oldId: string, t: EtcdTimeouts): Promise<void> {
  await ensureLeaderNotOn(ctx, oldId, o.name, t);
  await ensureRemoved(ctx, oldId, o.name, t);
  await waitForGate(ctx, t, `after removing ${o.name}`, { expectAbsentPeerURLs: [o.peerURL] });
  await ensureServiceStopped(ctx, o, 'stop-old-service');
  await ensureDataDirMovedAside(ctx, o, `ferry-archived-${ctx.runId}`, 'archive-old-data');
}

/** Undo the new half: remove the new member if present, stop it, move its data dir aside. */
export async function undoNewMember(ctx: StepContext, n: EtcdMember, t: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  const self = findByPeer(await admin.memberList(), n.peerURL);
  if (self !== undefined) {
    await ensureLeaderNotOn(ctx, self.id, n.name, t);
    await ensureRemoved(ctx, self.id, n.name, t, 'remove-new-member');
  } else ctx.skip('remove-new-member', `${n.name} is not a member`);
  await ensureServiceStopped(ctx, n, 'stop-new-service');
  await ensureDataDirMovedAside(ctx, n, `ferry-rolledback-${ctx.runId}`, 'clear-new-data-dir');
  await waitForRollbackGate(ctx, t, n);
}

async function oldStillMember(ctx: StepContext, o: EtcdMember): Promise<boolean> {
  return findByPeer(await ctx.deps.etcd.memberList(), o.peerURL) !== undefined;
}

export const replaceHandler: StepHandler<ReplaceStep> = {
  async precheck(step, ctx) {
    await precheckCluster(ctx, step.params.new.peerURL);
  },
  async apply(step, ctx) {
    const { old: o, new: n, oldId, timeouts: t } = step.params;
    if (await oldStillMember(ctx, o)) await bringInNewMember(ctx, n, o, t);
    else ctx.skip('bring-in-new', `${o.name} was already removed: the new member is in`);
    await takeOutOldMember(ctx, o, oldId, t);
  },
  async verify(step, ctx) {
    await waitForGate(ctx, step.params.timeouts, 'final', { expectVoters: [step.params.new.peerURL], expectAbsentPeerURLs: [step.params.old.peerURL] });
  },
  async rollback(step, ctx) {
    const { old: o, new: n, timeouts: t } = step.params;
    if (!(await oldStillMember(ctx, o))) {
      throw new FerryError('ROLLBACK_PAST_POINT_OF_NO_RETURN', `${o.name} was already removed from the cluster; its replacement ${n.name} stays`, {
        subjects: { member: o.name },
        hint: `the cluster runs without ${o.name}: mend what failed (above), then \`ferry resume\` finishes this step from its precheck; or \`ferry rollback\` walks the migration back, re-adding ${o.name} as a new member`,
        exitCode: 3,
        forwardOnly: true,
      });
    }
    await undoNewMember(ctx, n, t);
  },
};

export const addHandler: StepHandler<AddStep> = {
  async precheck(step, ctx) {
    await precheckCluster(ctx, step.params.new.peerURL);
  },
  async apply(step, ctx) {
    await bringInNewMember(ctx, step.params.new, ctx.inventory.etcd.old[0], step.params.timeouts);
  },
  async verify(step, ctx) {
    await waitForGate(ctx, step.params.timeouts, 'final', { expectVoters: [step.params.new.peerURL] });
  },
  async rollback(step, ctx) {
    await undoNewMember(ctx, step.params.new, step.params.timeouts);
  },
};
