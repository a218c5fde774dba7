/**
 * `master.start-new` (runbook phase 4): the new master, configured like the old one but on the ALL-NEW etcd list,
 * starts everything except the scheduler and the controller (start_master_centos_for_migrate.sh). Its gate: it
 * answers /healthz and shows exactly the nodes and objects the old apiserver held.
 * Rollback (the words): stop the new master and start the old master's services again.
 */
import { FerryError } from '../../errors.ts';
import type { Host } from '../../ports/host.ts';
import { compareCensus } from '../../kube/census.ts';
import { type Census } from '../../kube/census.ts';
import { buildNewMasterFile, MASTER_STOP_ORDER, MASTER_SYSCONFIG_FILES, MASTER_UNITS, NEW_MASTER_FIRST_UNITS, unitFileCandidates, type FileChange } from '../../master/files.ts';
import type { StepOf } from '../../plan/types.ts';
import type { StepContext, StepHandler } from '../../run/step-context.ts';
import { pollUntil } from '../../util/retry.ts';
import { requireActive, startUnits, stopUnits, waitHealthz } from './services.ts';

async function findUnitFile(host: Host, unit: string): Promise<{ path: string; text: Buffer } | undefined> {
  for (const path of unitFileCandidates(unit)) {
    const text = await host.readFile(path);
    if (text !== undefined) return { path, text };
  }
  return undefined;
}

/** Units the old master has (a master without flanneld, say, simply has fewer). */
async function presentUnits(host: Host, units: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const u of units) if ((await findUnitFile(host, u)) !== undefined) out.push(u);
  return out;
}

async function writeNewMasterConfig(ctx: StepContext, step: StepOf<'master.start-new'>, oldHost: Host, newHost: Host): Promise<void> {
  const { old, new: n, etcd } = step.params;
  const backupDir = `/var/lib/ferry/backups/${ctx.runId}`;
  const backup = (p: string) => `${backupDir}/${p.replaceAll('/', '_')}`;
  await ctx.action('write-config', { host: n.host, from: old.host }, async () => {
    const changes: FileChange[] = [];
    const written: string[] = [];
    const files: { path: string; backup?: string }[] = [];
    await newHost.mkdir(backupDir, 0o700);
    for (const file of MASTER_SYSCONFIG_FILES) {
      const text = await oldHost.readFile(file);
      if (text === undefined) {
        if (file === '/etc/sysconfig/kube-apiserver') throw new FerryError('MASTER_CONFIG_MISSING', `${file} is not on the old master ${old.host}`, { hint: 'is the inventory’s master.old the DomeOS master?' });
        continue;
      }
      // A master-only migration (no etcd list) keeps the etcd lists as the old master has them.
      const result = buildNewMasterFile(file, text.toString('utf8'), { oldHost: old.host, newHost: n.host, ...(etcd ? { etcd } : {}) });
      await newHost.mkdir(file.slice(0, file.lastIndexOf('/')) || '/');
      const w = await newHost.writeFile(file, result.text, { mode: 0o644, backupPath: backup(file) });
      if (w.changed) files.push({ path: file, ...(w.backupPath !== undefined ? { backup: w.backupPath } : {}) });
      changes.push(...result.changes);
      written.push(file);
    }
    for (const unit of MASTER_UNITS) {
      const found = await findUnitFile(oldHost, unit);
      if (found === undefined) continue;
      await newHost.mkdir(found.path.slice(0, found.path.lastIndexOf('/')));
      const w = await newHost.writeFile(found.path, found.text, { mode: 0o644, backupPath: backup(found.path) });
      if (w.changed) files.push({ path: found.path, ...(w.backupPath !== undefined ? { backup: w.backupPath } : {}) });
      written.push(found.path);
    }
    await newHost.reloadUnits();
    return { changes, written, files };
  }, (r) => ({ changes: r.changes, written: r.written, files: r.files }));
}

export async function readRecordedCensus(ctx: StepContext): Promise<Census | undefined> {
  const r = ctx.resultOf('master.stop-old', 'census');
  return r === undefined ? undefined : (r as unknown as Census);
}

export const startNewMasterHandler: StepHandler<StepOf<'master.start-new'>> = {
  async precheck(step, ctx) {
    if (await ctx.deps.kube(step.params.old.apiserver).healthz()) {
      throw new FerryError('MASTER_OLD_STILL_UP', `the old apiserver ${step.params.old.apiserver} still answers`, {
        hint: 'only one apiserver may write to etcd: stop the old master first (the previous step does)',
        exitCode: 2,
      });
    }
  },
  async apply(step, ctx) {
    const { old, new: n, timeouts } = step.params;
    const oldHost = await ctx.deps.host(old.host);
    const newHost = await ctx.deps.host(n.host);
    if (ctx.actionResult('write-config') === undefined) await writeNewMasterConfig(ctx, step, oldHost, newHost);
    else ctx.skip('write-config', 'written before');
    await startUnits(ctx, newHost, await presentUnits(newHost, NEW_MASTER_FIRST_UNITS), 'start');
    await waitHealthz(ctx, n.apiserver, true, timeouts.startTimeoutMs);
  },
  async verify(step, ctx) {
    const { new: n, timeouts } = step.params;
    const newHost = await ctx.deps.host(n.host);
    await requireActive(newHost, (await presentUnits(newHost, NEW_MASTER_FIRST_UNITS)).filter((u) => u !== 'flanneld'));
    const before = await readRecordedCensus(ctx);
    let differences: string[] = ['not read yet'];
    try {
      await pollUntil(
        async () => {
          if (!(await ctx.deps.kube(n.apiserver).healthz())) {
            differences = ['/healthz does not answer ok'];
            return undefined;
          }
          if (before === undefined) return (differences = []);
          differences = compareCensus(before, await ctx.deps.kube(n.apiserver).readCensus());
          return differences.length === 0 ? true : undefined;
        },
        { timeoutMs: timeouts.startTimeoutMs, intervalMs: 500, sleep: ctx.deps.sleep, now: ctx.deps.now, signal: ctx.signal, onTimeout: () => new Error('timeout') },
      );
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
    const ok = differences.length === 0;
    ctx.gate(ok, [
      { name: 'new apiserver healthy', ok: !differences.includes('/healthz does not answer ok'), detail: n.apiserver },
      { name: 'same nodes and objects as the old apiserver', ok, detail: ok ? (before ? `${before.nodes.length} nodes, ${before.pods.length} pods, ${before.services.length} services, ${before.replicationControllers.length} rcs` : 'no census recorded') : differences.join('; ') },
    ]);
    if (!ok) throw new FerryError('MASTER_GATE_FAILED', `the new master ${n.apiserver} failed its gate: ${differences.join('; ')}`, { hint: 'is it on the right etcd list and prefix? compare /etc/sysconfig/kube-apiserver on both masters' });
  },
  async rollback(step, ctx) {
    const { old, new: n, timeouts } = step.params;
    const newHost = await ctx.deps.host(n.host);
    await stopUnits(ctx, newHost, [...NEW_MASTER_FIRST_UNITS].reverse(), 'stop-new');
    const oldHost = await ctx.deps.host(old.host);
    await startUnits(ctx, oldHost, [...MASTER_STOP_ORDER].reverse(), 'restart-old');
    await waitHealthz(ctx, old.apiserver, true, timeouts.startTimeoutMs);
  },
};
