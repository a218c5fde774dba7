/**
 * Which etcd versions ferry moves, and why (pure). Every member answers `GET /version` with
 * `{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}` (2.x too: `{"etcdserver":"2.3.1","etcdcluster":"2.3.0"}`), so the
 * version is known before anything else is asked of the cluster, and a cluster ferry cannot move is refused with
 * the reason rather than with a health verdict that does not fit it (etcd 3.3 reports no applied index; 2.x has no
 * v3 API at all).
 */

export interface EtcdVersion {
  /** The member's own version, e.g. 3.4.23. */
  readonly server: string;
  /** The version the cluster runs at (the lowest of its members', major.minor.0), e.g. 3.4.0. */
  readonly cluster: string;
}

/** What one member said, or why it could not be asked. */
export interface EtcdVersionReading {
  readonly member: string;
  readonly clientURL: string;
  readonly version?: EtcdVersion;
  readonly error?: string;
}

/** The oldest etcd ferry moves: learners (3.4) for the careful add, and `raftAppliedIndex` for catch-up and the gates. */
export const MIN_ETCD_VERSION = '3.4.0';

/** `GET /version`'s answer, or undefined when it is not one. */
export function parseEtcdVersionAnswer(body: unknown): EtcdVersion | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { etcdserver, etcdcluster } = body as Record<string, unknown>;
  if (typeof etcdserver !== 'string' || parseVersion(etcdserver) === undefined) return undefined;
  // A member that has not joined a cluster yet says "not_decided".
  return { server: etcdserver, cluster: typeof etcdcluster === 'string' ? etcdcluster : 'not_decided' };
}

function parseVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Negative when a is older than b, 0 when equal, positive when newer; versions that do not parse count as oldest. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a) ?? [-1, 0, 0];
  const y = parseVersion(b) ?? [-1, 0, 0];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Why ferry cannot move a cluster at this version yet. */
export function explainUnsupportedVersion(version: string): string {
  const major = parseVersion(version)?.[0];
  if (major === 2) {
    return 'etcd 2.x has no v3 API: no learners, no leadership transfer, and its data lives in the v2 store, which a v3 snapshot does not hold';
  }
  return 'etcd before 3.4 has no learners (a new member can only join as a voter, which ferry\'s quorum guard does not allow) and reports no applied index for the catch-up and health gates';
}

/** The readings of members older than {@link MIN_ETCD_VERSION} (by their own or by their cluster's version). */
export function findUnsupportedVersions(readings: readonly EtcdVersionReading[]): EtcdVersionReading[] {
  return readings.filter(
    (r) => r.version !== undefined && (compareVersions(r.version.server, MIN_ETCD_VERSION) < 0 || (r.version.cluster !== 'not_decided' && compareVersions(r.version.cluster, MIN_ETCD_VERSION) < 0)),
  );
}

/** `domeosEtcd1 2.3.1 (cluster 2.3.0)`. */
export function renderVersionReading(r: EtcdVersionReading): string {
  if (r.version === undefined) return `${r.member} (${r.clientURL}): ${r.error ?? 'no answer'}`;
  return `${r.member} ${r.version.server} (cluster ${r.version.cluster})`;
}

/** The plan's note on versions: each member that answered, and those that did not (new members not started yet). */
export function renderVersionsNote(readings: readonly EtcdVersionReading[]): string {
  const answered = readings.filter((r) => r.version !== undefined).map(renderVersionReading);
  const silent = readings.filter((r) => r.version === undefined).map((r) => r.member);
  return `etcd versions (GET /version): ${answered.join(', ') || 'no member answered'}${silent.length > 0 ? `; not answering: ${silent.join(', ')}` : ''}`;
}
