/**
 * The words of the plan: what each step does, checks and undoes. Pure. Kept apart from build.ts so that the
 * planner's logic reads without the prose.
 */
import type { EtcdMember } from '../inventory/types.ts';
import { VOTER_ADD_EXPOSURE, type EtcdJoin } from '../etcd/method.ts';

interface Words {
  readonly title: string;
  readonly does: string[];
  readonly checks: string[];
  readonly undoes: string[];
}

const healthChecks = [
  'every voter answers a linearizable read',
  'one leader, agreed by all members',
  'all members report the same member list',
  'no alarm (NOSPACE, CORRUPT) is raised',
  'raft applied indexes converge',
];

export function describeSnapshot(): Words {
  return {
    title: 'Take a verified etcd snapshot',
    does: [
      'stream a snapshot from the leader into the run folder',
      'record its sha256 and store revision',
      'dump the v2 store (every key with its TTL, and its dirs: a quorum read) beside it, when the members serve the v2 API',
      'restore both into a scratch etcd member on this machine (127.0.0.1, removed afterwards) and compare them with the live cluster: v3 at the snapshot’s revision, v2 with its dump',
    ],
    checks: [
      "etcd's own sha256 trailer matches the data",
      '`etcdctl snapshot status` reads it (when etcdctl is installed)',
      "the v2 dump's sha256",
      'the restored member holds every key and value the live cluster held at that revision; the v2 store, when it holds keys, is in the backup (when this machine has etcd and etcdctl; otherwise the run says it was not restore-checked)',
    ],
    undoes: ['nothing: the snapshot is kept as the way back'],
  };
}

function preChecks(): string[] {
  return [
    'before: every voter healthy, no alarm, member lists agree, no learner other than this step’s own',
    'before: the quorum guard models the worst case and refuses a change that could cost quorum or the last spare',
  ];
}

export function describeAdd(n: EtcdMember, join: EtcdJoin = 'learner'): Words {
  if (join === 'voter') return describeVoterAdd(n);
  return {
    title: `Add ${n.name} (${n.host}) as a new member`,
    does: [
      `add ${n.name} as a LEARNER with peer URL ${n.peerURL} (a learner does not vote, so quorum is unchanged)`,
      `write ${n.configFile} on ${n.host} with --initial-cluster-state existing and the current membership`,
      `start ${n.service} on ${n.host}`,
      'wait until the learner has caught up with the leader (applied index ≥ leader index)',
      `promote ${n.name} to a voting member`,
    ],
    checks: [...preChecks(), ...healthChecks.map((c) => `after: ${c}`)],
    undoes: [`remove ${n.name} from the cluster`, `stop ${n.service} on ${n.host}`, `move ${n.dataDir} aside (cleared)`],
  };
}

/** The add where etcd has no learners (before 3.4; src/etcd/method.ts): a voter, with its window kept short. */
function describeVoterAdd(n: EtcdMember): Words {
  return {
    title: `Add ${n.name} (${n.host}) as a new member`,
    does: [
      `write ${n.configFile} on ${n.host} first, with --initial-cluster-state existing and the current membership plus ${n.name}`,
      `add ${n.name} as a VOTER with peer URL ${n.peerURL} (this etcd has no learners: ${VOTER_ADD_EXPOSURE})`,
      `start ${n.service} on ${n.host} at once`,
      'wait until it has caught up with the leader (its raft index ≥ the leader’s), changing nothing else meanwhile',
    ],
    checks: [...preChecks(), 'before the add: the quorum guard allows the voter-add window only because the operator allowed it', ...healthChecks.map((c) => `after: ${c}`)],
    undoes: [`remove ${n.name} from the cluster`, `stop ${n.service} on ${n.host}`, `move ${n.dataDir} aside (cleared)`],
  };
}

export function describeReplace(o: EtcdMember, n: EtcdMember, isLeader: boolean, join: EtcdJoin = 'learner'): Words {
  const add = describeAdd(n, join);
  return {
    title: `Replace ${o.name} (${o.host}) with ${n.name} (${n.host})${isLeader ? ' — the leader, last' : ''}`,
    does: [
      ...add.does,
      isLeader
        ? `${o.name} leads: move leadership to a caught-up new voter first (no election)`
        : `if ${o.name} has become the leader meanwhile, move leadership to a caught-up new voter first`,
      `remove ${o.name} from the cluster`,
      `stop ${o.service} on ${o.host}`,
      `archive ${o.dataDir} on ${o.host} (renamed, never deleted)`,
    ],
    checks: add.checks,
    undoes: [
      `before ${o.name} is removed: remove ${n.name}, stop ${n.service} on ${n.host}, move its data dir aside — the cluster is as before`,
      `after ${o.name} is removed there is no automatic undo: \`ferry rollback\` moves the member back the same careful way`,
    ],
  };
}

export function describeRemove(o: EtcdMember, isLeader: boolean): Words {
  return {
    title: `Remove ${o.name} (${o.host})${isLeader ? ' — the leader, last' : ''}`,
    does: [
      isLeader ? `${o.name} leads: move leadership to a new voter first` : `if ${o.name} leads, move leadership to a new voter first`,
      `remove ${o.name} from the cluster`,
      `stop ${o.service} on ${o.host}`,
      `archive ${o.dataDir} on ${o.host} (renamed, never deleted)`,
    ],
    checks: [...preChecks(), ...healthChecks.map((c) => `after: ${c}`)],
    undoes: ['no automatic undo once removed: `ferry rollback` adds the member back as a learner'],
  };
}
