/**
 * How ferry moves a cluster at the version its members report (pure; docs/design/etcd-versions.md):
 *   - 3.4 and later: each new member joins as a LEARNER (it does not vote until it has caught up and is promoted);
 *     catch-up and the health gates read `raftAppliedIndex`.
 *   - 3.3: no learners (an add that asks for one is taken as a plain voter add: the field is unknown to 3.3), so
 *     a new member joins as a VOTER — only with the operator's consent (`--allow-voter-add` or
 *     `etcd.allowVoterAdd: true`), because from its add until it has caught up the cluster counts one more voter
 *     that does not answer. Leadership still moves with MoveLeader (3.3 has it). 3.3 reports no applied index: its
 *     `raftIndex` (the member's committed index) stands in for it.
 *   - 3.0–3.2 and 2.x: refused with the reason (explainUnsupportedVersion).
 * The lowest version any member reports decides (the cluster runs at its lowest member's version).
 */
import type { EndpointStatus } from './types.ts';
import {
  compareVersions,
  explainUnsupportedVersion,
  findUnsupportedVersions,
  LEARNER_VERSION,
  lowestClusterVersion,
  minorOf,
  MIN_ETCD_VERSION,
  renderVersionReading,
  type EtcdVersionReading,
} from './versions.ts';

/** How a new member joins: as a learner (3.4+), or as a voter (3.3, with consent). */
export type EtcdJoin = 'learner' | 'voter';

export type MethodChoice =
  | { readonly ok: true; readonly join: EtcdJoin; /** What the plan says about the method, when there is anything to say. */ readonly notes: readonly string[] }
  | { readonly ok: false; readonly code: 'ETCD_VERSION_UNSUPPORTED' | 'ETCD_VOTER_ADD_NOT_ALLOWED'; readonly message: string; readonly hint: string; readonly member: string };

/** The words the plan and the refusal use for the voter-add window. */
export const VOTER_ADD_EXPOSURE =
  'from its add until it has caught up, the cluster counts one more voter that does not answer yet (3 voters become 4 with quorum 3: no failure tolerated)';

function distinctVersions(readings: readonly EtcdVersionReading[]): string[] {
  return [...new Set(readings.flatMap((r) => (r.version === undefined ? [] : [r.version.server])))].sort(compareVersions);
}

/** Choose the method for the versions read, or say why the cluster cannot be moved (nothing is planned then). */
export function chooseEtcdMethod(readings: readonly EtcdVersionReading[], allowVoterAdd: boolean): MethodChoice {
  const lowest = lowestClusterVersion(readings);
  const notes: string[] = [];
  const versions = distinctVersions(readings);
  if (versions.length > 1 && lowest !== undefined) {
    notes.push(`mixed etcd versions (${versions.join(', ')}): the cluster runs at ${lowest}, its lowest, and ferry uses only what ${minorOf(lowest)} offers`);
  }
  if (lowest === undefined || compareVersions(lowest, LEARNER_VERSION) >= 0) return { ok: true, join: 'learner', notes };
  const old = findUnsupportedVersions(readings);
  if (old.length > 0) {
    const first = old[0] as EtcdVersionReading;
    return {
      ok: false,
      code: 'ETCD_VERSION_UNSUPPORTED',
      message: `etcd ${old.map(renderVersionReading).join(', ')}: ferry moves etcd ${MIN_ETCD_VERSION} and later, so nothing was planned or changed`,
      hint: `${explainUnsupportedVersion(lowest)}. Until ferry can move it, follow the runbook by hand, or first upgrade the cluster to etcd 3.3 or 3.4 (etcd upgrades one minor version at a time)`,
      member: first.member,
    };
  }
  const before = findUnsupportedVersions(readings, LEARNER_VERSION);
  const named = before.map(renderVersionReading).join(', ');
  if (!allowVoterAdd) {
    return {
      ok: false,
      code: 'ETCD_VOTER_ADD_NOT_ALLOWED',
      message: `etcd ${named}: etcd before 3.4 has no learners, so each new member can only join as a voting member; ferry does that only when you allow it, and nothing was planned or changed`,
      hint: `a voter add is the runbook's own \`etcdctl member add\`: ${VOTER_ADD_EXPOSURE}. ferry keeps that window as short as etcd allows (config and unit written first, the member started at once, nothing else changed until it has caught up). To accept it, run again with --allow-voter-add (or set etcd.allowVoterAdd: true in the inventory); or upgrade the cluster to etcd 3.4 first`,
      member: before[0]?.member ?? '',
    };
  }
  notes.push(
    `etcd ${minorOf(lowest)} has no learners: each new member joins as a VOTER (allowed by --allow-voter-add / etcd.allowVoterAdd): ${VOTER_ADD_EXPOSURE}. ferry writes its config and unit first, starts it at once after the add, and changes nothing else until it has caught up (by the raft index ${minorOf(lowest)} reports); the journal records how long each window lasted`,
  );
  return { ok: true, join: 'voter', notes };
}

/**
 * The index a member has applied, as far as its version says: `raftAppliedIndex` from 3.4; before that the field is
 * absent (it reads 0) and the member's `raftIndex` (its committed index) is the closest it reports.
 */
export function reportedAppliedIndex(s: EndpointStatus): bigint {
  if (s.version !== '' && compareVersions(s.version, LEARNER_VERSION) < 0) return s.raftIndex;
  return s.raftAppliedIndex;
}

/** Whether every member's status shows a version that has learners (a learner add would be understood). */
export function statusesAllowLearners(statuses: Iterable<EndpointStatus>): { ok: boolean; older: string[] } {
  const older = [...statuses].filter((s) => s.version !== '' && compareVersions(s.version, LEARNER_VERSION) < 0).map((s) => `${s.endpoint} ${s.version}`);
  return { ok: older.length === 0, older };
}
