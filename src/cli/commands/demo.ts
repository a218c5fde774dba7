import { readEtcdState } from '../../etcd/observe.ts';
import { readInventory } from '../../inventory/load.ts';
import { startLab } from '../../lab/up.ts';
import { stopLab } from '../../lab/down.ts';
import { buildLabSeedData, readLabSeedCheck } from '../../lab/etcd-seed.ts';
import { planSteps } from '../../plan/build.ts';
import { buildDeps } from '../../run/deps.ts';
import { foldJournal } from '../../run/fold.ts';
import { observeAndPlan, startRun } from '../../run/session.ts';
import { renderDemoReport, type DemoReport } from '../../report/demo-report.ts';
import { outputFormat, parse } from '../args.ts';
import { DEFAULT_LAB_INVENTORY } from '../defaults.ts';
import { dim, type Io } from '../io.ts';
import { withInterrupt } from '../interrupt.ts';
import { checkScope } from './plan.ts';
import { attachView } from './apply.ts';
import { labDirOf } from './lab.ts';

export async function cmdDemo(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parse('demo', argv, { file: { type: 'string', short: 'f' }, keep: { type: 'boolean' }, scope: { type: 'string' } });
  const scope = checkScope(values.scope);
  const fmt = outputFormat('demo', values.output);
  const file = values.file ?? DEFAULT_LAB_INVENTORY;
  const { inventory, sha256 } = await readInventory(file);
  const labDir = labDirOf(inventory, io);
  const quiet = fmt !== 'text';
  const log = (l: string) => io.err(dim(io, l) + '\n');
  const t0 = Date.now();
  log(`ferry demo: bringing up the lab (${inventory.etcd.old.length} old etcd members) in ${labDir}`);
  await startLab({ inventory, inventoryPath: file, labDir, log });
  const deps = buildDeps(inventory, io.env);
  let keepLab = values.keep === true;
  try {
    const before = (await readEtcdState(deps.etcd)).observed;
    const plan = await observeAndPlan(inventory, file, sha256, deps, scope);
    const r = await withInterrupt(io, (signal) =>
      startRun(plan, inventory, { deps, signal, env: io.env, command: 'ferry demo', onStart: (run) => (quiet ? undefined : attachView(io, plan, run)) }),
    ).catch((err: unknown) => {
      keepLab = true; // leave the evidence for inspection
      throw err;
    });
    const after = (await readEtcdState(deps.etcd)).observed;
    const check = await readLabSeedCheck(inventory.etcd.new.map((m) => m.clientURL));
    const view = foldJournal(r.journal.events());
    const report: DemoReport = {
      runId: r.runId,
      runState: r.outcome.runState,
      exitCode: r.outcome.exitCode,
      durationMs: Date.now() - t0,
      before,
      after,
      dataCheck: { ok: check.ok, keys: seedKeyCount(), missing: check.missing, wrong: check.wrong },
      steps: planSteps(plan).map((s) => {
        const v = view.steps.get(s.id);
        return { id: s.id, title: s.title, state: v?.state ?? 'pending', ...(v?.durationMs !== undefined ? { durationMs: v.durationMs } : {}) };
      }),
      labKept: keepLab || r.outcome.exitCode !== 0,
    };
    if (r.outcome.exitCode !== 0) keepLab = true;
    io.out(fmt === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderDemoReport(report));
    return r.outcome.exitCode !== 0 ? r.outcome.exitCode : check.ok ? 0 : 1;
  } finally {
    await deps.close();
    if (!keepLab) await stopLab(labDir);
  }
}

function seedKeyCount(): number {
  const d = buildLabSeedData();
  return d.v3.length + d.v2.length;
}
