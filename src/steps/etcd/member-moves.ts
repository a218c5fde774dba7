/**
 * The halves every etcd membership step is made of: bring a new member in the careful way (learner first, started
 * with `--initial-cluster-state existing`, caught up, promoted), take an old member out (leadership moved away first
 * if it leads, removed, stopped, its data archived), and undo the new half. The handlers (add.ts, replace.ts,
 * remove.ts) compose them; no handler imports another.
 */
import type { EtcdMember } from '../../inventory/types.ts';
import type { EtcdTimeouts } from '../../plan/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { findByPeer, waitForGate, waitForRollbackGate } from './cluster-checks.ts';
import {
  ensureDataDirMovedAside,
  ensureLearnerAdded,
  ensureLeaderNotOn,
  ensurePromoted,
  ensureRemoved,
  ensureServiceStopped,
  ensureStarted,
  ensureVoterAdded,
  waitCaughtUp,
} from './member-actions.ts';
import type { EtcdJoin } from '../../etcd/method.ts';
import { ensureMemberConfigured } from './member-config.ts';
import { readMembershipNow, readMembershipSeeing } from './membership-view.ts';

/**
 * The new half: learner add → configure → start → catch up → promote → gate; where etcd has no learners (before
 * 3.4, allowed by the operator): configure → voter add → start at once → catch up → gate.
 */
export async function bringInNewMember(ctx: StepContext, newMember: EtcdMember, settingsSource: EtcdMember | undefined, timeouts: EtcdTimeouts, join: EtcdJoin = 'learner'): Promise<void> {
  if (join === 'voter') {
    await bringInNewVoter(ctx, newMember, settingsSource, timeouts);
    return;
  }
  const id = await ensureLearnerAdded(ctx, newMember, timeouts);
  // Decide from a list that shows the add ferry just made: a member that is behind may still answer without it.
  const members = await readMembershipSeeing(ctx, `${newMember.name} (id ${id})`, (ms) => ms.some((m) => m.id === id));
  const self = members.find((m) => m.id === id);
  if (self?.isLearner === true) {
    await ensureMemberConfigured(ctx, newMember, settingsSource);
    await ensureStarted(ctx, newMember, timeouts);
    await waitCaughtUp(ctx, newMember, timeouts);
    await ensurePromoted(ctx, newMember, id, timeouts);
  } else {
    ctx.skip('promote', `${newMember.name} is already a voting member`);
    await ensureStarted(ctx, newMember, timeouts);
  }
  await waitForGate(ctx, timeouts, `after promoting ${newMember.name}`, { expectVoters: [newMember.peerURL] });
}

/**
 * A voter add where etcd has no learners: everything that can be done before the add is done before it (config and
 * unit written), and nothing else changes between the add and the moment the member has caught up. That window —
 * one more voter that does not answer yet — is measured and journaled.
 */
async function bringInNewVoter(ctx: StepContext, newMember: EtcdMember, settingsSource: EtcdMember | undefined, timeouts: EtcdTimeouts): Promise<void> {
  const already = findByPeer(await readMembershipNow(ctx), newMember.peerURL) !== undefined;
  if (!already) await ensureMemberConfigured(ctx, newMember, settingsSource, true);
  const id = await ensureVoterAdded(ctx, newMember, timeouts);
  const addedAt = ctx.deps.now();
  await readMembershipSeeing(ctx, `${newMember.name} (id ${id})`, (ms) => ms.some((m) => m.id === id));
  await ensureMemberConfigured(ctx, newMember, settingsSource);
  await ensureStarted(ctx, newMember, timeouts);
  await waitCaughtUp(ctx, newMember, timeouts);
  if (!already) ctx.note(`voter-add window of ${newMember.name}: ${ctx.deps.now() - addedAt} ms from its add until it had caught up`);
  await waitForGate(ctx, timeouts, `after adding ${newMember.name}`, { expectVoters: [newMember.peerURL] });
}

/** The old half: move leadership away → remove → gate → stop → archive. */
export async function takeOutOldMember(ctx: StepContext, oldMember: EtcdMember, oldId: string, timeouts: EtcdTimeouts): Promise<void> {
  await ensureLeaderNotOn(ctx, oldId, oldMember.name, timeouts);
  await ensureRemoved(ctx, oldId, oldMember.name, timeouts);
  await waitForGate(ctx, timeouts, `after removing ${oldMember.name}`, { expectAbsentPeerURLs: [oldMember.peerURL] });
  await ensureServiceStopped(ctx, oldMember, 'stop-old-service');
  await ensureDataDirMovedAside(ctx, oldMember, `ferry-archived-${ctx.runId}`, 'archive-old-data');
}

/** Undo the new half: remove the new member if present, stop it, move its data dir aside. */
export async function undoNewMember(ctx: StepContext, newMember: EtcdMember, timeouts: EtcdTimeouts): Promise<void> {
  const self = findByPeer(await readMembershipNow(ctx), newMember.peerURL);
  if (self !== undefined) {
    await ensureLeaderNotOn(ctx, self.id, newMember.name, timeouts);
    await ensureRemoved(ctx, self.id, newMember.name, timeouts, 'remove-new-member');
  } else ctx.skip('remove-new-member', `${newMember.name} is not a member`);
  await ensureServiceStopped(ctx, newMember, 'stop-new-service');
  await ensureDataDirMovedAside(ctx, newMember, `ferry-rolledback-${ctx.runId}`, 'clear-new-data-dir');
  await waitForRollbackGate(ctx, timeouts, newMember);
}

/** Whether the old member is still in the cluster (before its removal, a replacement can still be undone). */
export async function oldStillMember(ctx: StepContext, oldMember: EtcdMember): Promise<boolean> {
  return findByPeer(await readMembershipNow(ctx), oldMember.peerURL) !== undefined;
}
