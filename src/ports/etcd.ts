/**
 * What ferry observes of an etcd cluster, and the admin operations it performs. Implemented over the `etcd3`
 * library in src/adapters/etcd/client.ts; steps and gates depend only on this interface (tests can substitute a fake).
 *
 * Member IDs are uint64 and do not fit in a JS number: they are always decimal strings here (what etcd3 returns).
 * Use src/etcd/ids.ts to convert to the hex that etcdctl prints. Raft indexes are bigint.
 */
import type { AlarmInfo, EndpointStatus, KeySpace, MemberId, MemberInfo, SnapshotInfo } from '../etcd/types.ts';
import type { EtcdVersion } from '../etcd/versions.ts';
import type { V2DumpInfo, V2Store } from '../etcd/v2-store.ts';


export interface EtcdAdmin {
  /** Member list as seen through the given endpoint (or any reachable one when omitted). */
  memberList(endpoint?: string): Promise<MemberInfo[]>;
  /** Add a member as a learner. Returns the new member (its name is empty until it starts). */
  addLearner(peerURL: string): Promise<MemberInfo>;
  /** Add a voting member (where etcd has no learners, before 3.4; the plan allows it only with consent). */
  addVoter(peerURL: string): Promise<MemberInfo>;
  promote(id: MemberId): Promise<void>;
  remove(id: MemberId): Promise<void>;
  /** `GET /version` of one endpoint: the member's and the cluster's version (etcd 2.x answers it too). */
  version(endpoint: string): Promise<EtcdVersion>;
  /** Status of one endpoint (works on learners). */
  status(endpoint: string): Promise<EndpointStatus>;
  /** Active alarms. */
  alarms(): Promise<AlarmInfo[]>;
  /** Move leadership to `targetId`; sent to the current leader's endpoint, found through status. */
  moveLeader(targetId: MemberId, leaderEndpoint: string): Promise<void>;
  /** A linearizable read through exactly this endpoint (fails on learners, as etcd refuses them). */
  linearizableRead(endpoint: string): Promise<{ revision: string }>;
  /** The whole v2 store through `endpoint` (a quorum read); undefined when it serves no v2 API. */
  readV2Store(endpoint: string): Promise<V2Store | undefined>;
  /** Dump the v2 store through `endpoint` to `path`; undefined (nothing written) when it serves no v2 API. */
  saveV2Dump(endpoint: string, path: string): Promise<V2DumpInfo | undefined>;
  /**
   * Every key and value of the v3 store, read in pages through `endpoint` (or any member), at `revision` when given:
   * a point-in-time read, which fails once the cluster has compacted past it.
   */
  readAllKeys(options?: { readonly endpoint?: string; readonly revision?: string }): Promise<KeySpace>;
  /** How many keys the v3 store holds now (a count-only range over every key), and at which revision. */
  countKeys(): Promise<{ readonly revision: string; readonly count: number }>;
  /** Stream a snapshot from `endpoint` to `path` and verify it. */
  saveSnapshot(endpoint: string, path: string): Promise<SnapshotInfo>;
  /** Forget the given endpoints / use these from now on (members come and go during a migration). */
  setEndpoints(endpoints: readonly string[]): void;
  close(): Promise<void>;
}
