/**
 * The time axis the report's charts share (pure): a run's span mapped onto pixels, with "nice" ticks labelled as
 * time since the run started (`0:30`, `1:05:00`), so the timeline and the latency chart line up.
 */
import { escapeXml, fmtCoord } from './escape.ts';

export interface TimeAxis {
  readonly from: number;
  readonly to: number;
  /** Pixel x of time t (ms since the epoch). */
  x(t: number): number;
  readonly left: number;
  readonly right: number;
}

const STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400].map((s) => s * 1000);

export function buildTimeAxis(from: number, to: number, left: number, right: number): TimeAxis {
  const span = Math.max(1000, to - from);
  return { from, to: from + span, left, right, x: (t) => left + ((t - from) / span) * (right - left) };
}

/** `m:ss` or `h:mm:ss` for a duration in ms. */
export function formatOffset(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Tick times: the smallest nice step giving at most `maxTicks` ticks. */
export function computeTicks(axis: TimeAxis, maxTicks = 8): number[] {
  const span = axis.to - axis.from;
  const step = STEPS_MS.find((s) => Math.floor(span / s) + 1 <= maxTicks) ?? Math.ceil(span / (maxTicks - 1));
  const out: number[] = [];
  for (let t = 0; t <= span; t += step) out.push(axis.from + t);
  return out;
}

/** Grid lines and labels of the axis, from `top` to `bottom`, labels under `bottom`. */
export function renderTimeTicks(axis: TimeAxis, top: number, bottom: number): string {
  return computeTicks(axis)
    .map((t) => {
      const x = fmtCoord(axis.x(t));
      return (
        `<line x1="${x}" y1="${fmtCoord(top)}" x2="${x}" y2="${fmtCoord(bottom)}" stroke="#e4e7eb"/>` +
        `<text x="${x}" y="${fmtCoord(bottom + 13)}" font-size="10" fill="#7b8794" text-anchor="middle">${escapeXml(formatOffset(t - axis.from))}</text>`
      );
    })
    .join('');
}
