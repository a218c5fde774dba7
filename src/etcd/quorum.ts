/**
 * The quorum guard: a pure model of what a membership change does to the cluster's failure tolerance, evaluated
 * before every change. It follows Cluster API's `targetEtcdClusterHealthy` ("worst case": a member that has not
 * proven itself counts as unhealthy; docs/design/safety-rules.md §2.8) and is stricter than it in one way: a step is refused when it
 * would take away the last spare failure the cluster had, not only when it would lose quorum.
 *
 * Definitions (learners never count: they do not vote):
 *   quorum(voters)   = floor(voters / 2) + 1
 *   tolerance        = healthyVoters − quorum   (how many more voters may fail before quorum is lost; < 0 = lost)
 *
 * The rule: let `before` be the tolerance now and `after` the tolerance of the worst-case resulting cluster.
 *   - refuse when before < 0                        (quorum already lost, or health unknown: change nothing)
 *   - refuse when after < 0                         (the change itself could lose quorum)
 *   - refuse when after < 1 and before ≥ 1         (the change could leave no failure tolerance when there was some)
 *     (unless the target cluster itself has no spare: shrinking 3 → 1 must pass through 2 voters)
 *   - refuse a change that adds, promotes or removes a voter, or adds a learner, while a voter (other than the
 *     one being removed) is unhealthy: a degraded cluster is not changed further, even where the arithmetic
 *     says the tolerance would not drop (3 voters with one down already tolerate nothing; promoting or removing
 *     then leaves the cluster one failure away from losing quorum throughout). Removing a learner, or the down
 *     voter itself, and moving leadership stay allowed: they are how a step is undone.
 * A plain voter add (what the runbook did by hand) counts the new voter as unhealthy: 3 healthy → 4 voters with
 * 3 healthy has tolerance 0, so it is refused — which is why ferry adds learners — unless the operator allowed it
 * where etcd has no learners (before 3.4): then only that last-spare rule is waived, never the others. A learner add does not change
 * voters. A promotion counts the learner as healthy only when it was observed caught up and answering; otherwise
 * as unhealthy. Growing a one-member cluster (tolerance 0 before) is allowed: there is no spare to lose.
 */

export interface ModelMember {
  readonly id: string;
  readonly name: string;
  readonly isLearner: boolean;
  /** Observed healthy: answers a linearizable read (voters) or status (learners) and is caught up. */
  readonly healthy: boolean;
}

export type Change =
  | { readonly kind: 'add-learner'; readonly peerURL: string }
  | {
      readonly kind: 'add-voter';
      readonly peerURL: string;
      /** The operator allowed voter adds (etcd before 3.4 has no learners): the window without a spare is accepted. */
      readonly consented?: boolean;
    }
  | { readonly kind: 'promote'; readonly id: string; /** The learner was observed caught up and answering. */ readonly verified: boolean }
  | { readonly kind: 'remove'; readonly id: string }
  | { readonly kind: 'move-leader'; readonly toId: string };

export interface Tolerance {
  readonly voters: number;
  readonly healthyVoters: number;
  readonly quorum: number;
  readonly tolerance: number;
}

export interface GuardVerdict {
  readonly allowed: boolean;
  readonly before: Tolerance;
  readonly after: Tolerance;
  /** Why it was refused, or what it costs, in words for the plan and the journal. */
  readonly reason: string;
  /** Names of the voters observed unhealthy before the change (what the operator must bring back). */
  readonly downVoters: readonly string[];
}

export function computeQuorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

export function computeTolerance(members: readonly ModelMember[]): Tolerance {
  const voters = members.filter((m) => !m.isLearner);
  const healthyVoters = voters.filter((m) => m.healthy).length;
  const quorum = computeQuorum(voters.length);
  return { voters: voters.length, healthyVoters, quorum, tolerance: healthyVoters - quorum };
}

/** The worst-case membership after `change`. Pure. */
export function applyChangeWorstCase(members: readonly ModelMember[], change: Change): ModelMember[] {
  switch (change.kind) {
    case 'add-learner':
      return [...members, { id: 'new', name: change.peerURL, isLearner: true, healthy: false }];
    case 'add-voter':
      return [...members, { id: 'new', name: change.peerURL, isLearner: false, healthy: false }];
    case 'promote':
      return members.map((m) =>
        m.id === change.id ? { ...m, isLearner: false, healthy: m.healthy && change.verified } : m,
      );
    case 'remove':
      return members.filter((m) => m.id !== change.id);
    case 'move-leader':
      return [...members];
  }
}

function describe(t: Tolerance): string {
  return `${t.voters} voter${t.voters === 1 ? '' : 's'}, ${t.healthyVoters} healthy, quorum ${t.quorum}, tolerates ${Math.max(t.tolerance, 0)} failure${t.tolerance === 1 ? '' : 's'}${t.tolerance < 0 ? ' (quorum LOST)' : ''}`;
}

/**
 * Evaluate a change against the rule above. Pure.
 * @param targetVoters size of the cluster the migration ends with: when it is 1 or 2 the target itself tolerates no
 *   failure, so a shrink towards it may reach tolerance 0 (the operator chose that size); default: no such allowance.
 */
export function evaluateChange(members: readonly ModelMember[], change: Change, targetVoters?: number): GuardVerdict {
  const spare = targetVoters === undefined ? 1 : Math.min(1, targetVoters - computeQuorum(targetVoters));
  const before = computeTolerance(members);
  const after = computeTolerance(applyChangeWorstCase(members, change));
  const downVoters = members.filter((m) => !m.isLearner && !m.healthy).map((m) => m.name || m.id);
  const verdict = (allowed: boolean, reason: string): GuardVerdict => ({ allowed, before, after, reason, downVoters });
  if (change.kind === 'move-leader') {
    const target = members.find((m) => m.id === change.toId);
    if (target === undefined || target.isLearner || !target.healthy) return verdict(false, 'the new leader must be a healthy voter');
  }
  if (change.kind === 'remove' && members.filter((m) => !m.isLearner).length <= 1 && members.some((m) => m.id === change.id && !m.isLearner)) {
    return verdict(false, 'refusing to remove the last voting member');
  }
  if (before.voters === 0 || before.tolerance < 0) return verdict(false, `quorum is lost or could not be observed: ${describe(before)}`);
  const removed = change.kind === 'remove' ? members.find((m) => m.id === change.id) : undefined;
  const undoing = change.kind === 'move-leader' || (change.kind === 'remove' && (removed === undefined || removed.isLearner));
  const othersDown = members.filter((m) => !m.isLearner && !m.healthy && m.id !== removed?.id).map((m) => m.name || m.id);
  if (!undoing && othersDown.length > 0) {
    return verdict(false, `${othersDown.join(', ')} ${othersDown.length === 1 ? 'is a voter that is' : 'are voters that are'} down: the cluster is degraded (${describe(before)}) and is not changed further until every voter answers`);
  }
  if (after.tolerance < 0) return verdict(false, `in the worst case quorum would be lost: now ${describe(before)}; after ${describe(after)}`);
  const waived = change.kind === 'add-voter' && change.consented === true;
  if (after.tolerance < spare && before.tolerance >= spare) {
    if (waived) return verdict(true, `allowed by the operator (a voter add where etcd has no learners) until the new member has caught up: now ${describe(before)}; worst case after ${describe(after)}`);
    return verdict(false, `the change would leave no failure tolerance: now ${describe(before)}; worst case after ${describe(after)}`);
  }
  return verdict(true, `now ${describe(before)}; worst case after ${describe(after)}`);
}
