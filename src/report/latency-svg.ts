/**
 * etcd write latency across the run as a scatter chart (pure SVG): one dot per probe sample on a log scale (a
 * loopback put takes ~1 ms, a leader election ~1 s: both must be readable), failed samples as red marks in a band
 * on top, and the phase boundaries as dashed lines labelled with the phase number, on the timeline's time axis.
 */
import type { LatencySample } from '../run/recording-files.ts';
import { escapeXml, fmtCoord } from './escape.ts';
import type { LatencySummary } from './run-report.ts';
import { CHART_LEFT, CHART_RIGHT, CHART_WIDTH } from './timeline-svg.ts';
import { renderTimeTicks, type TimeAxis } from './time-axis.ts';
import type { PhaseTimes } from './timeline.ts';

const HEIGHT = 230;
const FAIL_TOP = 8;
const PLOT_TOP = 30;
const PLOT_BOTTOM = 200;
/** Above this many samples, each pixel column keeps only its fastest and slowest sample. */
const MAX_DOTS = 2500;

const fmtMs = (ms: number): string => (!Number.isFinite(ms) ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const fmtTick = (ms: number): string => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

/** The samples to draw: all, or per pixel column the min and max when there are too many. */
export function thinSamples(samples: readonly LatencySample[], axis: TimeAxis): LatencySample[] {
  const ok = samples.filter((s) => s.ms !== null);
  if (ok.length <= MAX_DOTS) return ok;
  const columns = new Map<number, { min: LatencySample; max: LatencySample }>();
  for (const s of ok) {
    const col = Math.round(axis.x(s.t));
    const c = columns.get(col);
    if (c === undefined) columns.set(col, { min: s, max: s });
    else {
      if ((s.ms as number) < (c.min.ms as number)) c.min = s;
      if ((s.ms as number) > (c.max.ms as number)) c.max = s;
    }
  }
  return [...columns.values()].flatMap((c) => (c.min === c.max ? [c.min] : [c.min, c.max]));
}

export function renderLatencyChartSvg(samples: readonly LatencySample[], summary: LatencySummary, phases: readonly PhaseTimes[], axis: TimeAxis): string {
  const parts: string[] = [renderTimeTicks(axis, PLOT_TOP, PLOT_BOTTOM)];
  let min = 1;
  let max = 0;
  for (const s of samples) {
    if (s.ms === null) continue;
    min = Math.min(min, s.ms);
    max = Math.max(max, s.ms);
  }
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, min)));
  let hi = 10 ** Math.ceil(Math.log10(Math.max(max, lo * 10)));
  if (hi <= lo) hi = lo * 10;
  const y = (ms: number): number => PLOT_BOTTOM - ((Math.log10(Math.min(hi, Math.max(lo, ms))) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (PLOT_BOTTOM - PLOT_TOP);
  for (let v = lo; v <= hi; v *= 10) {
    const yy = fmtCoord(y(v));
    parts.push(`<line x1="${CHART_LEFT}" y1="${yy}" x2="${CHART_RIGHT}" y2="${yy}" stroke="#e4e7eb"/>`);
    parts.push(`<text x="${CHART_LEFT - 6}" y="${fmtCoord(y(v) + 3)}" font-size="10" fill="#7b8794" text-anchor="end">${escapeXml(fmtTick(Number(v.toPrecision(3))))}</text>`);
  }
  parts.push(`<rect x="${CHART_LEFT}" y="${FAIL_TOP}" width="${CHART_RIGHT - CHART_LEFT}" height="14" fill="#fff5f5"/>`);
  parts.push(`<text x="${CHART_LEFT - 6}" y="${FAIL_TOP + 11}" font-size="10" fill="#cf2e2e" text-anchor="end">failed</text>`);
  for (const p of phases) {
    if (p.startedAt === undefined) continue;
    const x = fmtCoord(axis.x(Date.parse(p.startedAt)));
    parts.push(`<line x1="${x}" y1="${PLOT_TOP - 6}" x2="${x}" y2="${PLOT_BOTTOM}" stroke="#9aa5b1" stroke-dasharray="3 3"><title>${escapeXml(`phase ${p.id} starts: ${p.title}`)}</title></line>`);
    parts.push(`<text x="${fmtCoord(axis.x(Date.parse(p.startedAt)) + 2)}" y="${PLOT_TOP - 1}" font-size="9" fill="#52606d">${escapeXml(`P${p.id}`)}</text>`);
  }
  for (const s of samples) {
    if (s.ms !== null) continue;
    const x = fmtCoord(axis.x(s.t));
    parts.push(`<line x1="${x}" y1="${FAIL_TOP + 2}" x2="${x}" y2="${FAIL_TOP + 12}" stroke="#cf2e2e" stroke-width="1.5"><title>${escapeXml(`failed: ${s.error ?? 'no answer'}`)}</title></line>`);
  }
  const dots = thinSamples(samples, axis).map((s) => `<circle cx="${fmtCoord(axis.x(s.t))}" cy="${fmtCoord(y(s.ms as number))}" r="1.8"/>`);
  parts.push(`<g fill="#2563eb" fill-opacity="0.75">${dots.join('')}</g>`);
  const facts = [
    `${summary.samples} samples, ${summary.failed} failed`,
    `p50 ${fmtMs(summary.p50Ms)} · p99 ${fmtMs(summary.p99Ms)}`,
    `slowest ${fmtMs(summary.maxMs)}`,
  ];
  facts.forEach((f, i) => parts.push(`<text x="12" y="${PLOT_TOP + 40 + i * 16}" font-size="11" fill="#1f2933">${escapeXml(f)}</text>`));
  if (samples.length === 0) parts.push(`<text x="${(CHART_LEFT + CHART_RIGHT) / 2}" y="${(PLOT_TOP + PLOT_BOTTOM) / 2}" font-size="12" fill="#7b8794" text-anchor="middle">no samples</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${HEIGHT}" width="${CHART_WIDTH}" height="${HEIGHT}" role="img" aria-label="etcd write latency" font-family="system-ui, sans-serif">` +
    parts.join('') +
    '</svg>'
  );
}
