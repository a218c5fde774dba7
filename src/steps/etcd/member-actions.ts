/**
 * The idempotent building blocks of every etcd membership step. Each `ensure*` first looks at the live cluster
 * (the truth, not the journal) and skips what is already in place, so a step killed at any instant can be
 * re-run by `ferry resume`: "peer URL already exists → adopt it", "member not found → already removed"
 * (docs/design/safety-rules.md §5.3, the Talos/kubeadm rules).
 */
import { FerryError, messageOf } from '../../errors.ts';
import type { EtcdMember } from '../../inventory/types.ts';
import type { EtcdTimeouts } from '../../plan/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil, retryUntil } from '../../util/retry.ts';
import { sameURL } from '../../plan/same-url.ts';
import { findByPeer, guard, readHealthForGuard, useEndpoints } from './cluster-checks.ts';
import { readMembershipNow, readMembershipSeeing } from './membership-view.ts';
import { reportedAppliedIndex, statusesAllowLearners } from '../../etcd/method.ts';
import type { EndpointStatus } from '../../etcd/types.ts';

const appliedOf = (s: EndpointStatus | undefined): bigint => (s === undefined ? 0n : reportedAppliedIndex(s));

/** The id of the member already at `member`'s peer URL (an add made before a crash: adopted), from a list as of now. */
async function adoptIfMember(ctx: StepContext, member: EtcdMember, action: string): Promise<string | undefined> {
  const existing = findByPeer(await readMembershipNow(ctx), member.peerURL);
  if (existing === undefined) return undefined;
  ctx.skip(action, `${member.peerURL} is already a member (${existing.isLearner ? 'learner' : 'voter'} ${existing.id}): adopted`);
  return existing.id;
}

/** Add the new member as a learner, or adopt it if its peer URL is already in the cluster. Returns its id. */
export async function ensureLearnerAdded(ctx: StepContext, member: EtcdMember, timeouts: EtcdTimeouts): Promise<string> {
  const admin = ctx.deps.etcd;
  const adopted = await adoptIfMember(ctx, member, 'add-learner');
  if (adopted !== undefined) return adopted;
  const report = await readHealthForGuard(ctx);
  // etcd before 3.4 does not know the learner flag and would take the add as a VOTER add: never send it there.
  const learners = statusesAllowLearners(report.statuses.values());
  if (!learners.ok) {
    throw new FerryError('ETCD_LEARNER_UNSUPPORTED', `refusing to add ${member.name} as a learner: ${learners.older.join(', ')} ${learners.older.length === 1 ? 'runs' : 'run'} etcd before 3.4, which has no learners and would take the add as a voter add`, {
      hint: 'the plan was made for etcd 3.4 or later; make a new plan (`ferry plan`), which says how this version is moved',
      exitCode: 2,
    });
  }
  guard(ctx, report, { kind: 'add-learner', peerURL: member.peerURL }, `add ${member.name} as a learner`);
  return addMember(ctx, member, timeouts, 'add-learner', () => admin.addLearner(member.peerURL));
}

/**
 * Add the new member as a VOTER where etcd has no learners (before 3.4), which the plan allows only with the
 * operator's consent; its config and unit are written before (member-moves.ts). Adopts a member already there.
 */
export async function ensureVoterAdded(ctx: StepContext, member: EtcdMember, timeouts: EtcdTimeouts): Promise<string> {
  const admin = ctx.deps.etcd;
  const adopted = await adoptIfMember(ctx, member, 'add-voter');
  if (adopted !== undefined) return adopted;
  if (ctx.inventory.etcd.allowVoterAdd !== true) {
    throw new FerryError('ETCD_VOTER_ADD_NOT_ALLOWED', `refusing to add ${member.name} as a voter: the run's inventory does not allow voter adds`, {
      hint: 'run again with --allow-voter-add (or set etcd.allowVoterAdd: true in the inventory)',
      exitCode: 2,
    });
  }
  const report = await readHealthForGuard(ctx);
  guard(ctx, report, { kind: 'add-voter', peerURL: member.peerURL, consented: true }, `add ${member.name} as a voter`);
  return addMember(ctx, member, timeouts, 'add-voter', () => admin.addVoter(member.peerURL));
}

async function addMember(ctx: StepContext, member: EtcdMember, timeouts: EtcdTimeouts, action: string, add: () => Promise<{ id: string }>): Promise<string> {
  return ctx.action(
    action,
    { member: member.name, peerURL: member.peerURL },
    () =>
      retryUntil(
        async () => {
          try {
            return (await add()).id;
          } catch (err) {
            // An add that timed out may have happened: adopt it rather than fail (ambiguous result).
            const again = findByPeer(await readMembershipNow(ctx).catch(() => []), member.peerURL);
            if (again !== undefined) return again.id;
            throw err;
          }
        },
        { timeoutMs: timeouts.addMemberTimeoutMs, delayMs: timeouts.retryDelayMs, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal },
      ),
    (id) => ({ id }),
  );
}

/** Start the member's service and wait until its endpoint answers; fail fast when the unit fails. */
export async function ensureStarted(ctx: StepContext, member: EtcdMember, timeouts: EtcdTimeouts): Promise<void> {
  const host = await ctx.deps.host(member.host);
  if ((await host.serviceState(member.service)) === 'failed') {
    // A start that failed before (a port in use, say) may have used up systemd's start limit: clear it first.
    await ctx.action('reset-failed', { host: member.host, unit: member.service }, () => host.service(member.service, 'reset-failed'));
  }
  await ctx.action('start-service', { host: member.host, unit: member.service }, () => host.service(member.service, 'start'));
  await pollUntil(
    async () => {
      try {
        await ctx.deps.etcd.status(member.clientURL);
        return true;
      } catch {
        const state = await host.serviceState(member.service);
        if (state === 'failed' || state === 'inactive') {
          throw new FerryError('ETCD_MEMBER_START_FAILED', `${member.name}: ${member.service} on ${member.host} is ${state}: etcd exited`, {
            subjects: { member: member.name, host: member.host },
            hint: `read the member's log on ${member.host} (journalctl -u ${member.service}); a port already in use, a data dir (${member.dataDir}) it cannot create or write, or a wrong --initial-cluster are the usual causes. The step is rolled back; fix the cause, then \`ferry resume\``,
          });
        }
        return undefined;
      }
    },
    {
      timeoutMs: timeouts.startTimeoutMs,
      intervalMs: 200,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('ETCD_MEMBER_START_TIMEOUT', `${member.name} did not answer on ${member.clientURL} within ${timeouts.startTimeoutMs} ms`, {
          subjects: { member: member.name, host: member.host },
          hint: `check ${member.service} on ${member.host} and that ${member.clientURL} is reachable from here`,
        }),
    },
  );
}

/** What the last look at a catching-up learner saw, for the error when it never catches up. */
interface CatchUpSighting {
  applied?: bigint;
  leaderIndex?: bigint;
  /** The leader the learner itself knows ("0": it has heard from none). */
  learnerLeaderId?: string;
  error?: string;
}

function renderCatchUpSighting(s: CatchUpSighting): string {
  if (s.applied === undefined || s.leaderIndex === undefined) return `its progress could not be read${s.error ? ` (${s.error})` : ''}`;
  const behind = s.leaderIndex > s.applied ? s.leaderIndex - s.applied : 0n;
  const deaf = s.learnerLeaderId === '0' ? '; it has not heard from a leader' : '';
  return `it had applied index ${s.applied}, the leader is at ${s.leaderIndex} (${behind} entries behind)${deaf}`;
}

/**
 * Wait until the learner's applied index reaches the leader's index, journaling progress. The leader is the one
 * the voters agree on, not the one the learner names: a learner cut off from its peers may know none. A failed
 * look (the learner not answering for a moment) is retried until the deadline.
 */
export async function waitCaughtUp(ctx: StepContext, member: EtcdMember, timeouts: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  let lastProgressAt = 0;
  const seen: CatchUpSighting = {};
  await pollUntil(
    async () => {
      try {
        const members = await admin.memberList();
        const self = await admin.status(member.clientURL);
        seen.learnerLeaderId = self.leaderId;
        let leaderId = self.leaderId;
        for (const v of members.filter((m) => !m.isLearner && m.clientURLs[0] !== undefined)) {
          if (members.some((m) => m.id === leaderId && !m.isLearner)) break;
          leaderId = (await admin.status(v.clientURLs[0] as string).catch(() => undefined))?.leaderId ?? '0';
        }
        const leaderURL = members.find((m) => m.id === leaderId && !m.isLearner)?.clientURLs[0];
        if (leaderURL === undefined) {
          seen.error = 'no leader found';
          return undefined;
        }
        const leaderIndex = (await admin.status(leaderURL)).raftIndex;
        const applied = reportedAppliedIndex(await admin.status(member.clientURL));
        Object.assign(seen, { applied, leaderIndex });
        const now = ctx.deps.now();
        const done = applied >= leaderIndex;
        if (done || now - lastProgressAt >= 500) {
          lastProgressAt = now;
          const pct = leaderIndex === 0n ? 100 : Number((applied * 1000n) / leaderIndex) / 10;
          ctx.progress({ kind: 'catch-up', data: { member: member.name, applied: applied.toString(), leaderIndex: leaderIndex.toString(), percent: Math.min(pct, 100) } });
        }
        return done ? true : undefined;
      } catch (err) {
        seen.error = messageOf(err);
        return undefined;
      }
    },
    {
      timeoutMs: timeouts.catchUpTimeoutMs,
      intervalMs: 100,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () =>
        new FerryError('ETCD_CATCH_UP_TIMEOUT', `${member.name} on ${member.host} did not catch up with the leader within ${timeouts.catchUpTimeoutMs} ms: ${renderCatchUpSighting(seen)}`, {
          subjects: { member: member.name, host: member.host },
          hint: `the learner is removed again (the step rolls back). Check that the other members reach ${member.name}'s peer URL ${member.peerURL} and that ${member.host} reaches theirs (firewall, proxy, routing), and the new host's disk; then \`ferry resume\`. For a very large database, allow more time: save the plan (\`ferry plan -o json --out plan.json\`), raise params.timeouts.catchUpTimeoutMs and \`ferry apply plan.json\``,
        }),
    },
  );
}

/** Promote the learner; after an error or timeout, re-read the member list before deciding it failed. */
export async function ensurePromoted(ctx: StepContext, member: EtcdMember, id: string, timeouts: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  // The member was added by this step: decide from a list that shows it (a member behind may not list it yet).
  const self = (await readMembershipSeeing(ctx, `${member.name} (id ${id})`, (ms) => ms.some((m) => m.id === id))).find((m) => m.id === id);
  if (self?.isLearner === false) {
    ctx.skip('promote', `${member.name} is already a voting member`);
    return;
  }
  const report = await readHealthForGuard(ctx);
  guard(ctx, report, { kind: 'promote', id, verified: true }, `promote ${member.name}`);
  await ctx.action('promote', { member: member.name, id }, () =>
    retryUntil(
      async () => {
        try {
          await admin.promote(id);
        } catch (err) {
          const now = (await readMembershipNow(ctx).catch(() => [])).find((m) => m.id === id);
          if (now !== undefined && !now.isLearner) return; // it did happen (k/k#139842)
          throw err;
        }
      },
      { timeoutMs: timeouts.promoteTimeoutMs, delayMs: timeouts.retryDelayMs, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal },
    ),
  );
}

/** If `oldId` leads, hand leadership to the most caught-up healthy new voter (never an old one, never a learner). */
export async function ensureLeaderNotOn(ctx: StepContext, oldId: string, oldName: string, timeouts: EtcdTimeouts): Promise<void> {
  const admin = ctx.deps.etcd;
  const report = await readHealthForGuard(ctx);
  if (report.leaderId !== oldId) {
    ctx.skip('move-leader', `${oldName} does not lead`);
    return;
  }
  const newPeers = ctx.inventory.etcd.new.map((m) => m.peerURL);
  const candidates = report.members
    .filter((m) => !m.isLearner && m.id !== oldId && report.model.find((x) => x.id === m.id)?.healthy)
    .map((m) => ({ m, isNew: m.peerURLs.some((u) => newPeers.some((p) => sameURL(p, u))), applied: appliedOf(report.statuses.get(m.id)) }))
    .sort((a, b) => Number(b.isNew) - Number(a.isNew) || (b.applied > a.applied ? 1 : b.applied < a.applied ? -1 : 0));
  const target = candidates[0];
  if (target === undefined) {
    throw new FerryError('ETCD_NO_TRANSFEREE', `${oldName} leads and no other healthy voter can take over`, { hint: 'bring another member to health first' });
  }
  guard(ctx, report, { kind: 'move-leader', toId: target.m.id }, `move leadership from ${oldName} to ${target.m.name}`);
  const leaderURL = report.members.find((m) => m.id === oldId)?.clientURLs[0];
  if (leaderURL === undefined) throw new FerryError('ETCD_NO_LEADER_URL', `${oldName} has no client URL`, {});
  await ctx.action('move-leader', { from: oldName, to: target.m.name, toId: target.m.id }, async () => {
    await retryUntil(() => admin.moveLeader(target.m.id, leaderURL), {
      timeoutMs: timeouts.moveLeaderTimeoutMs,
      delayMs: timeouts.retryDelayMs,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
    });
    await pollUntil(async () => ((await admin.status(leaderURL)).leaderId !== oldId ? true : undefined), {
      timeoutMs: timeouts.moveLeaderTimeoutMs,
      intervalMs: 50,
      sleep: ctx.deps.sleep,
      now: ctx.deps.now,
      signal: ctx.signal,
      onTimeout: () => new FerryError('ETCD_MOVE_LEADER_TIMEOUT', `leadership did not leave ${oldName}`, { retryable: true, hint: 'ferry resume retries' }),
    });
  });
}

/** Remove a member (through the other members' endpoints); "not found" means already removed. */
export async function ensureRemoved(ctx: StepContext, id: string, name: string, timeouts: EtcdTimeouts, action = 'remove-member'): Promise<void> {
  const admin = ctx.deps.etcd;
  // "Not found" means already removed only in a list that includes every change made so far.
  const members = await readMembershipNow(ctx);
  if (!members.some((m) => m.id === id)) {
    ctx.skip(action, `${name} is not a member (already removed)`);
    return;
  }
  const report = await readHealthForGuard(ctx);
  guard(ctx, report, { kind: 'remove', id }, `remove ${name}`);
  useEndpoints(admin, members, [id]);
  await ctx.action(action, { member: name, id }, () =>
    retryUntil(
      async () => {
        try {
          await admin.remove(id);
        } catch (err) {
          const still = (await readMembershipNow(ctx).catch(() => undefined))?.some((m) => m.id === id);
          if (still === false) return;
          throw err;
        }
      },
      {
        timeoutMs: timeouts.removeTimeoutMs,
        delayMs: timeouts.retryDelayMs,
        sleep: ctx.deps.sleep,
        now: ctx.deps.now,
        signal: ctx.signal,
        retryIf: (e) => e instanceof FerryError && (e.retryable || e.code === 'ETCD_UNHEALTHY_CLUSTER'),
      },
    ),
  );
}

export async function ensureServiceStopped(ctx: StepContext, member: EtcdMember, action = 'stop-service'): Promise<void> {
  const host = await ctx.deps.host(member.host);
  const state = await host.serviceState(member.service);
  if (state === 'failed') {
    // Leave it clean: a later start must not meet systemd's start limit.
    await ctx.action(`${action}:reset-failed`, { host: member.host, unit: member.service }, () => host.service(member.service, 'reset-failed'));
    return;
  }
  if (state === 'inactive') {
    ctx.skip(action, `${member.service} on ${member.host} is ${state}`);
    return;
  }
  await ctx.action(action, { host: member.host, unit: member.service }, () => host.service(member.service, 'stop'));
  // A member removed from its cluster may exit with an error while it stops (etcd can fail a request it is answering
  // as it shuts down), and systemd then marks the unit failed: leave it clean, as above.
  if ((await host.serviceState(member.service)) === 'failed') {
    await ctx.action(`${action}:reset-failed`, { host: member.host, unit: member.service }, () => host.service(member.service, 'reset-failed'));
  }
}

/** Move a data dir aside (never delete: nothing is lost). */
export async function ensureDataDirMovedAside(ctx: StepContext, member: EtcdMember, suffix: string, action: string): Promise<void> {
  const host = await ctx.deps.host(member.host);
  const target = `${member.dataDir}.${suffix}`;
  if (!(await host.exists(member.dataDir))) {
    ctx.skip(action, `${member.dataDir} on ${member.host} is not there${(await host.exists(target)) ? ` (already at ${target})` : ''}`);
    return;
  }
  let dest = target;
  for (let i = 2; await host.exists(dest); i++) dest = `${target}-${i}`;
  await ctx.action(action, { host: member.host, from: member.dataDir, to: dest }, () => host.rename(member.dataDir, dest), () => ({ archivedTo: dest }));
}
