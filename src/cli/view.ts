/**
 * The terminal view of a run: a read-only subscriber to the journal's events (the dashboard reads the same ones).
 * On a terminal the learner's catch-up is one line updated in place; elsewhere it is printed every few seconds.
 */
import type { JournalEvent } from '../run/events.ts';
import type { Plan } from '../plan/types.ts';
import { planSteps } from '../plan/plan-steps.ts';
import { bold, dim, green, red, yellow, type Io } from './io.ts';
import { renderProgress } from '../run/progress.ts';

export function makeTerminalView(io: Io, plan: Plan): (e: JournalEvent) => void {
  const steps = planSteps(plan);
  const titles = new Map(steps.map((s, i) => [s.id, { n: i + 1, title: s.title }]));
  const started = new Map<string, number>();
  let progressShown = false;
  let lastProgressPrint = 0;
  const clearProgress = () => {
    if (progressShown && io.isTty) io.out('\r\x1b[K');
    progressShown = false;
  };
  const line = (s: string) => {
    clearProgress();
    io.out(`${s}\n`);
  };
  return (e) => {
    switch (e.type) {
      case 'step-state': {
        const t = titles.get(e.stepId);
        const head = t ? `[${t.n}/${steps.length}]` : '';
        if (e.state === 'running') {
          started.set(e.stepId, Date.parse(e.ts));
          line(`${bold(io, `${head} ${t?.title ?? e.stepId}`)}${e.reason === 'resumed' ? yellow(io, ' (resumed)') : ''}`);
        } else if (e.state === 'done') {
          const ms = Date.parse(e.ts) - (started.get(e.stepId) ?? Date.parse(e.ts));
          line(`${green(io, '  ✔ done')} ${dim(io, `in ${(ms / 1000).toFixed(1)} s`)}`);
        } else if (e.state === 'failed') line(red(io, `  ✖ failed: ${e.error?.code ?? ''} ${e.error?.message ?? ''}`));
        else if (e.state === 'rolling-back') line(yellow(io, '  ↺ rolling back'));
        else if (e.state === 'rolled-back') line(yellow(io, '  ↺ rolled back: the cluster is as it was before this step'));
        else if (e.state === 'rollback-failed') line(red(io, `  ✖ ROLLBACK FAILED: ${e.error?.message ?? ''}`));
        break;
      }
      case 'action-started':
        line(dim(io, `    · ${e.action}${e.detail ? ' ' + summarize(e.detail) : ''}`));
        break;
      case 'action-skipped':
        line(dim(io, `    = ${e.action}: ${e.reason}`));
        break;
      case 'action-failed':
        line(red(io, `    ✖ ${e.action}: ${e.error.message}`));
        break;
      case 'gate':
        if (e.ok) line(dim(io, `    ✓ health gate: ${e.checks.map((c) => c.name).join(', ')}`));
        else line(red(io, `    ✖ health gate: ${e.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')}`));
        break;
      case 'progress': {
        const text = `    … ${renderProgress(e)}`;
        if (io.isTty) {
          io.out(`\r\x1b[K${dim(io, text)}`);
          progressShown = true;
        } else if (Date.parse(e.ts) - lastProgressPrint > 2000) {
          lastProgressPrint = Date.parse(e.ts);
          line(dim(io, text));
        }
        break;
      }
      case 'note':
        if (e.message.startsWith('quorum guard') || e.message.startsWith('precheck')) line(dim(io, `    ${e.message}`));
        else if (e.message.startsWith('rollout results')) line(e.message.split('\n').map((l) => `    ${l}`).join('\n'));
        break;
      case 'run-state':
        if (e.state !== 'running') clearProgress();
        break;
      default:
        break;
    }
  };
}

function summarize(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
