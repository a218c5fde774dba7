/**
 * Whether a backup holds the cluster (pure; `ferry restore-check`, docs/design/etcd-versions.md): the keys a scratch
 * member restored from it hold, compared with what they must hold —
 *   - v3: the live cluster read at the snapshot's own revision (a point-in-time read, as long as the cluster has
 *     not compacted past it);
 *   - v2: the dump the backup took (one quorum read at its index); the v2 store has no point-in-time reads, so the
 *     live store is compared only while its index is still the dump's.
 * A backup is "verified" only when every store that holds data was restored and matched; a store with data and no
 * backup of it is named as such, never passed over.
 */
import { flattenV2, visitV2, type V2Node } from './v2-store.ts';

/** Up to this many keys are named per kind of difference. */
const EXAMPLES = 5;

export interface KeyDiff {
  /** Keys both sides hold with the same value. */
  readonly same: number;
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly different: readonly string[];
}

/** `expected` (what must be there) against `actual` (what the restored member holds): key → value, exact. */
export function compareKeyMaps(expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): KeyDiff {
  let same = 0;
  const missing: string[] = [];
  const different: string[] = [];
  for (const [k, v] of expected) {
    const got = actual.get(k);
    if (got === undefined) missing.push(k);
    else if (got !== v) different.push(k);
    else same++;
  }
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  return { same, missing, extra, different };
}

export function diffIsEmpty(d: KeyDiff): boolean {
  return d.missing.length === 0 && d.extra.length === 0 && d.different.length === 0;
}

/** `49 keys identical` or `47 identical, 2 missing (/a, /b), 1 different (/c)`. */
export function renderKeyDiff(d: KeyDiff): string {
  if (diffIsEmpty(d)) return `${d.same} key${d.same === 1 ? '' : 's'} identical`;
  const part = (n: string, ks: readonly string[]) => (ks.length === 0 ? [] : [`${ks.length} ${n} (${ks.slice(0, EXAMPLES).join(', ')}${ks.length > EXAMPLES ? ', …' : ''})`]);
  return [`${d.same} identical`, ...part('missing', d.missing), ...part('extra', d.extra), ...part('different', d.different)].join(', ');
}

/** Every dir of a v2 tree, and every key that expires (with a TTL), for the structure the values alone do not show. */
export function describeV2Shape(root: V2Node): { dirs: Set<string>; expiring: Set<string> } {
  const dirs = new Set<string>();
  const expiring = new Set<string>();
  visitV2(root, (n) => {
    if (n.key === undefined) return;
    if (n.dir === true) dirs.add(n.key);
    else if (n.ttl !== undefined) expiring.add(n.key);
  });
  return { dirs, expiring };
}

export interface V2Comparison {
  readonly keys: KeyDiff;
  /** Dirs of the dump the restored store lacks (an empty dir holds no key but is part of the store). */
  readonly missingDirs: readonly string[];
  /** Keys that expire in the dump but not in the restored store (a lease that would never end). */
  readonly lostTtl: readonly string[];
}

export function compareV2(dumped: V2Node, restored: V2Node): V2Comparison {
  const a = describeV2Shape(dumped);
  const b = describeV2Shape(restored);
  return {
    keys: compareKeyMaps(flattenV2(dumped), flattenV2(restored)),
    missingDirs: [...a.dirs].filter((d) => !b.dirs.has(d)),
    lostTtl: [...a.expiring].filter((k) => !b.expiring.has(k)),
  };
}

export function v2ComparisonOk(c: V2Comparison): boolean {
  return diffIsEmpty(c.keys) && c.missingDirs.length === 0 && c.lostTtl.length === 0;
}

/** One line of the verdict. */
export interface BackupCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface BackupVerdict {
  /** Every store that holds data was restored and matched what it must hold. */
  readonly verified: boolean;
  readonly checks: readonly BackupCheck[];
}

export function judgeBackup(checks: readonly BackupCheck[]): BackupVerdict {
  return { verified: checks.length > 0 && checks.every((c) => c.ok), checks };
}
