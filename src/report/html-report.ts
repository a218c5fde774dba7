/**
 * report.html: one self-contained, printable page an operator can attach to a change ticket (issue 5 §3) — the
 * run's facts, what went wrong and what was rolled back, the timeline of phases, etcd write latency across the
 * migration, the cluster before and after side by side, every file changed with its backup, every command run on
 * every host, and the plan's steps with what each does, checks and undoes. Pure: RunReport in, HTML out. Inline
 * CSS and SVG only: no script, no external resource. Every text from the run is escaped.
 */
import { describeCommand, groupCommandsByHost } from './command-text.ts';
import { escapeXml as e } from './escape.ts';
import { renderLatencyChartSvg } from './latency-svg.ts';
import { renderPictureSvg } from './picture-svg.ts';
import type { RunReport } from './run-report.ts';
import { buildTimeAxis, formatOffset } from './time-axis.ts';
import { CHART_LEFT, CHART_RIGHT, renderPhaseTimelineSvg } from './timeline-svg.ts';

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2933; margin: 0 auto; max-width: 1500px; padding: 24px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e4e7eb; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; } .muted { color: #7b8794; } code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; } th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid #eef0f3; }
th { background: #f5f7fa; font-weight: 600; } table.facts th { width: 170px; background: none; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; color: #fff; }
.ok { background: #1f9d55; } .bad { background: #cf2e2e; } .warn { background: #d97706; } .info { background: #2563eb; } .grey { background: #9aa5b1; }
.err { color: #cf2e2e; } .pictures { display: flex; flex-wrap: wrap; gap: 16px; } .pictures > div { flex: 1 1 600px; min-width: 0; }
svg { max-width: 100%; height: auto; } .chart svg { width: 100%; max-width: 1250px; } .step { margin: 0 0 10px; padding: 6px 10px; border-left: 3px solid #cbd2d9; } .step ul { margin: 2px 0 4px 18px; padding: 0; }
.dcu { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; font-size: 13px; }
details > summary { cursor: pointer; font-weight: 600; margin: 8px 0 4px; }
table.cmds { table-layout: fixed; } table.cmds td { overflow-wrap: anywhere; } table.cmds th:nth-child(1) { width: 105px; } table.cmds th:nth-child(3) { width: 190px; } table.cmds th:nth-child(4) { width: 75px; }
@media print { body { padding: 0; max-width: none; font-size: 11px; } h2 { break-after: avoid; } .pictures > div, .step, svg { break-inside: avoid; } details > summary { list-style: none; } }
`;

const STATE_CLASS: Readonly<Record<string, string>> = {
  done: 'ok',
  'walked-back': 'ok',
  skipped: 'grey',
  pending: 'grey',
  planned: 'grey',
  running: 'info',
  verifying: 'info',
  interrupted: 'warn',
  refused: 'warn',
  'rolling-back': 'warn',
  'rolled-back': 'warn',
  failed: 'bad',
  'rollback-failed': 'bad',
};

const badge = (state: string): string => `<span class="badge ${STATE_CLASS[state] ?? 'grey'}">${e(state)}</span>`;
const time = (iso: string | undefined): string => (iso === undefined ? '–' : e(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
const clock = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString().slice(11, 23) : '–');
const secs = (ms: number | undefined): string => (ms === undefined ? '–' : ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatOffset(ms));
const list = (items: readonly string[]): string => (items.length === 0 ? '<span class="muted">—</span>' : `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`);

/** The span the charts cover: the run, its phases and the probe's samples. */
export function computeReportSpan(r: RunReport): { from: number; to: number } {
  const times: number[] = [];
  for (const iso of [r.startedAt, r.endedAt, ...r.phases.flatMap((p) => [p.startedAt, p.finishedAt])]) if (iso !== undefined) times.push(Date.parse(iso));
  const samples = r.latency?.samples ?? [];
  if (samples.length > 0) times.push((samples[0] as { t: number }).t, (samples[samples.length - 1] as { t: number }).t);
  const valid = times.filter(Number.isFinite);
  if (valid.length === 0) {
    const now = Date.parse(r.generatedAt);
    return { from: now, to: now + 1000 };
  }
  return { from: Math.min(...valid), to: Math.max(...valid) };
}

function renderFacts(r: RunReport): string {
  const a = r.inventory.access;
  const access = a.mode === 'lab' ? `lab${a.labDir !== undefined ? ` (${a.labDir})` : ''}` : `ssh as ${a.user} (port ${a.port}), key file ${a.keyFile}, known hosts ${a.knownHosts}${a.sudo ? ', sudo' : ''}`;
  const rows: [string, string][] = [
    ['State', `${badge(r.state)}${r.mode === 'rollback' ? ' <span class="muted">(a walk-back run: <code>ferry rollback</code>)</span>' : ''}`],
    ['Inventory', `${e(r.inventory.name)} <span class="muted mono">${e(r.inventory.path)} · sha256 ${e(r.inventory.sha256.slice(0, 12))}…</span>`],
    ['Started', time(r.startedAt)],
    ['Last event', `${time(r.endedAt)}${r.durationMs !== undefined ? ` <span class="muted">(${e(secs(r.durationMs))})</span>` : ''}`],
    ['Hosts reached by', e(access)],
    ...(r.inventory.credentialsFile !== undefined ? ([['DomeOS credentials', `read from <code>${e(r.inventory.credentialsFile)}</code> (contents never recorded)`]] as [string, string][]) : []),
    ['Run folder', `<code>${e(r.runDir)}</code>`],
    ['ferry', e(r.ferryVersion ?? '?')],
    ['Report made', time(r.generatedAt)],
  ];
  return `<table class="facts">${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function renderProblems(r: RunReport): string {
  if (r.problems.length === 0 && r.rollbacks.length === 0) return '<p>No errors; nothing was rolled back.</p>';
  const problems = r.problems.length === 0 ? '' : `<table><tr><th>Time</th><th>Where</th><th>Error</th></tr>${r.problems
    .map((p) => `<tr><td class="mono">${time(p.at)}</td><td class="mono">${e([p.stepId, p.action].filter((x) => x !== undefined).join(' / ') || 'run')}</td><td><strong class="err">${e(p.code)}</strong> ${e(p.message)}${p.hint !== undefined ? `<br><span class="muted">hint: ${e(p.hint)}</span>` : ''}</td></tr>`)
    .join('')}</table>`;
  const rollbacks = r.rollbacks.length === 0 ? '<p>Nothing was rolled back.</p>' : `<h3>Rollbacks</h3><table><tr><th>Time</th><th>Step</th><th>Outcome</th></tr>${r.rollbacks.map((b) => `<tr><td class="mono">${time(b.at)}</td><td class="mono">${e(b.stepId)}</td><td>${badge(b.state)}</td></tr>`).join('')}</table>`;
  return problems + rollbacks;
}

function renderCharts(r: RunReport): string {
  const span = computeReportSpan(r);
  const axis = buildTimeAxis(span.from, span.to, CHART_LEFT, CHART_RIGHT);
  const timeline = renderPhaseTimelineSvg(r.phases, axis, span.to);
  const latency =
    r.latency === undefined
      ? '<p class="muted">No latency recording (latency.jsonl) in this run folder.</p>'
      : `<p class="muted">One put of one key every 500 ms over the old and new client URLs, for the whole run; dashed lines: phase starts.</p>${renderLatencyChartSvg(r.latency.samples, r.latency.summary, r.phases, axis)}`;
  return `<h2>Timeline of phases</h2><p class="muted">Time since ${time(new Date(span.from).toISOString())}.</p><div class="chart">${timeline}</div><h2>etcd write latency</h2><div class="chart">${latency}</div>`;
}

function renderPictures(r: RunReport): string {
  const one = (title: string, p: RunReport['before']) => `<div>${p === undefined ? `<p class="muted">${e(title)}: no picture in this run folder.</p>` : renderPictureSvg(p, { title })}</div>`;
  return `<h2>The cluster before and after</h2><div class="pictures">${one('Before', r.before)}${one('After', r.after)}</div>`;
}

function renderFiles(r: RunReport): string {
  if (r.files.length === 0) return '<h2>Files changed</h2><p>No file was changed.</p>';
  const rows = r.files.map((f) => `<tr><td class="mono">${e(f.host)}</td><td class="mono">${e(f.path)}</td><td class="mono">${f.backup !== undefined ? e(f.backup) : '<span class="muted">new file (no backup needed)</span>'}</td><td class="mono muted">${e(f.stepId)}</td></tr>`);
  return `<h2>Files changed (${r.files.length})</h2><table><tr><th>Host</th><th>File</th><th>Backup of the original</th><th>Step</th></tr>${rows.join('')}</table>`;
}

function renderCommands(r: RunReport): string {
  if (r.commands === undefined) return '<h2>Commands run on hosts</h2><p class="muted">No command recording (commands.jsonl) in this run folder.</p>';
  const groups = groupCommandsByHost(r.commands);
  if (groups.length === 0) return '<h2>Commands run on hosts</h2><p>No command was run on any host.</p>';
  const body = groups.map((g) => {
    const rows = g.commands.map((c) => {
      const outcome = c.error !== undefined ? `<span class="err">${e(c.error)}${c.exitCode !== undefined ? ` (exit ${c.exitCode})` : ''}</span>` : c.exitCode !== undefined ? `exit ${c.exitCode}` : 'ok';
      return `<tr><td class="mono">${clock(c.t)}</td><td class="mono">${e(describeCommand(c))}</td><td>${outcome}</td><td class="mono">${e(`${Math.round(c.durationMs)} ms`)}</td></tr>`;
    });
    return `<details open><summary>${e(g.host)} <span class="muted">(${g.commands.length})</span></summary><table class="cmds"><tr><th>Time (UTC)</th><th>Command</th><th>Result</th><th>Took</th></tr>${rows.join('')}</table></details>`;
  });
  return `<h2>Commands run on hosts (${r.commands.length} on ${groups.length} hosts)</h2><p class="muted">Service actions are shown as the systemctl command they stand for. Never recorded: standard input, file contents, environment.</p>${body.join('')}`;
}

function renderPlan(r: RunReport): string {
  const byPhase = r.phases.map((p) => {
    const steps = r.steps.filter((s) => s.phase === p.id).map(
      (s) =>
        `<div class="step"><div>${badge(s.state)} <strong>${e(s.title)}</strong> <span class="muted mono">${e(s.id)}</span> <span class="muted">${e(secs(s.durationMs))}${s.attempts > 1 ? `, ${s.attempts} attempts` : ''}</span></div>` +
        `${s.error !== undefined ? `<div class="err">${e(s.error.code)}: ${e(s.error.message)}</div>` : ''}` +
        `${s.lastProgress !== undefined ? `<div class="muted">last progress: ${e(s.lastProgress)}</div>` : ''}` +
        `<div class="dcu"><div><em>does</em>${list(s.does)}</div><div><em>checks</em>${list(s.checks)}</div><div><em>undoes</em>${list(s.undoes)}</div></div></div>`,
    );
    return `<h3>Phase ${p.id}. ${e(p.title)}</h3>${steps.join('')}`;
  });
  return `<h2>The plan, step by step</h2>${byPhase.join('')}`;
}

export function renderHtmlReport(r: RunReport): string {
  const notes = r.notes.length === 0 ? '' : `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`;
  const missing = r.missing.length === 0 ? '' : `<p class="muted">Not in this run folder: ${e(r.missing.join(', '))}.</p>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(`ferry run ${r.runId} — ${r.inventory.name} — ${r.state}`)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>ferry run ${e(r.runId)}</h1><p class="muted">Migration report for <strong>${e(r.inventory.name)}</strong></p>`,
    renderFacts(r),
    `<h2>Errors and rollbacks</h2>${renderProblems(r)}`,
    renderCharts(r),
    renderPictures(r),
    renderFiles(r),
    renderCommands(r),
    renderPlan(r),
    notes,
    missing,
    '</body></html>',
    '',
  ].join('\n');
}
