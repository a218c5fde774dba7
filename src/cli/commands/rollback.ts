import { join } from 'node:path';
import { inputError } from '../../errors.ts';
import { planSteps } from '../../plan/build.ts';
import { renderPlanText } from '../../plan/render.ts';
import { buildDeps } from '../../run/deps.ts';
import { foldJournal } from '../../run/fold.ts';
import { Journal } from '../../run/journal.ts';
import { acquireRunLock } from '../../run/lock.ts';
import { JOURNAL_FILE } from '../../run/run-dir.ts';
import { loadRun, observeAndPlan, startRun } from '../../run/session.ts';
import { buildWalkBackInventory, computeMasterMoved, computeWalkBackScope } from '../../run/walk-back.ts';
import { parse } from '../args.ts';
import { withInterrupt } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { attachView, reportOutcome } from './apply.ts';

export async function cmdRollback(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parse('rollback', argv, { run: { type: 'string' }, yes: { type: 'boolean' } });
  const run = loadRun(values.run, io.env);
  // Hold the original run's lock while walking it back: no `ferry resume` of it may run at the same time.
  const lock = acquireRunLock(run.runDir, { command: 'ferry rollback' });
  try {
    const original = Journal.open(join(run.runDir, JOURNAL_FILE));
    const view = foldJournal(original.events());
    if (view.mode === 'rollback') {
      original.close();
      throw inputError('ROLLBACK_OF_ROLLBACK', `run ${run.runId} is itself a walk-back`, { hint: 'to move forward again, plan and apply the inventory: `ferry apply -f INVENTORY`' });
    }
    if (view.runState === 'walked-back') {
      original.close();
      throw inputError('RUN_WALKED_BACK', `run ${run.runId} was already walked back`, { hint: '`ferry status --all` lists the runs; to move forward again, `ferry apply -f INVENTORY`' });
    }
    const masterMoved = computeMasterMoved(view);
    const inventory = buildWalkBackInventory(run.inventory, masterMoved);
    const deps = buildDeps(inventory, io.env);
    try {
      const plan = await observeAndPlan(inventory, run.plan.inventory.path, run.plan.inventory.sha256, deps, computeWalkBackScope(masterMoved));
      io.out(`Walking back run ${run.runId} (${view.runState}): etcd moves back to the old members${masterMoved ? ', the master back to the old master, the nodes back to it' : ''}.\n\n`);
      io.out(renderPlanText(plan, { color: io.color }));
      if (planSteps(plan).length === 0) {
        original.close();
        return 0;
      }
      if (values.yes !== true) {
        if (io.confirm === undefined) {
          throw inputError('NEEDS_CONFIRMATION', 'not on a terminal, so ferry cannot ask before changing the cluster', { hint: 'read the plan above, then run again with --yes' });
        }
        if (!(await io.confirm('Walk this run back?'))) {
          io.out('Nothing changed.\n');
          return 0;
        }
      }
      const r = await withInterrupt(io, (signal) =>
        startRun(plan, inventory, { deps, signal, env: io.env, command: 'ferry rollback', mode: 'rollback', onStart: (h) => attachView(io, plan, h) }),
      );
      original.append({ type: 'note', message: `walked back by run ${r.runId}: ${r.outcome.runState}` });
      if (r.outcome.runState === 'done') original.append({ type: 'run-state', state: 'walked-back' });
      return reportOutcome(io, r.runId, r.outcome);
    } finally {
      original.close();
      await deps.close();
    }
  } finally {
    lock.release();
  }
}
