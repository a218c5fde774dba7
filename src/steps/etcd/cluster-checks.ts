/**
 * The cluster checks every etcd membership step shares: the quorum guard, the health gates (forward and rollback),
 * the precheck, and how a member is found by its peer URL and where an operator finds it.
 */
import { FerryError, messageOf } from '../../errors.ts';
import { computeTolerance, evaluateChange, type Change } from '../../etcd/quorum.ts';
import { readClusterHealth, renderFailedChecks, type HealthOptions, type HealthReport } from '../../observe/etcd-health.ts';
import type { EtcdAdmin } from '../../ports/etcd.ts';
import type { MemberInfo } from '../../etcd/types.ts';
import type { EtcdMember } from '../../inventory/types.ts';
import type { EtcdTimeouts } from '../../plan/types.ts';
import type { StepContext } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';
import { sameURL } from '../../plan/same-url.ts';

export function findByPeer(members: readonly MemberInfo[], peerURL: string): MemberInfo | undefined {
  return members.find((m) => m.peerURLs.some((u) => sameURL(u, peerURL)));
}

/** Point the admin's pool at the started members, leaving out `exclude` (e.g. a member about to be removed). */
export function useEndpoints(admin: EtcdAdmin, members: readonly MemberInfo[], exclude: readonly string[] = []): void {
  const urls = members.filter((m) => !exclude.includes(m.id) && !m.isLearner).flatMap((m) => m.clientURLs.slice(0, 1));
  if (urls.length > 0) admin.setEndpoints(urls);
}

const unhealthyVoters = (report: HealthReport): string[] => report.model.filter((m) => !m.isLearner && !m.healthy).map((m) => m.name || m.id);

/** How long the guard re-reads health while a voter does not answer, so that one slow answer is not taken for a dead member. */
const GUARD_SETTLE_MS = 5000;

/**
 * Health for the quorum guard. A report whose member list could not be read says nothing about quorum, and a voter
 * that did not answer once may only have been slow, so either is read again for a few seconds; if it still cannot
 * be read, the guard sees no voters (or the voter down) and refuses.
 */
export async function readHealthForGuard(ctx: StepContext): Promise<HealthReport> {
  let report = await readClusterHealth(ctx.deps.etcd);
  const deadline = ctx.deps.now() + GUARD_SETTLE_MS;
  while ((report.members.length === 0 || unhealthyVoters(report).length > 0) && ctx.deps.now() < deadline) {
    await ctx.deps.sleep(200, ctx.signal);
    report = await readClusterHealth(ctx.deps.etcd);
  }
  return report;
}

/** `old2 (etcd on 10.0.0.3)`: where an operator finds a member the cluster lists by name. */
function whereIs(ctx: StepContext, name: string): string {
  const m = [...ctx.inventory.etcd.old, ...ctx.inventory.etcd.new].find((x) => x.name === name);
  return m === undefined ? name : `${name} (${m.service} on ${m.host})`;
}

/** The hint for a cluster with voters down: which ones to bring back, and that `ferry resume` continues. */
function bringBackHint(ctx: StepContext, names: readonly string[]): string {
  return `bring ${names.map((n) => whereIs(ctx, n)).join(', ')} back — start ${names.length === 1 ? 'its' : 'their'} etcd service and check that \`etcdctl endpoint health --cluster\` reports every member healthy — then \`ferry resume\``;
}

/** The quorum guard: refuse a change the worst-case model says could cost quorum or the last spare. */
export function guard(ctx: StepContext, report: HealthReport, change: Change, what: string): void {
  const verdict = evaluateChange(report.model, change, ctx.plan.targetVoters);
  ctx.note(`quorum guard (${what}): ${verdict.allowed ? 'allowed' : 'REFUSED'} — ${verdict.reason}`);
  if (!verdict.allowed) {
    const down = verdict.downVoters;
    throw new FerryError('ETCD_QUORUM_GUARD', `refusing to ${what}: ${verdict.reason}`, {
      hint: down.length > 0 ? bringBackHint(ctx, down) : 'bring every member back to health first (`ferry status`, `etcdctl endpoint status --cluster`), then `ferry resume`',
      ...(down[0] !== undefined ? { subjects: { member: down[0] } } : {}),
      exitCode: 2,
    });
  }
}

/** Wait until the health gate passes, journaling the final verdict; throw ETCD_GATE_FAILED at the deadline. */
export async function waitForGate(ctx: StepContext, timeouts: EtcdTimeouts, label: string, options: HealthOptions = {}): Promise<HealthReport> {
  let last: HealthReport | undefined;
  try {
    const report = await pollUntil(
      async () => {
        last = await readClusterHealth(ctx.deps.etcd, options);
        return last.ok ? last : undefined;
      },
      { timeoutMs: timeouts.gateTimeoutMs, intervalMs: 200, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => new Error('timeout') },
    );
    ctx.gate(true, report.checks);
    return report;
  } catch (err) {
    if (last !== undefined) ctx.gate(false, last.checks);
    if (ctx.signal.aborted) throw err;
    throw new FerryError('ETCD_GATE_FAILED', `health gate ${label} did not pass within ${timeouts.gateTimeoutMs} ms: ${last ? renderFailedChecks(last) : messageOf(err)}`, {
      retryable: true,
      hint: 'look at `ferry status` and the members’ logs; the step was rolled back if it could be',
    });
  }
}

/**
 * The gate after undoing a new member: the cluster is healthy again without it. When a voter is down — often the
 * very reason the step failed (a voter died while the learner caught up) — full health cannot come back by itself,
 * and the rollback has still done all it must: the new member is gone and the remaining voters keep quorum under
 * one leader. Then the gate passes as "rolled back, degraded", journaled with the failed checks; the step's own
 * error names the member to bring back. Any other failure still fails the rollback at the deadline.
 */
export async function waitForRollbackGate(ctx: StepContext, timeouts: EtcdTimeouts, member: EtcdMember): Promise<HealthReport> {
  const options: HealthOptions = { expectAbsentPeerURLs: [member.peerURL] };
  let last: HealthReport | undefined;
  const degradedButSafe = (r: HealthReport): boolean =>
    unhealthyVoters(r).length > 0 &&
    r.checks.find((c) => c.name === 'removed members gone')?.ok === true &&
    r.leaderId !== '0' &&
    computeTolerance(r.model).tolerance >= 0;
  try {
    const report = await pollUntil(
      async () => {
        last = await readClusterHealth(ctx.deps.etcd, options);
        return last.ok || degradedButSafe(last) ? last : undefined;
      },
      { timeoutMs: timeouts.gateTimeoutMs, intervalMs: 200, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => new Error('timeout') },
    );
    ctx.gate(report.ok, report.checks);
    if (!report.ok) ctx.note(`rolled back ${member.name}: it is out of the cluster and quorum holds, but ${unhealthyVoters(report).join(', ')} still do(es) not answer`);
    return report;
  } catch (err) {
    if (last !== undefined) ctx.gate(false, last.checks);
    if (ctx.signal.aborted) throw err;
    throw new FerryError('ETCD_GATE_FAILED', `health gate after rolling back ${member.name} did not pass within ${timeouts.gateTimeoutMs} ms: ${last ? renderFailedChecks(last) : messageOf(err)}`, {
      retryable: true,
      hint: 'look at `ferry status` and the members’ logs; the step was rolled back if it could be',
    });
  }
}

/**
 * Precheck shared by every membership step: healthy voters, agreement, no alarms, no foreign learner. With
 * `voterJoin` (a voter add before etcd 3.4), the step's own new member added but not started yet — a run interrupted
 * between the add and the start — is expected, as its own unstarted learner is in the learner way.
 */
export async function precheckCluster(ctx: StepContext, ownPeerURL: string | undefined, voterJoin = false): Promise<HealthReport> {
  const report = await readClusterHealth(ctx.deps.etcd, voterJoin && ownPeerURL !== undefined ? { pendingVoterPeerURL: ownPeerURL } : {});
  const learners = report.members.filter((m) => m.isLearner && (ownPeerURL === undefined || !m.peerURLs.some((u) => sameURL(u, ownPeerURL))));
  if (learners.length > 0) {
    throw new FerryError('ETCD_LEARNER_EXISTS', `a learner already exists: ${learners.map((l) => l.name || l.peerURLs.join(',')).join(', ')}`, {
      hint: 'etcd 3.4 allows one learner at a time; promote or remove it (etcdctl member promote/remove) and try again',
      exitCode: 2,
    });
  }
  if (!report.ok) {
    // An unstarted learner of our own is expected on resume; any other failure refuses the step.
    const down = unhealthyVoters(report);
    const lead = down.length > 0 ? `${down.map((n) => whereIs(ctx, n)).join(', ')} ${down.length === 1 ? 'does' : 'do'} not answer; ` : '';
    throw new FerryError('ETCD_UNHEALTHY', `the etcd cluster is not healthy: ${lead}${renderFailedChecks(report)}`, {
      retryable: true,
      hint: down.length > 0 ? `ferry changes membership only on a healthy cluster: ${bringBackHint(ctx, down)}` : 'ferry changes membership only on a healthy cluster; fix the members named, then `ferry resume`',
      ...(down[0] !== undefined ? { subjects: { member: down[0] } } : {}),
      exitCode: 2,
    });
  }
  return report;
}
