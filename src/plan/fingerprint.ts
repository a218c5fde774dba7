/**
 * A fingerprint of what the planner observed: the membership (ids, names, peer URLs, learner flags) and the leader.
 * `apply` recomputes it from the live cluster and refuses a plan whose fingerprint differs (docs/design/style.md §1).
 * Pure: hashing is deterministic.
 */
import { createHash } from 'node:crypto';
import type { ObservedEtcd } from '../observe/types.ts';

export function computeObservedFingerprint(etcd: ObservedEtcd): string {
  const members = [...etcd.members]
    .map((m) => ({ id: m.id, name: m.name, peerURLs: [...m.peerURLs].sort(), isLearner: m.isLearner }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const canonical = JSON.stringify({ members, leaderId: etcd.leaderId });
  return createHash('sha256').update(canonical).digest('hex');
}

/** Why two observations differ, in words (for the PLAN_STALE error). */
export function describeObservedDifference(planned: ObservedEtcd, now: ObservedEtcd): string[] {
  const out: string[] = [];
  const key = (m: { name: string; peerURLs: readonly string[]; isLearner: boolean }) =>
    `${m.name || '(unstarted)'} ${[...m.peerURLs].sort().join(',')}${m.isLearner ? ' (learner)' : ''}`;
  const a = new Set(planned.members.map(key));
  const b = new Set(now.members.map(key));
  for (const k of a) if (!b.has(k)) out.push(`member gone or changed since the plan: ${k}`);
  for (const k of b) if (!a.has(k)) out.push(`member not in the plan: ${k}`);
  if (planned.leaderId !== now.leaderId) {
    const name = (o: ObservedEtcd) => o.members.find((m) => m.id === o.leaderId)?.name ?? o.leaderId;
    out.push(`leader was ${name(planned)}, is now ${name(now)}`);
  }
  return out;
}
