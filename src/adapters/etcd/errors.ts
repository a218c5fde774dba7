/**
 * The one place where errors from etcd (through etcd3 / grpc-js) become FerryErrors.
 *
 * etcd3 1.1.2 throws GRPC*Error classes (GRPCFailedPreconditionError, GRPCUnavailableError, ...), not EtcdError, and
 * the class says little: "not leader" and "learner not ready" are both FAILED_PRECONDITION. So we match on the
 * message text, which carries etcd's own error string (etcd 3.4 `api/v3rpc/rpctypes/error.go`), e.g.
 * `9 FAILED_PRECONDITION: etcdserver: can only promote a learner member which is in sync with leader`.
 * Rules are tried in order; more specific texts come before the texts they contain.
 */
import { FerryError, isFerryError, messageOf } from '../../errors.ts';

export const EtcdErrorCode = {
  unhealthyCluster: 'ETCD_UNHEALTHY_CLUSTER',
  learnerNotReady: 'ETCD_LEARNER_NOT_READY',
  memberNotLearner: 'ETCD_MEMBER_NOT_LEARNER',
  tooManyLearners: 'ETCD_TOO_MANY_LEARNERS',
  memberNotFound: 'ETCD_MEMBER_NOT_FOUND',
  peerUrlExists: 'ETCD_PEER_URL_EXISTS',
  notLeader: 'ETCD_NOT_LEADER',
  learnerRpc: 'ETCD_LEARNER_RPC',
  badTransferee: 'ETCD_BAD_TRANSFEREE',
  noSpace: 'ETCD_NOSPACE',
  tls: 'ETCD_TLS',
  auth: 'ETCD_AUTH',
  unavailable: 'ETCD_UNAVAILABLE',
  snapshotCorrupt: 'ETCD_SNAPSHOT_CORRUPT',
  other: 'ETCD_ERROR',
} as const;
export type EtcdErrorCode = (typeof EtcdErrorCode)[keyof typeof EtcdErrorCode];

export interface EtcdErrorContext {
  /** What ferry was doing, e.g. `member promote`. */
  readonly op: string;
  /** The client URL the call went to, when it went to one. */
  readonly endpoint?: string;
  /** The member the call concerns (decimal ID or name). */
  readonly member?: string;
}

interface Rule {
  readonly code: EtcdErrorCode;
  readonly match: RegExp;
  readonly retryable: boolean;
  readonly what: string;
  readonly hint: string;
}

const RULES: readonly Rule[] = [
  {
    code: EtcdErrorCode.unhealthyCluster,
    // `unhealthy cluster`: --strict-reconfig-check refuses membership changes until every voter has been connected
    // for 5 s (etcd's HealthInterval), i.e. right after start and after each change. `not enough started members`
    // is the same check for remove/promote.
    match: /unhealthy cluster|not enough started members/i,
    retryable: true,
    what: 'etcd refused the membership change because the cluster is not yet healthy enough (strict reconfig check)',
    hint: 'Retry in a few seconds: etcd allows a change once every voter has been connected for 5 s. If it persists, a voting member is down; start it or remove it first.',
  },
  {
    code: EtcdErrorCode.learnerNotReady,
    match: /can only promote a learner member which is in sync with leader/i,
    retryable: true,
    what: 'the learner has not caught up with the leader yet (or is not running)',
    hint: 'Make sure the new member is started, wait until its applied index reaches the leader\'s raft index, then retry.',
  },
  {
    code: EtcdErrorCode.memberNotLearner,
    match: /can only promote a learner member/i,
    retryable: false,
    what: 'the member is not a learner (it is probably already a voter)',
    hint: 'Check `member list`: if the member is already a voter, the promotion has been done.',
  },
  {
    code: EtcdErrorCode.tooManyLearners,
    match: /too many learner members/i,
    retryable: false,
    what: 'the cluster already has a learner (etcd 3.4 allows one at a time)',
    hint: 'Promote or remove the existing learner (see `member list`) before adding another.',
  },
  {
    code: EtcdErrorCode.memberNotFound,
    match: /member (ID )?not found/i,
    retryable: false,
    what: 'no such member in the cluster',
    hint: 'Re-read `member list`: the member may already have been removed, or the ID is wrong.',
  },
  {
    code: EtcdErrorCode.peerUrlExists,
    // etcd derives a new member's ID from its peer URLs, the cluster token and the time in seconds, so adding the
    // same peer URL twice within a second fails with `member ID already exist` instead (seen on 3.4.23).
    match: /peer ?URLs? already exists?|member ID already exists?/i,
    retryable: false,
    what: 'a member with this peer URL is already in the cluster',
    hint: 'Find it in `member list` by peer URL and reuse it (it may be an unstarted learner from an earlier attempt).',
  },
  {
    code: EtcdErrorCode.learnerRpc,
    match: /rpc not supported for learner/i,
    retryable: false,
    what: 'the endpoint is a learner, which serves only status and serializable reads',
    hint: 'Send this request to a voting member\'s endpoint, or promote the learner first.',
  },
  {
    code: EtcdErrorCode.badTransferee,
    match: /bad leader transferee/i,
    retryable: false,
    what: 'etcd cannot move leadership to that member (unknown, a learner, or not a voter)',
    hint: 'Move leadership only to a started, promoted voting member.',
  },
  {
    code: EtcdErrorCode.notLeader,
    match: /\bnot leader\b/i,
    retryable: true,
    what: 'the endpoint is not the leader',
    hint: 'Find the current leader with endpoint status and send the request to its endpoint.',
  },
  {
    code: EtcdErrorCode.noSpace,
    match: /database space exceeded|NOSPACE/i,
    retryable: false,
    what: 'etcd is out of space (NOSPACE alarm)',
    hint: 'Compact and defragment, then `etcdctl alarm disarm`; or raise --quota-backend-bytes.',
  },
  {
    code: EtcdErrorCode.tls,
    match: /certificate|\bSSL\b|\bTLS\b|handshake|wrong version number|ERR_SSL/i,
    retryable: false,
    what: 'the TLS connection failed',
    hint: 'Check the CA, client certificate and key given for etcd, and that the endpoint scheme (http/https) matches the server.',
  },
  {
    code: EtcdErrorCode.auth,
    match: /permission denied|PERMISSION_DENIED|UNAUTHENTICATED|authentication failed|invalid auth token|user name (is empty|not found)|auth(entication)? is not enabled/i,
    retryable: false,
    what: 'etcd refused the credentials or permissions',
    hint: 'Use a client certificate / user with root role on this etcd cluster.',
  },
  {
    code: EtcdErrorCode.unavailable,
    match:
      /leader changed|no leader|timed out|deadline|UNAVAILABLE|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|No connection established|connection (dropped|closed|lost|reset)|server stopped|too many requests|CANCELLED|circuit breaker|has been closed/i,
    retryable: true,
    what: 'etcd is not reachable or did not answer in time',
    hint: 'Check that the member is running and listening on this address; retry once it answers `endpoint status`.',
  },
];

const FALLBACK: Rule = {
  code: EtcdErrorCode.other,
  match: /.*/,
  retryable: false,
  what: 'etcd returned an error',
  hint: 'Read the etcd error above and the member\'s log.',
};

/** Which rule a raw error message falls under. Exported for tests and for callers that only have text. */
export function classifyEtcdMessage(message: string): { code: EtcdErrorCode; retryable: boolean } {
  const rule = RULES.find((r) => r.match.test(message)) ?? FALLBACK;
  return { code: rule.code, retryable: rule.retryable };
}

/** Turn anything thrown by etcd3 / grpc-js into a FerryError. FerryErrors pass through unchanged. */
export function translateEtcdError(err: unknown, context: EtcdErrorContext): FerryError {
  if (isFerryError(err)) return err;
  const raw = messageOf(err);
  const rule = RULES.find((r) => r.match.test(raw)) ?? FALLBACK;
  return new FerryError(rule.code, `${describeCall(context)} failed: ${rule.what} [${raw}]`, {
    hint: rule.hint,
    retryable: rule.retryable,
    subjects: subjectsOf(context),
    cause: err,
  });
}

/** `etcd member promote via http://127.0.10.21:4012 for member 4264596588876168163` */
export function describeCall(context: EtcdErrorContext): string {
  const via = context.endpoint === undefined ? 'via the cluster endpoints' : `via ${context.endpoint}`;
  const member = context.member === undefined ? '' : ` for member ${context.member}`;
  return `etcd ${context.op} ${via}${member}`;
}

export function subjectsOf(context: EtcdErrorContext): Record<string, string> {
  const subjects: Record<string, string> = {};
  if (context.endpoint !== undefined) subjects['endpoint'] = context.endpoint;
  if (context.member !== undefined) subjects['member'] = context.member;
  return subjects;
}
