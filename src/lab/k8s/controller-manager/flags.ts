/**
 * Command-line handling shared by the lab's kube-controller-manager and kube-scheduler: Go/pflag style flags
 * (`--flag=value`, `--flag value`, `-flag=value`), Go durations (time.ParseDuration) and the Kubernetes version
 * taken from the path the program was invoked by (ISSUE3.md: …/k8s/<version>/<program>).
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { inputError } from '../../../errors.ts';

/** The lab's default Kubernetes version (DomeOS default), used when the path does not name one. */
export const DEFAULT_KUBE_VERSION = '1.4.7';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds: `40s`, `5m0s`, `1m30s`, `500ms`, `1.5h`, `0`. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (m === null) throw inputError('LAB_K8S_BAD_DURATION', `invalid duration "${text}"`, { hint: 'Use a Go duration such as 40s, 5m0s, 1m30s or 500ms.' });
  let total = 0;
  for (const part of (m[2] ?? '').matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0);
  }
  return m[1] === '-' ? -total : total;
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

export interface FlagSpec {
  /** Flags without a value (`--version`). */
  readonly bools: readonly string[];
  /** Flags that take a value. */
  readonly values: readonly string[];
}

export interface ParsedFlags {
  /** Known flags given, by name without dashes; bools are 'true' unless given `=false`. */
  readonly values: ReadonlyMap<string, string>;
  /** One line per ignored word, for stderr. */
  readonly warnings: readonly string[];
}

/**
 * pflag-like parsing. Unknown flags are ignored with a warning (the real components would refuse them; the lab
 * must survive whatever a DomeOS sysconfig passes). A known value flag without `=` takes the next word.
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec): ParsedFlags {
  const values = new Map<string, string>();
  const warnings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '') continue;
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(word);
    if (m === null || word === '-' || word === '--') {
      warnings.push(`ignoring argument "${word}"`);
      continue;
    }
    const name = m[1] ?? '';
    const inline = m[2];
    if (spec.bools.includes(name)) {
      values.set(name, inline ?? 'true');
    } else if (spec.values.includes(name)) {
      if (inline !== undefined) values.set(name, inline);
      else if (i + 1 < argv.length) values.set(name, argv[++i] ?? '');
      else warnings.push(`flag --${name} needs a value; ignored`);
    } else {
      warnings.push(`ignoring unknown flag --${name}`);
    }
  }
  return { values, warnings };
}

/** A bool flag's value: `--version`, `--version=true` → true; `--version=false` → false. */
export function flagIsSet(flags: ParsedFlags, name: string): boolean {
  const v = flags.values.get(name);
  return v !== undefined && v !== 'false' && v !== '0';
}

/** `--master` as a base URL: required; `host:port` gets `http://`. */
export function parseMasterFlag(flags: ParsedFlags): string {
  const raw = (flags.values.get('master') ?? '').trim();
  if (raw === '') throw inputError('LAB_K8S_NO_MASTER', '--master is required', { hint: 'Pass --master=http://<apiserver-ip>:<port>, as KUBE_MASTER in the sysconfig file does.' });
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw inputError('LAB_K8S_BAD_MASTER', `--master=${raw} is not an http(s) URL`, { hint: 'Use --master=http://host:port.' });
  }
  return url.replace(/\/+$/, '');
}

/** A duration flag in ms, or `defaultMs` when not given. */
export function parseDurationFlag(flags: ParsedFlags, name: string, defaultMs: number): number {
  const raw = flags.values.get(name);
  if (raw === undefined) return defaultMs;
  try {
    const ms = parseGoDuration(raw);
    if (ms < 0) throw new Error('negative');
    return ms;
  } catch {
    throw inputError('LAB_K8S_BAD_DURATION', `--${name}=${raw} is not a valid duration`, { hint: 'Use a Go duration such as 40s, 5m0s or 500ms.' });
  }
}

/**
 * The version directory the program was invoked through: realpath of the directory of `invokedAs`
 * (…/k8s/current → …/k8s/1.4.7) → `1.4.7`. Falls back to {@link DEFAULT_KUBE_VERSION} when that directory is not
 * a version (run straight from lab-bin/).
 */
export function readVersionFromPath(invokedAs: string | undefined): string {
  if (invokedAs === undefined || invokedAs === '') return DEFAULT_KUBE_VERSION;
  let dir: string;
  try {
    dir = realpathSync(dirname(resolve(invokedAs)));
  } catch {
    dir = dirname(resolve(invokedAs));
  }
  const name = basename(dir).replace(/^v/, '');
  return /^\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.-]+)?$/.test(name) ? name : DEFAULT_KUBE_VERSION;
}
