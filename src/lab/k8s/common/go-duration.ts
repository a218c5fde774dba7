/**
 * Go's `time.Duration` as the stand-ins' flags read and print it (pure), in milliseconds: every real program of
 * the lab (kubelet, kube-controller-manager, skydns, kube2sky) takes its durations through time.ParseDuration, so
 * one reading serves them all; what each refuses on top (zero, negative) is the caller's rule.
 */
import { inputError } from '../../../errors.ts';

/** Go accepts both micro signs: U+00B5 (µ) and U+03BC (μ). */
const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * time.ParseDuration in ms: `10s`, `1m30s`, `500ms`, `1.5h`, `-3s`, and `0` (with or without a sign) the only
 * number without a unit; undefined when Go would refuse the text (`10`, `10x`, `5 m`, '').
 */
export function parseGoDurationMs(text: string): number | undefined {
  const negative = text.startsWith('-');
  const rest = negative || text.startsWith('+') ? text.slice(1) : text;
  if (rest === '0') return 0;
  let total = 0;
  let at = 0;
  while (at < rest.length) {
    PART.lastIndex = at;
    const m = PART.exec(rest);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    at = PART.lastIndex;
  }
  if (at === 0) return undefined;
  return negative ? -total : total;
}

/**
 * The same, for the control-plane stand-ins, which report a bad duration as a ferry input error (exit 2); they
 * have always tolerated spaces around the value (a quoted sysconfig word).
 */
export function parseGoDuration(text: string): number {
  const ms = parseGoDurationMs(text.trim());
  if (ms === undefined) throw inputError('LAB_K8S_BAD_DURATION', `invalid duration "${text}"`, { hint: 'Use a Go duration such as 40s, 5m0s, 1m30s or 500ms.' });
  return ms;
}

/** Go's Duration.String() for whole milliseconds: 40000 → `40s`, 300000 → `5m0s`, 500 → `500ms`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (Math.abs(ms) < 1000) return `${ms}ms`;
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${Number((rest / 1000).toFixed(3))}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
