import { join } from 'node:path';
import { resolveRunsDir } from '../../home.ts';
import { planSteps } from '../../plan/plan-steps.ts';
import { foldJournal } from '../../run/fold.ts';
import { readJournal } from '../../run/journal.ts';
import { JOURNAL_FILE, listRuns } from '../../run/run-dir.ts';
import { loadRun } from '../../app/session.ts';
import { outputFormat, parseCommand } from '../args.ts';
import { bold, dim, green, red, renderData, yellow, type Io } from '../io.ts';

export async function cmdStatus(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommand('status', argv);
  const fmt = outputFormat('status', values.output);
  if (values.all === true) {
    const runs = listRuns(resolveRunsDir(io.env)).map((r) => {
      const view = foldJournal(readJournal(join(r.dir, JOURNAL_FILE)).events);
      return { runId: r.runId, state: view.runState, updatedAt: view.updatedAt };
    });
    if (fmt !== 'text') io.out(renderData(fmt, runs));
    else for (const r of runs) io.out(`${r.runId}  ${r.state.padEnd(16)} ${r.updatedAt ?? ''}\n`);
    return 0;
  }
  const run = loadRun(values.run, io.env);
  const { events, tornTail } = readJournal(join(run.runDir, JOURNAL_FILE));
  const view = foldJournal(events);
  const steps = planSteps(run.plan).map((s) => {
    const v = view.steps.get(s.id);
    return {
      id: s.id,
      phase: s.phase,
      title: s.title,
      state: v?.state ?? 'pending',
      attempts: v?.attempts ?? 0,
      durationMs: v?.durationMs,
      inFlightAction: v?.inFlightAction,
      error: v?.error,
      lastProgress: v?.lastProgress?.data,
    };
  });
  if (fmt !== 'text') {
    const data = { runId: run.runId, runDir: run.runDir, state: view.runState, startedAt: view.startedAt, updatedAt: view.updatedAt, tornTail, lastError: view.lastError, steps };
    io.out(renderData(fmt, data));
    return 0;
  }
  const color = (state: string) =>
    state === 'done' ? green(io, state) : state.includes('fail') ? red(io, state) : state === 'pending' ? dim(io, state) : yellow(io, state);
  io.out(`${bold(io, `run ${run.runId}`)}: ${color(view.runState)}  ${dim(io, `(${run.runDir})`)}\n`);
  let phase = 0;
  steps.forEach((s, i) => {
    if (s.phase !== phase) {
      phase = s.phase;
      const p = run.plan.phases.find((x) => x.id === s.phase);
      io.out(`\nPhase ${phase}. ${p?.title ?? ''}\n`);
    }
    const dur = s.durationMs !== undefined ? dim(io, ` ${(s.durationMs / 1000).toFixed(1)} s`) : '';
    io.out(`  ${String(i + 1).padStart(2)}. ${color(s.state).padEnd(io.color ? 24 : 15)} ${s.title}${dur}\n`);
    if (s.inFlightAction !== undefined && view.runState !== 'done') io.out(yellow(io, `      in flight when the run stopped: ${s.inFlightAction}\n`));
    if (s.error !== undefined) io.out(red(io, `      ${s.error.code}: ${s.error.message}\n`));
  });
  if (view.runState === 'interrupted' || view.runState === 'refused' || view.runState === 'rolled-back') io.out(`\ncontinue with: ferry resume --run ${run.runId}\n`);
  return 0;
}
