/**
 * `etcd.snapshot`: a verified snapshot before the first change (etcd-manager's rule, docs/design/safety-rules.md §2.3), kept in the
 * run folder as the way back if everything else fails. A v3 snapshot holds no key of the v2 store (where DomeOS keeps
 * flannel's network and skydns' records, src/etcd/v2-store.ts), so when the members serve the v2 API its whole tree
 * is dumped beside the snapshot, from the same leader, by a quorum read. Then the backup is restored into a scratch
 * member on ferry's machine and compared with the live cluster (`ferry restore-check`): only a backup that restores
 * and holds what the cluster held is called verified; one that does not stops the run before its first change.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { FerryError, messageOf } from '../../errors.ts';
import type { BackupVerdict } from '../../etcd/backup-compare.ts';
import { readEtcdState, requireLeader } from '../../observe/etcd.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepContext, StepHandler } from '../../run/step-context.ts';

async function sha256OfFile(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The v2 dump the journal recorded is on disk as written; true when the members serve no v2 API (nothing to dump). */
async function v2DumpIntact(recorded: Record<string, unknown> | undefined): Promise<boolean> {
  if (recorded === undefined) return false;
  if (typeof recorded['path'] !== 'string') return recorded['v2'] === 'no v2 API';
  return (await sha256OfFile(recorded['path'])) === recorded['sha256'];
}

/**
 * Restore the backup into a scratch member and compare it with the live cluster (deps.checkBackup); journaled as
 * `restore-check` with its verdict. Without etcd on this machine it says so and the backup is not called verified.
 */
async function restoreCheck(ctx: StepContext, snap: string, dump: string | undefined): Promise<void> {
  const previous = ctx.actionResult('restore-check');
  if (previous?.['verified'] === true && previous['snapshot'] === snap && previous['v2Dump'] === (dump ?? null)) {
    ctx.skip('restore-check', 'the backup was already restored and compared');
    return;
  }
  const check = ctx.deps.checkBackup;
  if (check === undefined) return;
  // A check that cannot be made (the restore failed) is a verdict too, recorded, so that a resume takes a new backup.
  const run = async (): Promise<BackupVerdict | undefined> => {
    try {
      return await check(snap, dump);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      return { verified: false, checks: [{ name: 'backup restores', ok: false, detail: messageOf(err) }] };
    }
  };
  const verdict = await ctx.action('restore-check', { snapshot: snap, ...(dump !== undefined ? { v2Dump: dump } : {}) }, run, (v) =>
    v === undefined
      ? { verified: null, snapshot: snap, v2Dump: dump ?? null, summary: 'no usable etcd on this machine' }
      : { verified: v.verified, snapshot: snap, v2Dump: dump ?? null, summary: v.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('; ') },
  );
  if (verdict === undefined) {
    ctx.note('the backup was not restore-checked: this machine has no etcd 3.3–3.5 with etcdctl in /usr/bin to restore it into a scratch member; `ferry restore-check --run` does it where they are');
    return;
  }
  if (!verdict.verified) {
    const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ');
    throw new FerryError('ETCD_BACKUP_NOT_VERIFIED', `the backup does not hold what the cluster holds: ${failed}`, {
      retryable: true,
      hint: 'nothing was changed yet. `ferry restore-check --run RUN` shows every check; `ferry resume` takes the backup again',
    });
  }
}

/** How long the precheck waits for the members to agree on a leader. */
const LEADER_SETTLE_MS = 10_000;

export const snapshotHandler: StepHandler<StepOf<'etcd.snapshot'>> = {
  async precheck(_step, ctx) {
    // An election in progress (members briefly naming different leaders) settles within an election timeout or
    // two, and a call that timed out may only have met a busy member: look again for a few seconds before refusing
    // the whole run.
    const deadline = ctx.deps.now() + LEADER_SETTLE_MS;
    for (;;) {
      try {
        requireLeader(await readEtcdState(ctx.deps.etcd));
        return;
      } catch (err) {
        if (!(err instanceof FerryError) || !err.retryable || ctx.deps.now() >= deadline) throw err;
      }
      await ctx.deps.sleep(250, ctx.signal);
    }
  },
  async apply(_step, ctx) {
    const done = ctx.actionResult('save-snapshot');
    const snapshotIntact = done !== undefined && typeof done['path'] === 'string' && (await sha256OfFile(done['path'])) === done['sha256'];
    const dumpIntact = await v2DumpIntact(ctx.actionResult('dump-v2-store'));
    // A backup that was restore-checked and not verified is taken again (the check stopped the run before).
    const failedCheck = ctx.actionResult('restore-check')?.['verified'] === false;
    if (snapshotIntact && dumpIntact && !failedCheck) {
      ctx.skip('save-snapshot', `already saved to ${String(done['path'])}`);
      const dumped = ctx.actionResult('dump-v2-store')?.['path'];
      await restoreCheck(ctx, String(done['path']), typeof dumped === 'string' ? dumped : undefined);
      return;
    }
    if (!snapshotIntact && done !== undefined && typeof done['path'] === 'string') ctx.note(`the snapshot recorded at ${done['path']} is missing or changed: taking a new one`);
    if (failedCheck) ctx.note('the backup taken before was not verified: taking a new one');
    const state = await readEtcdState(ctx.deps.etcd);
    const leaderId = requireLeader(state);
    const endpoint = state.members.find((m) => m.id === leaderId)?.clientURLs[0];
    if (endpoint === undefined) throw new FerryError('ETCD_NO_LEADER_URL', 'the leader has no client URL', {});
    const stamp = ctx.deps.now();
    const retake = !snapshotIntact || failedCheck;
    const snapshotPath = retake ? join(ctx.runDir, 'snapshots', `etcd-before-${stamp}.db`) : String(done['path']);
    if (retake) {
      await ctx.action('save-snapshot', { endpoint }, () => ctx.deps.etcd.saveSnapshot(endpoint, snapshotPath), (info) => ({ ...info }));
    } else ctx.skip('save-snapshot', `already saved to ${String(done['path'])}`);
    const dumpPath = join(ctx.runDir, 'snapshots', `etcd-v2-before-${stamp}.json`);
    const dumped = await ctx.action('dump-v2-store', { endpoint }, () => ctx.deps.etcd.saveV2Dump(endpoint, dumpPath), (info) => (info === undefined ? { v2: 'no v2 API' } : { ...info }));
    await restoreCheck(ctx, snapshotPath, dumped?.path);
  },
  async verify(_step, ctx) {
    const r = ctx.actionResult('save-snapshot');
    const path = r?.['path'];
    if (typeof path !== 'string') throw new FerryError('ETCD_SNAPSHOT_MISSING', 'no snapshot was recorded', { hint: 'ferry resume takes it again' });
    const sha = await sha256OfFile(path);
    const ok = sha === r?.['sha256'];
    const v2 = ctx.actionResult('dump-v2-store');
    const v2ok = await v2DumpIntact(v2);
    const restored = ctx.actionResult('restore-check');
    const restoredOk = restored === undefined || restored['verified'] !== false;
    ctx.gate(ok && v2ok && restoredOk, [
      { name: 'snapshot file intact', ok, detail: ok ? `${path} sha256 ${(sha ?? '').slice(0, 16)}… revision ${String(r?.['revision'])}` : `sha256 ${sha} ≠ recorded ${String(r?.['sha256'])}` },
      {
        name: 'v2 store dumped',
        ok: v2ok,
        detail: v2 === undefined ? 'no dump was recorded' : typeof v2['path'] !== 'string' ? 'the members serve no v2 API: no v2 store to dump' : v2ok ? `${v2['path']}: ${String(v2['keys'])} keys in ${String(v2['dirs'])} dirs at index ${String(v2['index'])}, sha256 ${String(v2['sha256']).slice(0, 16)}…` : `${v2['path']} does not match its recorded sha256`,
      },
      {
        name: 'backup restores and matches the live cluster',
        ok: restoredOk,
        detail: restored === undefined ? 'not restore-checked: this machine has no etcd 3.3–3.5 with etcdctl in /usr/bin to restore it with (run `ferry restore-check` where they are)' : String(restored['summary']),
      },
    ]);
    if (!ok) throw new FerryError('ETCD_SNAPSHOT_CORRUPT', `snapshot ${path} does not match its recorded sha256`, { hint: 'disk trouble on this machine? `ferry resume` takes a new snapshot' });
    if (!v2ok) throw new FerryError('ETCD_SNAPSHOT_CORRUPT', `the v2 store's dump ${String(v2?.['path'] ?? '(none recorded)')} is missing or does not match its recorded sha256`, { hint: 'disk trouble on this machine? `ferry resume` takes a new snapshot and dump' });
  },
  // A backup that does not restore, or lacks what the cluster holds, is no way back: stop before the first change.
  async rollback() {
    // Nothing to undo: the snapshot stays as the way back.
  },
};
