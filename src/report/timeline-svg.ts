/**
 * The run's timeline as a horizontal bar chart (pure SVG): one row per runbook phase, a bar from its first step's
 * start to its last step's end, coloured by how it ended (done, failed, rolled back, still running), on the time
 * axis the latency chart shares.
 */
import { escapeXml, fmtCoord, truncateText } from './escape.ts';
import { formatOffset, renderTimeTicks, type TimeAxis } from './time-axis.ts';
import type { PhaseTimes } from './timeline.ts';

export const CHART_WIDTH = 900;
/** Where the plot starts: the labels' column on the left. */
export const CHART_LEFT = 260;
export const CHART_RIGHT = CHART_WIDTH - 20;

const ROW_H = 24;

/** The colour and word for a phase from its steps' states. */
export function computePhaseOutcome(states: readonly string[]): { readonly word: string; readonly color: string } {
  if (states.some((s) => s === 'rollback-failed' || s === 'failed')) return { word: 'failed', color: '#cf2e2e' };
  if (states.some((s) => s === 'rolled-back' || s === 'rolling-back')) return { word: 'rolled back', color: '#d97706' };
  if (states.some((s) => s === 'running' || s === 'verifying')) return { word: 'running', color: '#2563eb' };
  if (states.length > 0 && states.every((s) => s === 'done' || s === 'skipped')) return { word: 'done', color: '#1f9d55' };
  if (states.every((s) => s === 'pending')) return { word: 'not started', color: '#9aa5b1' };
  return { word: 'partly done', color: '#7c3aed' };
}

export function renderPhaseTimelineSvg(phases: readonly PhaseTimes[], axis: TimeAxis, endedAt: number): string {
  const top = 10;
  const height = top + phases.length * ROW_H + 28;
  const parts: string[] = [renderTimeTicks(axis, top, top + phases.length * ROW_H)];
  phases.forEach((p, i) => {
    const y = top + i * ROW_H;
    const outcome = computePhaseOutcome(p.states);
    const label = `${p.id}. ${p.title}`;
    parts.push(`<text x="${CHART_LEFT - 8}" y="${y + 16}" font-size="11" fill="#1f2933" text-anchor="end"><title>${escapeXml(label)}</title>${escapeXml(truncateText(label, 40))}</text>`);
    if (p.startedAt === undefined) {
      parts.push(`<text x="${CHART_LEFT + 4}" y="${y + 16}" font-size="10" fill="#9aa5b1">${escapeXml(outcome.word)}</text>`);
      return;
    }
    const from = Date.parse(p.startedAt);
    const to = p.finishedAt !== undefined ? Date.parse(p.finishedAt) : endedAt;
    const x1 = axis.x(from);
    const w = Math.max(2, axis.x(to) - x1);
    const dur = formatOffset(to - from);
    const tip = `${label}: ${outcome.word}, ${dur} (from +${formatOffset(from - axis.from)})`;
    parts.push(
      `<g><title>${escapeXml(tip)}</title><rect x="${fmtCoord(x1)}" y="${y + 5}" width="${fmtCoord(w)}" height="${ROW_H - 10}" rx="3" fill="${outcome.color}"/>` +
        // The duration after the bar, or before it when the bar ends near the right edge.
        (x1 + w + 80 <= CHART_RIGHT
          ? `<text x="${fmtCoord(x1 + w + 4)}" y="${y + 16}" font-size="10" fill="#52606d">`
          : `<text x="${fmtCoord(x1 - 4)}" y="${y + 16}" font-size="10" fill="#52606d" text-anchor="end">`) +
        `${escapeXml(`${dur} ${outcome.word}`)}</text></g>`,
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${height}" width="${CHART_WIDTH}" height="${height}" role="img" aria-label="timeline of phases" font-family="system-ui, sans-serif">` +
    parts.join('') +
    '</svg>'
  );
}
