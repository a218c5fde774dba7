/**
 * `ferry restore-check`: is a backup good enough to bring the cluster back? The v3 snapshot is checked as a file
 * (etcd's sha256 trailer, `etcdctl snapshot status`), restored into a scratch member on this machine
 * (src/adapters/etcd/scratch-member.ts), and its every key and value compared with the live cluster read at the
 * snapshot's own revision; the v2 dump is written into the same scratch member and read back, and compared with the
 * live v2 store while that is still at the dump's index. The rules of the verdict are src/etcd/backup-compare.ts:
 * "verified" only when every store holding data was restored and matched.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Etcd3Admin } from '../adapters/etcd/client.ts';
import { loadV2Tree, startScratchMember } from '../adapters/etcd/scratch-member.ts';
import { verifySnapshotFile } from '../adapters/etcd/snapshot-file.ts';
import { readV2Store } from '../adapters/etcd/v2-dump.ts';
import { compareKeyMaps, compareV2, diffIsEmpty, judgeBackup, renderKeyDiff, v2ComparisonOk, type BackupCheck, type BackupVerdict } from '../etcd/backup-compare.ts';
import { countV2, flattenV2, listV2Keys, parseV2Answer, type V2Node, type V2Store } from '../etcd/v2-store.ts';
import { FerryError, inputError, messageOf } from '../errors.ts';
import type { EtcdAdmin } from '../ports/etcd.ts';

export interface RestoreCheckInput {
  readonly snapshot: string;
  readonly v2Dump?: string;
  /** The live cluster to compare with, and its client URLs (for the v2 store); absent: compared with nothing live. */
  readonly live?: { readonly admin: EtcdAdmin; readonly endpoints: readonly string[] };
  /** sha256 the run recorded for the files, when they come from a run. */
  readonly expected?: { readonly snapshotSha256?: string; readonly v2DumpSha256?: string };
  /** Folder of the etcd and etcdctl that restore and run the scratch member. */
  readonly binDir: string;
  readonly timeoutMs: number;
  readonly log?: (line: string) => void;
}

export interface RestoreCheckReport extends BackupVerdict {
  readonly snapshot: string;
  readonly v2Dump?: string;
  /** What the scratch member held once restored. */
  readonly restored?: { readonly revision: string; readonly v3Keys: number; readonly v2Keys?: number };
}

interface DumpFile {
  readonly index: string;
  readonly root: V2Node;
  readonly sha256: string;
}

async function readDumpFile(path: string): Promise<DumpFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw inputError('RESTORE_CHECK_INPUT', `cannot read the v2 dump ${path}: ${messageOf(err)}`, { subjects: { file: path }, hint: 'give the etcd-v2-before-*.json file of a run folder’s snapshots/' });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const d = data as { kind?: unknown; index?: unknown; root?: unknown } | undefined;
  const root = d?.kind === 'ferry-etcd-v2-dump' && typeof d.index === 'string' ? parseV2Answer({ node: d.root }) : undefined;
  if (root === undefined) {
    throw inputError('RESTORE_CHECK_INPUT', `${path} is not a v2 dump ferry wrote`, { subjects: { file: path }, hint: 'give the etcd-v2-before-*.json file of a run folder’s snapshots/' });
  }
  return { index: d?.index as string, root, sha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * The live v2 store from the first endpoint that serves it; undefined only when every endpoint that answered serves
 * no v2 API (members upgraded without --enable-v2 may sit beside members that still hold flannel's keys).
 */
async function readLiveV2(live: NonNullable<RestoreCheckInput['live']>): Promise<V2Store | undefined> {
  let last: unknown;
  let answered = false;
  for (const endpoint of live.endpoints) {
    try {
      const store = await live.admin.readV2Store(endpoint);
      answered = true;
      if (store !== undefined) return store;
    } catch (err) {
      last = err;
    }
  }
  if (answered) return undefined;
  throw last instanceof Error ? last : new Error('no endpoint answered');
}

function v3AgainstLive(revision: string, restored: ReadonlyMap<string, string>, liveKeys: ReadonlyMap<string, string>): BackupCheck {
  const diff = compareKeyMaps(liveKeys, restored);
  return { name: `v3 keys match the live cluster at revision ${revision}`, ok: diffIsEmpty(diff), detail: renderKeyDiff(diff) };
}

async function checkV3Live(input: RestoreCheckInput, revision: string, restored: ReadonlyMap<string, string>): Promise<BackupCheck> {
  const name = `v3 keys match the live cluster at revision ${revision}`;
  if (input.live === undefined) return { name: 'v3 keys compared with the live cluster', ok: false, detail: 'not compared: no live cluster was given (-f INVENTORY or --run RUN)' };
  try {
    const live = await input.live.admin.readAllKeys({ revision });
    return v3AgainstLive(revision, restored, live.keys);
  } catch (err) {
    const why = messageOf(err);
    if (/compacted/i.test(why)) return { name, ok: false, detail: `the live cluster has compacted past revision ${revision}: it no longer holds that point in time to compare with` };
    return { name, ok: false, detail: `the live cluster could not be read at revision ${revision}: ${why}` };
  }
}

async function checkV2(input: RestoreCheckInput, dump: DumpFile | undefined, scratchURL: string): Promise<{ checks: BackupCheck[]; v2Keys?: number }> {
  const checks: BackupCheck[] = [];
  let liveV2: V2Store | undefined;
  let liveError: string | undefined;
  if (input.live !== undefined) liveV2 = await readLiveV2(input.live).catch((err: unknown) => ((liveError = messageOf(err)), undefined));
  if (dump === undefined) {
    if (input.live === undefined) checks.push({ name: 'v2 store backed up', ok: false, detail: 'unknown: no v2 dump and no live cluster to say whether the v2 store holds data' });
    else if (liveError !== undefined) checks.push({ name: 'v2 store backed up', ok: false, detail: `the live v2 store could not be read: ${liveError}` });
    else if (liveV2 === undefined || countV2(liveV2.root).keys === 0) checks.push({ name: 'v2 store backed up', ok: true, detail: liveV2 === undefined ? 'the members serve no v2 API: nothing to back up' : 'the live v2 store holds no key' });
    else {
      const c = countV2(liveV2.root);
      checks.push({ name: 'v2 store backed up', ok: false, detail: `the live v2 store holds ${c.keys} keys in ${c.dirs} dirs and this backup has no v2 dump: restoring it would lose them (give --v2-dump DUMP)` });
    }
    return { checks };
  }
  await loadV2Tree(scratchURL, dump.root, input.timeoutMs);
  const back = await readV2Store(scratchURL, undefined, input.timeoutMs);
  if (back === undefined) throw new FerryError('RESTORE_CHECK_V2_LOAD_FAILED', 'the scratch member serves no v2 API', {});
  const cmp = compareV2(dump.root, back.root);
  const extra = [...(cmp.missingDirs.length > 0 ? [`${cmp.missingDirs.length} dirs missing (${cmp.missingDirs.slice(0, 5).join(', ')})`] : []), ...(cmp.lostTtl.length > 0 ? [`${cmp.lostTtl.length} keys lost their TTL`] : [])];
  const counts = countV2(dump.root);
  checks.push({ name: 'v2 dump restores', ok: v2ComparisonOk(cmp), detail: `${renderKeyDiff(cmp.keys)}${extra.length > 0 ? `; ${extra.join('; ')}` : ''} (${counts.dirs} dirs${cmp.lostTtl.length === 0 ? ', TTLs kept' : ''})` });
  if (input.live !== undefined) {
    if (liveError !== undefined) checks.push({ name: 'v2 dump matches the live store', ok: false, detail: `the live v2 store could not be read: ${liveError}` });
    else if (liveV2 === undefined) checks.push({ name: 'v2 dump matches the live store', ok: false, detail: 'the live members serve no v2 API, yet the backup has a v2 dump: is this the backup of another cluster?' });
    else if (liveV2.index === dump.index) {
      const diff = compareKeyMaps(flattenV2(liveV2.root), flattenV2(dump.root));
      checks.push({ name: `v2 dump matches the live store (index ${dump.index}, unchanged since the dump)`, ok: diffIsEmpty(diff), detail: renderKeyDiff(diff) });
    } else {
      // The v2 store keeps no history to read at the dump's index, but every live key remembers when it last
      // changed: one unchanged since the dump (modifiedIndex ≤ its index) must be in the dump as it is now.
      const dumped = flattenV2(dump.root);
      const unchanged = listV2Keys(liveV2.root).filter((n) => (n.modifiedIndex ?? Number.POSITIVE_INFINITY) <= Number(dump.index));
      const wrong = unchanged.filter((n) => dumped.get(n.key as string) !== (n.value ?? ''));
      checks.push({
        name: 'v2 dump matches the live store',
        ok: wrong.length === 0,
        detail:
          wrong.length === 0
            ? `${unchanged.length === 1 ? 'the one live key' : `all ${unchanged.length} live keys`} unchanged since the dump (index ${dump.index}; the store is at ${liveV2.index} now) ${unchanged.length === 1 ? 'is' : 'are'} in it as they are`
            : `${wrong.length} live key${wrong.length === 1 ? '' : 's'} unchanged since the dump (index ${dump.index}) ${wrong.length === 1 ? 'is' : 'are'} missing from it or different: ${wrong.slice(0, 5).map((n) => n.key).join(', ')}`,
      });
    }
  }
  return { checks, v2Keys: counts.keys };
}

export async function runRestoreCheck(input: RestoreCheckInput): Promise<RestoreCheckReport> {
  const log = input.log ?? (() => undefined);
  const checks: BackupCheck[] = [];
  const base = { snapshot: input.snapshot, ...(input.v2Dump !== undefined ? { v2Dump: input.v2Dump } : {}) };
  const dump = input.v2Dump === undefined ? undefined : await readDumpFile(input.v2Dump);
  try {
    const file = await verifySnapshotFile(input.snapshot);
    const status = file.verified.etcdctlStatus;
    checks.push({ name: 'snapshot file intact', ok: true, detail: `sha256 ${file.sha256.slice(0, 16)}…, etcd's own sha256 trailer matches${status !== undefined ? `; etcdctl snapshot status: revision ${status.revision}, ${status.totalKeys} key entries` : ''}` });
    if (input.expected?.snapshotSha256 !== undefined) {
      const same = input.expected.snapshotSha256 === file.sha256;
      checks.push({ name: 'snapshot is the one the run took', ok: same, detail: same ? 'sha256 as recorded in the journal' : `sha256 ${file.sha256} ≠ recorded ${input.expected.snapshotSha256}` });
    }
  } catch (err) {
    checks.push({ name: 'snapshot file intact', ok: false, detail: messageOf(err) });
    return { ...base, ...judgeBackup(checks) };
  }
  if (dump !== undefined && input.expected?.v2DumpSha256 !== undefined) {
    const same = input.expected.v2DumpSha256 === dump.sha256;
    checks.push({ name: 'v2 dump is the one the run took', ok: same, detail: same ? 'sha256 as recorded in the journal' : `sha256 ${dump.sha256} ≠ recorded ${input.expected.v2DumpSha256}` });
  }
  log(`restoring ${input.snapshot} into a scratch member (${input.binDir}/etcd on 127.0.0.1)`);
  const scratch = await startScratchMember(input.snapshot, { binDir: input.binDir, timeoutMs: input.timeoutMs });
  const admin = new Etcd3Admin({ endpoints: [scratch.clientURL], callTimeoutMs: input.timeoutMs });
  try {
    // The member that answers must be the one restored here (no other program took its port in between).
    const members = await admin.memberList();
    if (members.length !== 1 || members[0]?.name !== 'scratch') {
      throw new FerryError('RESTORE_CHECK_RESTORE_FAILED', `${scratch.clientURL} is answered by another etcd (members: ${members.map((m) => m.name).join(', ')}), not the scratch member`, { hint: 'run the check again' });
    }
    const restored = await admin.readAllKeys();
    checks.push({ name: 'snapshot restores', ok: true, detail: `a scratch member restored from it holds ${restored.keys.size} v3 keys at revision ${restored.revision}` });
    log(`restored: ${restored.keys.size} v3 keys at revision ${restored.revision}; comparing`);
    checks.push(await checkV3Live(input, restored.revision, restored.keys));
    const v2 = await checkV2(input, dump, scratch.clientURL);
    checks.push(...v2.checks);
    return { ...base, restored: { revision: restored.revision, v3Keys: restored.keys.size, ...(v2.v2Keys !== undefined ? { v2Keys: v2.v2Keys } : {}) }, ...judgeBackup(checks) };
  } finally {
    await admin.close();
    await scratch.stop();
  }
}
