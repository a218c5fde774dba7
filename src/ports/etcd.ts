/**
 * What ferry observes of an etcd cluster, and the admin operations it performs. Implemented over the `etcd3`
 * library in client.ts; steps and gates depend only on this interface (tests can substitute a fake).
 *
 * Member IDs are uint64 and do not fit in a JS number: they are always decimal strings here (what etcd3 returns).
 * Use ids.ts to convert to the hex that etcdctl prints. Raft indexes are bigint.
 */

export type MemberId = string;

export interface MemberInfo {
  readonly id: MemberId;
  /** Empty for a member that was added but never started. */
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}

export interface EndpointStatus {
  readonly endpoint: string;
  readonly memberId: MemberId;
  /** The member this endpoint believes leads; "0" when it knows no leader. */
  readonly leaderId: MemberId;
  readonly raftIndex: bigint;
  readonly raftAppliedIndex: bigint;
  readonly raftTerm: bigint;
  readonly isLearner: boolean;
  readonly dbSize: bigint;
  readonly version: string;
  readonly errors: readonly string[];
}

export interface AlarmInfo {
  readonly memberId: MemberId;
  /** NOSPACE, CORRUPT, ... */
  readonly alarm: string;
}

export interface SnapshotInfo {
  /** Absolute path of the saved snapshot file on ferry's machine. */
  readonly path: string;
  /** sha256 of the whole file, hex. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Store revision when the snapshot was taken (from the header of a read just before). */
  readonly revision: string;
  /** The endpoint the snapshot was streamed from. */
  readonly endpoint: string;
  /** How it was verified: etcd's own trailing sha256 checked, and `etcdctl snapshot status` when available. */
  readonly verified: { readonly trailerHash: boolean; readonly etcdctlStatus?: { readonly hash: string; readonly revision: string; readonly totalKeys: number } };
}

/** Admin access to one etcd cluster through a set of client endpoints. */
export interface EtcdAdmin {
  /** Member list as seen through the given endpoint (or any reachable one when omitted). */
  memberList(endpoint?: string): Promise<MemberInfo[]>;
  /** Add a member as a learner. Returns the new member (its name is empty until it starts). */
  addLearner(peerURL: string): Promise<MemberInfo>;
  promote(id: MemberId): Promise<void>;
  remove(id: MemberId): Promise<void>;
  /** Status of one endpoint (works on learners). */
  status(endpoint: string): Promise<EndpointStatus>;
  /** Active alarms. */
  alarms(): Promise<AlarmInfo[]>;
  /** Move leadership to `targetId`; sent to the current leader's endpoint, found through status. */
  moveLeader(targetId: MemberId, leaderEndpoint: string): Promise<void>;
  /** A linearizable read through exactly this endpoint (fails on learners, as etcd refuses them). */
  linearizableRead(endpoint: string): Promise<{ revision: string }>;
  /** Stream a snapshot from `endpoint` to `path` and verify it. */
  saveSnapshot(endpoint: string, path: string): Promise<SnapshotInfo>;
  /** Forget the given endpoints / use these from now on (members come and go during a migration). */
  setEndpoints(endpoints: readonly string[]): void;
  close(): Promise<void>;
}
