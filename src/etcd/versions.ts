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

/** From this version members join as learners and report `raftAppliedIndex` (src/etcd/method.ts). */
export const LEARNER_VERSION = '3.4.0';
/** The oldest etcd ferry moves: 3.3 has leadership transfer (MoveLeader) and the v3 API; it joins members as voters. */
export const MIN_ETCD_VERSION = '3.3.0';

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

/** `3.3` of `3.3.25`. */
export function minorOf(version: string): string {
  const v = parseVersion(version);
  return v === undefined ? version : `${v[0]}.${v[1]}`;
}

/** Why ferry cannot move a cluster at this version. */
export function explainUnsupportedVersion(version: string): string {
  const major = parseVersion(version)?.[0];
  if (major === 2) {
    return 'etcd 2.x has no v3 API: ferry reads and changes membership through the v3 API, and the v2-only path (members, stats and keys over /v2) is not built yet';
  }
  return 'etcd 3.0–3.2 has neither learners nor leadership transfer (MoveLeader came in 3.3): every add would be a voter add and removing the leader would force an election, which ferry does not do yet';
}

/** The lowest version a reading shows: its member's own, or its cluster's when that is lower (and decided). */
export function lowestVersionOf(r: EtcdVersionReading): string | undefined {
  if (r.version === undefined) return undefined;
  const { server, cluster } = r.version;
  return cluster !== 'not_decided' && compareVersions(cluster, server) < 0 ? cluster : server;
}

/** The lowest version any answering member shows (what the cluster as a whole can do), or undefined if none answered. */
export function lowestClusterVersion(readings: readonly EtcdVersionReading[]): string | undefined {
  let lowest: string | undefined;
  for (const r of readings) {
    const v = lowestVersionOf(r);
    if (v !== undefined && (lowest === undefined || compareVersions(v, lowest) < 0)) lowest = v;
  }
  return lowest;
}

/** The readings of members older than `min` (by their own or by their cluster's version). */
export function findUnsupportedVersions(readings: readonly EtcdVersionReading[], min: string = MIN_ETCD_VERSION): EtcdVersionReading[] {
  return readings.filter((r) => {
    const v = lowestVersionOf(r);
    return v !== undefined && compareVersions(v, min) < 0;
  });
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
