/**
 * The health gate run before and after every membership change (docs/design/safety-rules.md §5.1: the combined gates of Cluster API,
 * OpenShift and etcd-manager):
 *   - every voter answers a linearizable read (learners: status only — etcd refuses them linearizable reads);
 *   - one leader, agreed by every answering member;
 *   - every member reports the same member list;
 *   - no alarm is raised;
 *   - raft applied indexes converge (every member within `maxIndexLag` of the leader's index; before etcd 3.4,
 *     which reports no applied index, by the member's raft index).
 */
import type { ModelMember } from '../etcd/quorum.ts';
import { computeAgreedLeader } from '../etcd/leader.ts';
import type { GateCheck } from '../gate-check.ts';
import type { EtcdAdmin } from '../ports/etcd.ts';
import type { EndpointStatus, MemberInfo } from '../etcd/types.ts';
import { messageOf } from '../errors.ts';
import { reportedAppliedIndex } from '../etcd/method.ts';

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: readonly GateCheck[];
  readonly members: readonly MemberInfo[];
  readonly statuses: ReadonlyMap<string, EndpointStatus>;
  readonly leaderId: string;
  /** Members as the quorum model sees them (healthy = answered, and for voters a linearizable read). */
  readonly model: readonly ModelMember[];
}

export interface HealthOptions {
  /** How far behind the leader's raft index a member may be and still count as converged. Default 50. */
  readonly maxIndexLag?: bigint;
  /** Members expected to be voters / absent, for the gate after a change. */
  readonly expectVoters?: readonly string[];
  readonly expectAbsentPeerURLs?: readonly string[];
  /**
   * A voter the running step added and has not started yet (a voter add before etcd 3.4, interrupted between its
   * add and its start): it is not asked to answer, agree or converge, and the quorum model counts it as down.
   */
  readonly pendingVoterPeerURL?: string;
}

const label = (m: MemberInfo) => m.name || m.peerURLs[0] || m.id;

export async function readClusterHealth(admin: EtcdAdmin, options: HealthOptions = {}): Promise<HealthReport> {
  const maxLag = options.maxIndexLag ?? 50n;
  const checks: GateCheck[] = [];
  let members: MemberInfo[];
  try {
    members = await admin.memberList();
  } catch (err) {
    return { ok: false, checks: [{ name: 'member list', ok: false, detail: messageOf(err) }], members: [], statuses: new Map(), leaderId: '0', model: [] };
  }
  const pendingPeer = options.pendingVoterPeerURL;
  const isPending = (m: MemberInfo): boolean => pendingPeer !== undefined && m.clientURLs.length === 0 && !m.isLearner && m.peerURLs.some((u) => u.replace(/\/+$/, '') === pendingPeer.replace(/\/+$/, ''));
  const statuses = new Map<string, EndpointStatus>();
  const reads = new Map<string, string | undefined>();
  const lists = new Map<string, string | undefined>();
  await Promise.all(
    members.filter((m) => !isPending(m)).map(async (m) => {
      const url = m.clientURLs[0];
      if (url === undefined) {
        reads.set(m.id, 'not started');
        return;
      }
      try {
        statuses.set(m.id, await admin.status(url));
      } catch (err) {
        reads.set(m.id, messageOf(err));
        return;
      }
      if (!m.isLearner) {
        try {
          await admin.linearizableRead(url);
          reads.set(m.id, undefined);
        } catch (err) {
          reads.set(m.id, messageOf(err));
        }
      } else reads.set(m.id, undefined);
      try {
        const seen = await admin.memberList(url);
        lists.set(m.id, seen.map((x) => x.id).sort().join(','));
      } catch (err) {
        lists.set(m.id, undefined);
      }
    }),
  );

  const voters = members.filter((m) => !m.isLearner);
  const badVoters = voters.filter((m) => !isPending(m) && reads.get(m.id) !== undefined);
  checks.push({
    name: 'voters answer linearizable reads',
    ok: badVoters.length === 0,
    detail: badVoters.length === 0 ? `${voters.length - voters.filter(isPending).length}/${voters.length} voters answered${voters.some(isPending) ? ' (the one being added is not started yet)' : ''}` : badVoters.map((m) => `${label(m)}: ${reads.get(m.id)}`).join('; '),
  });

  // A learner added but not yet started has no client URL: it cannot answer, and is not expected to.
  const started = members.filter((m) => (m.clientURLs.length > 0 || !m.isLearner) && !isPending(m));
  const leaderId = computeAgreedLeader([...statuses.values()]);
  const leaderViews = new Set([...statuses.values()].map((s) => s.leaderId));
  const leaderOk = leaderId !== '0' && leaderViews.size === 1 && statuses.size === started.length;
  const leader = members.find((m) => m.id === leaderId);
  checks.push({
    name: 'one leader agreed by all',
    ok: leaderOk,
    detail: leaderOk ? `${leader ? label(leader) : leaderId} leads` : `leader views: ${[...statuses.entries()].map(([id, s]) => `${label(members.find((m) => m.id === id) ?? ({ id } as MemberInfo))}→${s.leaderId}`).join(', ')}`,
  });

  const expected = members.map((m) => m.id).sort().join(',');
  const disagreeing = started.filter((m) => lists.get(m.id) !== expected);
  checks.push({
    name: 'member lists agree',
    ok: disagreeing.length === 0,
    detail: disagreeing.length === 0 ? `${members.length} members, same list on all ${started.length} that answer` : `differs on: ${disagreeing.map(label).join(', ')}`,
  });

  try {
    const alarms = await admin.alarms();
    checks.push({ name: 'no alarms', ok: alarms.length === 0, detail: alarms.length === 0 ? 'none' : alarms.map((a) => `${a.alarm} on ${a.memberId}`).join(', ') });
  } catch (err) {
    checks.push({ name: 'no alarms', ok: false, detail: messageOf(err) });
  }

  const leaderStatus = statuses.get(leaderId);
  if (leaderStatus !== undefined) {
    // Before 3.4 no applied index is reported: the member's raft (committed) index stands in (src/etcd/method.ts).
    const lagging = [...statuses.entries()].filter(([, s]) => leaderStatus.raftIndex - reportedAppliedIndex(s) > maxLag);
    checks.push({
      name: 'raft indexes converge',
      ok: lagging.length === 0,
      detail:
        lagging.length === 0
          ? `all within ${maxLag} of leader index ${leaderStatus.raftIndex}`
          : lagging.map(([id, s]) => `${label(members.find((m) => m.id === id) ?? ({ id } as MemberInfo))} applied ${reportedAppliedIndex(s)} < ${leaderStatus.raftIndex}`).join('; '),
    });
  } else checks.push({ name: 'raft indexes converge', ok: false, detail: 'no leader status' });

  if (options.expectVoters !== undefined) {
    const missing = options.expectVoters.filter((p) => !voters.some((m) => m.peerURLs.includes(p)));
    checks.push({ name: 'expected voters present', ok: missing.length === 0, detail: missing.length === 0 ? 'yes' : `missing: ${missing.join(', ')}` });
  }
  if (options.expectAbsentPeerURLs !== undefined) {
    const present = options.expectAbsentPeerURLs.filter((p) => members.some((m) => m.peerURLs.includes(p)));
    checks.push({ name: 'removed members gone', ok: present.length === 0, detail: present.length === 0 ? 'yes' : `still present: ${present.join(', ')}` });
  }

  const model: ModelMember[] = members.map((m) => ({
    id: m.id,
    name: m.name,
    isLearner: m.isLearner,
    healthy: statuses.has(m.id) && reads.get(m.id) === undefined,
  }));
  return { ok: checks.every((c) => c.ok), checks, members, statuses, leaderId, model };
}

export function renderFailedChecks(report: HealthReport): string {
  return report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ');
}
