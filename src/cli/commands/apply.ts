import { existsSync, readFileSync } from 'node:fs';
import { inputError } from '../../errors.ts';
import { readInventory, renderProblems } from '../../inventory/load.ts';
import { planSteps } from '../../plan/plan-steps.ts';
import { renderPlanText } from '../../plan/render.ts';
import type { Plan } from '../../plan/types.ts';
import { buildDeps } from '../../app/deps.ts';
import type { RunOutcome } from '../../run/runner.ts';
import { checkPlanStillValid, loadRun, resumeRun, startRun, type RunHandle } from '../../app/session.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { bold, green, humanIo, red, renderData, yellow, type Io } from '../io.ts';
import { buildOutcomeData } from '../outcome-data.ts';
import { makeTerminalView } from '../view.ts';
import { checkScope, readPreflightPlan } from './plan.ts';
import { asPreflightRefusal, checkFerryHomeOutsideLab, checkHostsAnswer } from './preflight.ts';
import { withInterrupt } from '../interrupt.ts';
import { withVoterAddConsent } from '../voter-add.ts';
import { newRunId } from '../../run/run-dir.ts';
import { checkUiFlags, startRunUi } from './serve.ts';
import type { RunReportResult } from '../../report/run-report-file.ts';
import { printReportPath } from './report.ts';

export async function cmdApply(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand('apply', argv);
  const scope = checkScope(values.scope);
  checkUiFlags('apply', values);
  const fmt = outputFormat('apply', values.output);
  // With -o json|yaml stdout carries only the data (the plan, or the run's outcome); the words go to stderr.
  const human = humanIo(io, fmt);
  if (values['dry-run'] === true && values.ui === true) {
    throw inputError('CLI_USAGE', 'ferry apply: --dry-run runs nothing, so there is nothing for --ui to show', { hint: 'ferry apply -f INVENTORY --dry-run' });
  }
  const planFile = positionals[0];
  if ((values.file === undefined) === (planFile === undefined)) {
    throw inputError('CLI_USAGE', 'ferry apply: give either -f INVENTORY or a PLAN.json', { hint: 'ferry apply -f examples/lab-seed.yaml' });
  }
  let inventoryPath: string;
  let filePlan: Plan | undefined;
  if (planFile !== undefined) {
    if (!existsSync(planFile)) throw inputError('PLAN_NOT_FOUND', `no plan file at ${planFile}`, { hint: 'make one with `ferry plan -f INVENTORY -o json --out plan.json`', subjects: { file: planFile } });
    try {
      filePlan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    } catch (err) {
      throw inputError('PLAN_FORMAT', `${planFile} is not a ferry plan: ${(err as Error).message}`, { hint: 'make one with `ferry plan -f INVENTORY -o json --out plan.json`', subjects: { file: planFile } });
    }
    if (filePlan?.kind !== 'ferry-plan' || typeof filePlan.inventory?.path !== 'string') {
      throw inputError('PLAN_FORMAT', `${planFile} is not a ferry plan`, { hint: 'make one with `ferry plan -f INVENTORY -o json --out plan.json`', subjects: { file: planFile } });
    }
    inventoryPath = filePlan.inventory.path;
  } else inventoryPath = values.file as string;
  const loaded = await readInventory(inventoryPath);
  const { warnings, sha256 } = loaded;
  const inventory = withVoterAddConsent(loaded.inventory, values['allow-voter-add']);
  if (warnings.length > 0) io.err(yellow(io, renderProblems(warnings)) + '\n');
  if (filePlan !== undefined && filePlan.inventory.sha256 !== sha256) {
    throw inputError('PLAN_STALE', `${inventoryPath} changed since the plan was made`, { hint: 'make a new plan with `ferry plan -o json`', subjects: { file: inventoryPath } });
  }
  checkFerryHomeOutsideLab(inventory, io.env);
  const deps = buildDeps(inventory, io.env);
  try {
    let plan: Plan;
    if (filePlan !== undefined) {
      await checkHostsAnswer(inventory, deps)
        .then(() => checkPlanStillValid(filePlan, deps))
        .catch((err: unknown) => {
          throw asPreflightRefusal(err);
        });
      plan = filePlan;
      const voterAdds = planSteps(filePlan).filter((s) => (s.kind === 'etcd.add' || s.kind === 'etcd.replace') && s.params.join === 'voter');
      if (voterAdds.length > 0 && inventory.etcd.allowVoterAdd !== true) {
        throw inputError('ETCD_VOTER_ADD_NOT_ALLOWED', `${planFile} adds ${voterAdds.length} member(s) as voters (etcd before 3.4 has no learners), and this apply does not allow it`, {
          hint: 'read the plan\'s note on the voter-add window, then run again with --allow-voter-add (or set etcd.allowVoterAdd: true in the inventory)',
          subjects: { file: planFile as string },
        });
      }
    } else plan = await readPreflightPlan(inventory, inventoryPath, sha256, deps, scope);
    if (values['dry-run'] === true) {
      if (fmt !== 'text') io.out(renderData(fmt, plan));
      else io.out(`${renderPlanText(plan, { color: io.color })}Dry run: nothing was changed.\n`);
      return 0;
    }
    if (planSteps(plan).length === 0) {
      human.out(renderPlanText(plan, { color: io.color }));
      if (fmt !== 'text') io.out(renderData(fmt, { state: 'nothing-to-do', exitCode: 0 }));
      return 0;
    }
    if (values.yes !== true) {
      human.out(renderPlanText(plan, { color: io.color }));
      if (io.confirm === undefined) {
        throw inputError('NEEDS_CONFIRMATION', 'not on a terminal, so ferry cannot ask before changing the cluster', { hint: 'read the plan above, then run again with --yes' });
      }
      if (!(await io.confirm('Apply this plan?'))) {
        human.out('Nothing changed.\n');
        return 0;
      }
    }
    // --ui: the dashboard is up (its URL printed) before the run starts, on the run id chosen here.
    const runId = newRunId(new Date());
    const ui = await startRunUi(human, 'apply', values, runId);
    try {
      const code = await withInterrupt(io, async (signal) => {
        const r = await startRun(plan, inventory, { deps, signal, env: io.env, command: 'ferry apply', runId, onStart: (run) => attachView(human, plan, run) });
        const exit = reportOutcome(human, r.runId, r.outcome, r);
        if (fmt !== 'text') io.out(renderData(fmt, buildOutcomeData(r)));
        return exit;
      });
      return (await ui?.finish(code)) ?? code;
    } finally {
      await ui?.stop();
    }
  } finally {
    await deps.close();
  }
}

export function attachView(io: Io, plan: Plan, run: RunHandle): void {
  io.out(`${bold(io, `run ${run.runId}`)}  (journal: ${run.runDir}/journal.jsonl)\n`);
  run.journal.subscribe(makeTerminalView(io, plan));
}

/** The run's outcome in words (and, when given, where its report.html is). */
export function reportOutcome(io: Io, runId: string, o: RunOutcome, report?: RunReportResult): number {
  switch (o.runState) {
    case 'done':
      io.out(green(io, `\nrun ${runId}: done.`) + '\n');
      break;
    case 'refused':
      io.err(red(io, `\nrun ${runId}: stopped before ${o.failedStep}: ${o.error?.code} ${o.error?.message}`) + `\n  nothing was changed by that step.\n${o.error?.hint ? `  hint: ${o.error.hint}\n` : ''}  then: ferry resume --run ${runId}\n`);
      break;
    case 'rolled-back':
      io.err(red(io, `\nrun ${runId}: ${o.failedStep} failed (${o.error?.code}: ${o.error?.message}) and was rolled back.`) + `\n${o.error?.hint ? `  hint: ${o.error.hint}\n` : ''}  the steps before it are done; fix the cause, then: ferry resume --run ${runId}\n`);
      break;
    case 'rollback-failed': {
      // forwardOnly: the step cannot be undone, but `ferry resume` finishes it once the cause is mended.
      const forward = o.error?.forwardOnly === true;
      const what = forward ? 'failed past its point of no return and CANNOT BE UNDONE' : 'failed and its ROLLBACK FAILED';
      const then = forward ? `; once the cause is mended: ferry resume --run ${runId}` : '.';
      io.err(red(io, `\nrun ${runId}: ${o.failedStep} ${what}: ${o.error?.code} ${o.error?.message}`) + `\n${o.error?.hint ? `  hint: ${o.error.hint}\n` : ''}  a person is needed: \`ferry status --run ${runId}\` shows what was done${then}\n`);
      break;
    }
    case 'interrupted':
      io.err(yellow(io, `\nrun ${runId}: interrupted during ${o.failedStep ?? 'the run'}.`) + `\n  continue with: ferry resume --run ${runId}\n`);
      break;
    default:
      break;
  }
  if (report !== undefined) printReportPath(io, report);
  return o.exitCode;
}

export async function cmdResume(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('resume', argv);
  checkUiFlags('resume', values);
  const fmt = outputFormat('resume', values.output);
  const human = humanIo(io, fmt);
  const run = loadRun(values.run, io.env);
  if (values.file !== undefined) {
    const { sha256 } = await readInventory(values.file);
    if (sha256 !== run.plan.inventory.sha256) {
      throw inputError('INVENTORY_CHANGED', `${values.file} is not the inventory run ${run.runId} was planned from`, {
        hint: 'resume without -f (the run keeps its own copy), or start a new run with `ferry apply`',
        subjects: { file: values.file, run: run.runId },
      });
    }
  }
  const deps = buildDeps(run.inventory, io.env);
  try {
    const ui = await startRunUi(human, 'resume', values, run.runId);
    try {
      const code = await withInterrupt(io, async (signal) => {
        const r = await resumeRun(run, { deps, signal, env: io.env, command: 'ferry resume', onStart: (h) => attachView(human, run.plan, h) });
        const exit = reportOutcome(human, r.runId, r.outcome, r);
        if (fmt !== 'text') io.out(renderData(fmt, buildOutcomeData(r)));
        return exit;
      });
      return (await ui?.finish(code)) ?? code;
    } finally {
      await ui?.stop();
    }
  } finally {
    await deps.close();
  }
}
