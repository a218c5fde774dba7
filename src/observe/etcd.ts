/**
 * Reading the live etcd cluster into the planner's `Observed` form: the member list and who leads.
 * The leader is what a majority of the answering members report (a member may briefly know no leader).
 */
import { FerryError } from '../errors.ts';
import type { ObservedEtcd } from './types.ts';
import { computeAgreedLeader } from '../etcd/leader.ts';
import type { EtcdAdmin } from '../ports/etcd.ts';
import type { EndpointStatus, MemberInfo } from '../etcd/types.ts';

export interface EtcdReading {
  readonly observed: ObservedEtcd;
  readonly members: readonly MemberInfo[];
  /** Status per member id, for members that answered. */
  readonly statuses: ReadonlyMap<string, EndpointStatus>;
  /** Members that did not answer status, with the error message. */
  readonly unreachable: ReadonlyMap<string, string>;
}

export async function readEtcdState(admin: EtcdAdmin): Promise<EtcdReading> {
  const members = await admin.memberList();
  const statuses = new Map<string, EndpointStatus>();
  const unreachable = new Map<string, string>();
  await Promise.all(
    members.map(async (m) => {
      const url = m.clientURLs[0];
      if (url === undefined) {
        unreachable.set(m.id, m.name === '' ? 'never started (no client URL yet)' : 'no client URL');
        return;
      }
      try {
        statuses.set(m.id, await admin.status(url));
      } catch (err) {
        unreachable.set(m.id, err instanceof Error ? err.message : String(err));
      }
    }),
  );
  const leaderId = computeAgreedLeader([...statuses.values()]);
  const version = [...statuses.values()][0]?.version ?? 'unknown';
  return {
    observed: {
      members: members.map((m) => ({ id: m.id, name: m.name, peerURLs: m.peerURLs, clientURLs: m.clientURLs, isLearner: m.isLearner })),
      leaderId,
      version,
    },
    members,
    statuses,
    unreachable,
  };
}

export function requireLeader(state: EtcdReading): string {
  if (state.observed.leaderId === '0') {
    throw new FerryError('ETCD_NO_LEADER', 'the etcd members do not agree on a leader', {
      retryable: true,
      hint: 'check `etcdctl endpoint status --cluster`; wait for an election to settle and try again',
    });
  }
  return state.observed.leaderId;
}
