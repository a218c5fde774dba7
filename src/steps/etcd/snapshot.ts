/**
 * `etcd.snapshot`: a verified snapshot before the first change (etcd-manager's rule, docs/design/safety-rules.md §2.3), kept in the
 * run folder as the way back if everything else fails.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { FerryError } from '../../errors.ts';
import { readEtcdState, requireLeader } from '../../observe/etcd.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';

async function sha256OfFile(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return undefined;
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
    if (done !== undefined && typeof done['path'] === 'string') {
      if ((await sha256OfFile(done['path'])) === done['sha256']) {
        ctx.skip('save-snapshot', `already saved to ${done['path']}`);
        return;
      }
      ctx.note(`the snapshot recorded at ${done['path']} is missing or changed: taking a new one`);
    }
    const state = await readEtcdState(ctx.deps.etcd);
    const leaderId = requireLeader(state);
    const endpoint = state.members.find((m) => m.id === leaderId)?.clientURLs[0];
    if (endpoint === undefined) throw new FerryError('ETCD_NO_LEADER_URL', 'the leader has no client URL', {});
    const path = join(ctx.runDir, 'snapshots', `etcd-before-${ctx.deps.now()}.db`);
    await ctx.action('save-snapshot', { endpoint }, () => ctx.deps.etcd.saveSnapshot(endpoint, path), (info) => ({ ...info }));
  },
  async verify(_step, ctx) {
    const r = ctx.actionResult('save-snapshot');
    const path = r?.['path'];
    if (typeof path !== 'string') throw new FerryError('ETCD_SNAPSHOT_MISSING', 'no snapshot was recorded', { hint: 'ferry resume takes it again' });
    const sha = await sha256OfFile(path);
    const ok = sha === r?.['sha256'];
    ctx.gate(ok, [{ name: 'snapshot file intact', ok, detail: ok ? `${path} sha256 ${(sha ?? '').slice(0, 16)}… revision ${String(r?.['revision'])}` : `sha256 ${sha} ≠ recorded ${String(r?.['sha256'])}` }]);
    if (!ok) throw new FerryError('ETCD_SNAPSHOT_CORRUPT', `snapshot ${path} does not match its recorded sha256`, { hint: 'disk trouble on this machine? `ferry resume` takes a new snapshot' });
  },
  async rollback() {
    // Nothing to undo: the snapshot stays as the way back.
  },
};
