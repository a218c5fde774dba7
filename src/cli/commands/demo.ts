/**
 * `ferry demo`: lab up (the runbook's whole old environment), then apply every phase while a writer puts unique
 * keys into etcd and a probe watches the apiservers, then a report: the cluster before and after, the timeline,
 * the longest write stall, the apiserver outage window, and every file changed with its backup.
 */
import { startApiserverProbe } from '../../demo/apiserver-probe.ts';
import { readClusterPicture } from '../../observe/picture.ts';
import { readRunPictures } from '../../report/run-report-file.ts';
import { readInventory } from '../../inventory/load.ts';
import { buildLabSeedData, readLabSeedCheck, startLab, stopLab } from '../../lab/face.ts';
import { verifyAcknowledged } from '../../write-load/verify-keys.ts';
import { computeWriteStats } from '../../write-load/write-stats.ts';
import { startWriterThread } from '../../write-load/writer-thread.ts';
import { planSteps } from '../../plan/plan-steps.ts';
import { collectFileChanges } from '../../report/file-changes.ts';
import { computeLongestOutage } from '../../report/outage.ts';
import { buildPhaseTimeline, findStepAt } from '../../report/timeline.ts';
import { buildDeps } from '../../app/deps.ts';
import { foldJournal } from '../../run/fold.ts';
import { observeAndPlan, startRun } from '../../app/session.ts';
import { renderDemoReport, type DemoReport, type WriteSummary } from '../../report/demo-report.ts';
import { type ClusterPicture } from '../../observe/types.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { DEFAULT_LAB_INVENTORY } from '../defaults.ts';
import { dim, renderData, type Io } from '../io.ts';
import { withInterrupt } from '../interrupt.ts';
import { withVoterAddConsent } from '../voter-add.ts';
import { checkScope } from './plan.ts';
import { attachView } from './apply.ts';
import { labDirOf } from './lab.ts';
import { printReportPath } from './report.ts';

/** One write every 20 ms (50/s) during the run: enough to see a stall, light for a 2-core machine. */
const DEMO_WRITE_INTERVAL_MS = 20;
const DEMO_KEY_ROOT = 'ferry-demo';

export async function cmdDemo(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('demo', argv);
  const scope = checkScope(values.scope);
  const fmt = outputFormat('demo', values.output);
  const file = values.file ?? DEFAULT_LAB_INVENTORY;
  const loaded = await readInventory(file);
  const { sha256 } = loaded;
  const inventory = withVoterAddConsent(loaded.inventory, values['allow-voter-add']);
  const labDir = labDirOf(inventory, io);
  const quiet = fmt !== 'text';
  const log = (l: string) => io.err(dim(io, l) + '\n');
  const t0 = Date.now();
  log(`ferry demo: bringing up the lab (${inventory.etcd.old.length} old etcd members) in ${labDir}`);
  await startLab({ inventory, inventoryPath: file, labDir, log, env: io.env, ...(values.etcd !== undefined ? { etcd: values.etcd } : {}) });
  const deps = buildDeps(inventory, io.env);
  let keepLab = values.keep === true;
  try {
    const plan = await observeAndPlan(inventory, file, sha256, deps, scope);
    const tag = new Date().toISOString().replace(/[-:.]/g, '');
    const writer = await startWriterThread({ endpoints: [...inventory.etcd.old, ...inventory.etcd.new].map((m) => m.clientURL), tag, keyRoot: DEMO_KEY_ROOT, intervalMs: DEMO_WRITE_INTERVAL_MS });
    const probe = inventory.master !== undefined ? startApiserverProbe([inventory.master.old.apiserver, inventory.master.new.apiserver]) : undefined;
    const runFrom = Date.now();
    const stopProbes = async () => ({ writes: await writer.stop(), samples: (await probe?.stop()) ?? [] });
    const r = await withInterrupt(io, (signal) =>
      startRun(plan, inventory, { deps, signal, env: io.env, command: 'ferry demo', onStart: (run) => (quiet ? undefined : attachView(io, plan, run)) }),
    ).catch(async (err: unknown) => {
      keepLab = true; // leave the evidence for inspection
      await stopProbes().catch(() => undefined);
      throw err;
    });
    const { writes, samples } = await stopProbes();
    const runTo = Date.now();
    const view = foldJournal(r.journal.events());
    // The run recorded the cluster when it started and when it ended (the same pictures report.html shows).
    const recorded = readRunPictures(r.runDir);
    const unrecorded = (when: string): ClusterPicture => ({ masters: [], nodes: { list: [], error: `the run did not record the cluster ${when}` }, etcdError: 'not recorded' });
    const before = recorded.before ?? unrecorded('before it started');
    const after = recorded.after ?? (await readClusterPicture(inventory, deps));
    const check = await readLabSeedCheck(inventory.etcd.new.map((m) => m.clientURL));
    const loss = await verifyAcknowledged(writes.records, inventory.etcd.new.map((m) => m.clientURL), `${DEMO_KEY_ROOT}/${tag}/`).catch(() => undefined);
    const stats = computeWriteStats(writes.records, { from: runFrom, to: runTo });
    const stallDuring = findStepAt(plan, view, stats.longestStall.from);
    const summary: WriteSummary = {
      writes: stats.writes,
      acked: stats.acked,
      failed: stats.failed,
      lost: loss === undefined ? Number.NaN : Math.max(0, ...loss.map((l) => l.lost)),
      longestStallMs: stats.longestStall.ms,
      ...(stallDuring !== undefined ? { longestStallDuring: stallDuring } : {}),
      p99Ms: stats.p99Ms,
    };
    const outage = computeLongestOutage(samples);
    if (r.outcome.exitCode !== 0) keepLab = true;
    const report: DemoReport = {
      runId: r.runId,
      runState: r.outcome.runState,
      exitCode: r.outcome.exitCode,
      durationMs: Date.now() - t0,
      before,
      after,
      dataCheck: { ok: check.ok, keys: await countSeedKeys(), missing: check.missing, wrong: check.wrong },
      writes: summary,
      ...(outage !== undefined ? { apiserverOutage: outage } : {}),
      phases: buildPhaseTimeline(plan, view),
      steps: planSteps(plan).map((s) => {
        const v = view.steps.get(s.id);
        return { id: s.id, title: s.title, state: v?.state ?? 'pending', ...(v?.durationMs !== undefined ? { durationMs: v.durationMs } : {}) };
      }),
      files: collectFileChanges(view),
      labKept: keepLab,
    };
    io.out(fmt === 'text' ? renderDemoReport(report) : renderData(fmt, report));
    printReportPath(io, r);
    const nothingLost = summary.lost === 0 && check.ok;
    return r.outcome.exitCode !== 0 ? r.outcome.exitCode : nothingLost ? 0 : 1;
  } finally {
    await deps.close();
    if (!keepLab) await stopLab(labDir);
  }
}

async function countSeedKeys(): Promise<number> {
  const d = await buildLabSeedData();
  return d.v3.length + d.v2.length;
}
