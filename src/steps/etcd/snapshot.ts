/**
 * `etcd.snapshot`: a verified snapshot before the first change (etcd-manager's rule, peers.md §2.3), kept in the
 * run folder as the way back if everything else fails.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { FerryError } from '../../errors.ts';
import { readEtcdState, requireLeader } from '../../etcd/observe.ts';
import type { Step } from '../../plan/types.ts';
import type { StepHandler } from '../../run/step-context.ts';

type SnapshotStep = Extract<Step, { kind: 'etcd.snapshot' }>;

export const snapshotHandler: StepHandler<SnapshotStep> = {
  async precheck(_step, ctx) {
    requireLeader(await readEtcdState(ctx.deps.etcd));
  },
  async apply(_step, ctx) {
    const done = ctx.actionResult('save-snapshot');
    if (done !== undefined && typeof done['path'] === 'string') {
      ctx.skip('save-snapshot', `already saved to ${done['path']}`);
      return;
    }
    const state = await readEtcdState(ctx.deps.etcd);
    const leaderId = requireLeader(state);
    const endpoint = state.members.find((m) => m.id === leaderId)?.clientURLs[0];
    if (endpoint === undefined) throw new FerryError('ETCD_NO_LEADER_URL', 'the leader has no client URL', {});
    const path = join(ctx.runDir, 'snapshots', 'etcd-before.db');
    await ctx.action('save-snapshot', { endpoint }, () => ctx.deps.etcd.saveSnapshot(endpoint, path), (info) => ({ ...info }));
  },
  async verify(_step, ctx) {
    const r = ctx.actionResult('save-snapshot');
    const path = r?.['path'];
    if (typeof path !== 'string') throw new FerryError('ETCD_SNAPSHOT_MISSING', 'no snapshot was recorded', { hint: 'ferry resume takes it again' });
    const sha = createHash('sha256').update(await readFile(path)).digest('hex');
    const ok = sha === r?.['sha256'];
    ctx.gate(ok, [{ name: 'snapshot file intact', ok, detail: ok ? `${path} sha256 ${sha.slice(0, 16)}… revision ${String(r?.['revision'])}` : `sha256 ${sha} ≠ recorded ${String(r?.['sha256'])}` }]);
    if (!ok) throw new FerryError('ETCD_SNAPSHOT_CORRUPT', `snapshot ${path} does not match its recorded sha256`, { hint: 'disk trouble on this machine? ferry rollback, then plan again' });
  },
  async rollback() {
    // Nothing to undo: the snapshot stays as the way back.
  },
};
