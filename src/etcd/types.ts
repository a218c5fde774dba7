/** What etcd says of its members, their status, alarms and snapshots: the data the EtcdAdmin port (src/ports/etcd.ts) returns. */
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

/** Every key of the v3 store at one revision: key (as text) → value (base64, so that any bytes compare exactly). */
export interface KeySpace {
  /** The store's revision the keys are read at. */
  readonly revision: string;
  readonly keys: ReadonlyMap<string, string>;
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
