import { join } from 'node:path';
import { inputError } from '../../errors.ts';
import { planSteps } from '../../plan/build.ts';
import { renderPlanText } from '../../plan/render.ts';
import { buildDeps } from '../../run/deps.ts';
import { foldJournal } from '../../run/fold.ts';
import { Journal, readJournal } from '../../run/journal.ts';
import { acquireRunLock } from '../../run/lock.ts';
import { JOURNAL_FILE } from '../../run/run-dir.ts';
import type { RunView } from '../../run/fold.ts';
import { loadRun, observeAndPlan, startRun, type LoadedRun } from '../../run/session.ts';
import { buildWalkBackInventory, computeMasterMoved, computeWalkBackScope } from '../../run/walk-back.ts';
import { outputFormat, parseCommand, type OutputFormat } from '../args.ts';
import { withInterrupt } from '../interrupt.ts';
import { humanIo, renderData, type Io } from '../io.ts';
import { buildOutcomeData } from '../outcome-data.ts';
import { attachView, reportOutcome } from './apply.ts';

/** A walk-back of a walk-back, or of a run already walked back, is refused. */
function checkCanWalkBack(runId: string, view: RunView): void {
  if (view.mode === 'rollback') {
    throw inputError('ROLLBACK_OF_ROLLBACK', `run ${runId} is itself a walk-back`, { hint: 'to move forward again, plan and apply the inventory: `ferry apply -f INVENTORY`', subjects: { run: runId } });
  }
  if (view.runState === 'walked-back') {
    throw inputError('RUN_WALKED_BACK', `run ${runId} was already walked back`, { hint: '`ferry status --all` lists the runs; to move forward again, `ferry apply -f INVENTORY`', subjects: { run: runId } });
  }
}

/** `ferry rollback --dry-run`: the walk-back plan, from a read of the journal (no lock, no journal line). */
async function printWalkBackPlan(io: Io, run: LoadedRun, fmt: OutputFormat): Promise<number> {
  const view = foldJournal(readJournal(join(run.runDir, JOURNAL_FILE)).events);
  checkCanWalkBack(run.runId, view);
  const masterMoved = computeMasterMoved(view);
  const inventory = buildWalkBackInventory(run.inventory, masterMoved);
  const deps = buildDeps(inventory, io.env);
  try {
    const plan = await observeAndPlan(inventory, run.plan.inventory.path, run.plan.inventory.sha256, deps, computeWalkBackScope(masterMoved));
    if (fmt !== 'text') io.out(renderData(fmt, plan));
    else {
      io.out(`Dry run: walking back run ${run.runId} (${view.runState}) would move etcd back to the old members${masterMoved ? ', the master back to the old master, the nodes back to it' : ''}.\n\n`);
      io.out(renderPlanText(plan, { color: io.color }));
      io.out(`\nNothing was changed. To walk it back: ferry rollback --run ${run.runId}\n`);
    }
    return 0;
  } finally {
    await deps.close();
  }
}

export async function cmdRollback(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('rollback', argv);
  const fmt = outputFormat('rollback', values.output);
  const run = loadRun(values.run, io.env);
  if (values['dry-run'] === true) return await printWalkBackPlan(io, run, fmt);
  const human = humanIo(io, fmt);
  // Hold the original run's lock while walking it back: no `ferry resume` of it may run at the same time.
  const lock = acquireRunLock(run.runDir, { command: 'ferry rollback' });
  try {
    const original = Journal.open(join(run.runDir, JOURNAL_FILE));
    const view = foldJournal(original.events());
    try {
      checkCanWalkBack(run.runId, view);
    } catch (err) {
      original.close();
      throw err;
    }
    const masterMoved = computeMasterMoved(view);
    const inventory = buildWalkBackInventory(run.inventory, masterMoved);
    const deps = buildDeps(inventory, io.env);
    try {
      const plan = await observeAndPlan(inventory, run.plan.inventory.path, run.plan.inventory.sha256, deps, computeWalkBackScope(masterMoved));
      human.out(`Walking back run ${run.runId} (${view.runState}): etcd moves back to the old members${masterMoved ? ', the master back to the old master, the nodes back to it' : ''}.\n\n`);
      human.out(renderPlanText(plan, { color: io.color }));
      if (planSteps(plan).length === 0) {
        original.close();
        return 0;
      }
      if (values.yes !== true) {
        if (io.confirm === undefined) {
          throw inputError('NEEDS_CONFIRMATION', 'not on a terminal, so ferry cannot ask before changing the cluster', { hint: 'read the plan above, then run again with --yes' });
        }
        if (!(await io.confirm('Walk this run back?'))) {
          human.out('Nothing changed.\n');
          return 0;
        }
      }
      const r = await withInterrupt(io, (signal) =>
        startRun(plan, inventory, { deps, signal, env: io.env, command: 'ferry rollback', mode: 'rollback', onStart: (h) => attachView(human, plan, h) }),
      );
      original.append({ type: 'note', message: `walked back by run ${r.runId}: ${r.outcome.runState}` });
      if (r.outcome.runState === 'done') original.append({ type: 'run-state', state: 'walked-back' });
      const code = reportOutcome(human, r.runId, r.outcome, r);
      if (fmt !== 'text') io.out(renderData(fmt, buildOutcomeData(r)));
      return code;
    } finally {
      original.close();
      await deps.close();
    }
  } finally {
    lock.release();
  }
}
