import { join } from 'node:path';
import { inputError } from '../../errors.ts';
import { planSteps } from '../../plan/plan-steps.ts';
import { renderPlanText } from '../../plan/render.ts';
import { buildDeps } from '../../app/deps.ts';
import { foldJournal } from '../../run/fold.ts';
import type { JournalEvent } from '../../run/events.ts';
import { Journal, readJournal } from '../../run/journal.ts';
import { acquireRunLock } from '../../run/lock.ts';
import { JOURNAL_FILE, newRunId } from '../../run/run-dir.ts';
import { checkNoUnfinishedWalkBack, loadRun, observeAndPlanWalkBack, recordWalkBackOutcome, recordWalkBackStarted, startRun, type LoadedRun } from '../../app/session.ts';
import { withVoterAddConsent } from '../voter-add.ts';
import { buildWalkBackInventory, buildWalksBackNote, describeWalkBack } from '../../run/walk-back.ts';
import type { Env } from '../../home.ts';
import { outputFormat, parseCommand, type OutputFormat } from '../args.ts';
import { withInterrupt } from '../interrupt.ts';
import { humanIo, renderData, type Io } from '../io.ts';
import { buildOutcomeData } from '../outcome-data.ts';
import { attachView, reportOutcome } from './apply.ts';

/** A finished walk-back, a run already walked back, and a run whose walk-back is unfinished are refused. */
function checkCanWalkBack(runId: string, events: readonly JournalEvent[], env: Env | undefined): void {
  checkNoUnfinishedWalkBack(runId, events, env, 'rollback');
  const view = foldJournal(events);
  if (view.mode === 'rollback') {
    throw inputError('ROLLBACK_OF_ROLLBACK', `run ${runId} is itself a walk-back`, { hint: 'to move forward again, plan and apply the inventory: `ferry apply -f INVENTORY`', subjects: { run: runId } });
  }
  if (view.runState === 'walked-back') {
    throw inputError('RUN_WALKED_BACK', `run ${runId} was already walked back`, { hint: '`ferry status --all` lists the runs; to move forward again, `ferry apply -f INVENTORY`', subjects: { run: runId } });
  }
}

/** `ferry rollback --dry-run`: the walk-back plan, from a read of the journal (no lock, no journal line). */
async function printWalkBackPlan(io: Io, run: LoadedRun, fmt: OutputFormat, allowVoterAdd: boolean | undefined): Promise<number> {
  const events = readJournal(join(run.runDir, JOURNAL_FILE)).events;
  checkCanWalkBack(run.runId, events, io.env);
  const view = foldJournal(events);
  const inventory = withVoterAddConsent(buildWalkBackInventory(run.inventory), allowVoterAdd);
  const deps = buildDeps(inventory, io.env);
  try {
    const { plan, options } = await observeAndPlanWalkBack(run, view, inventory, deps);
    if (fmt !== 'text') io.out(renderData(fmt, plan));
    else {
      io.out(`Dry run: walking back run ${run.runId} (${view.runState}) would move ${describeWalkBack(options)}.\n\n`);
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
  if (values['dry-run'] === true) return await printWalkBackPlan(io, run, fmt, values['allow-voter-add']);
  const human = humanIo(io, fmt);
  // Hold the original run's lock while walking it back: no `ferry resume` of it may run at the same time.
  const lock = acquireRunLock(run.runDir, { command: 'ferry rollback' });
  try {
    const original = Journal.open(join(run.runDir, JOURNAL_FILE));
    try {
      const events = original.events();
      checkCanWalkBack(run.runId, events, io.env);
      const view = foldJournal(events);
      const inventory = withVoterAddConsent(buildWalkBackInventory(run.inventory), values['allow-voter-add']);
      const deps = buildDeps(inventory, io.env);
      try {
        const { plan, options } = await observeAndPlanWalkBack(run, view, inventory, deps);
        human.out(`Walking back run ${run.runId} (${view.runState}): ${describeWalkBack(options)}.\n\n`);
        human.out(renderPlanText(plan, { color: io.color }));
        if (planSteps(plan).length === 0) return 0;
        if (values.yes !== true) {
          if (io.confirm === undefined) {
            throw inputError('NEEDS_CONFIRMATION', 'not on a terminal, so ferry cannot ask before changing the cluster', { hint: 'read the plan above, then run again with --yes' });
          }
          if (!(await io.confirm('Walk this run back?'))) {
            human.out('Nothing changed.\n');
            return 0;
          }
        }
        // Both journals name the other before the walk-back's first step: killed at any point, the walk-back is found
        // (`ferry rollback` and `ferry resume` of the original point at it) and finished with `ferry resume --run`.
        const runId = newRunId(new Date());
        recordWalkBackStarted(original, runId);
        const r = await withInterrupt(io, (signal) =>
          startRun(plan, inventory, {
            deps,
            signal,
            env: io.env,
            command: 'ferry rollback',
            mode: 'rollback',
            runId,
            onStart: (h) => {
              h.journal.append({ type: 'note', message: buildWalksBackNote(run.runId) });
              attachView(human, plan, h);
            },
          }),
        );
        recordWalkBackOutcome(original, r.runId, r.outcome.runState);
        const code = reportOutcome(human, r.runId, r.outcome, r);
        if (fmt !== 'text') io.out(renderData(fmt, buildOutcomeData(r)));
        return code;
      } finally {
        await deps.close();
      }
    } finally {
      original.close();
    }
  } finally {
    lock.release();
  }
}
