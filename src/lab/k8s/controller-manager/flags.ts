/**
 * Command-line handling shared by the lab's kube-controller-manager and kube-scheduler: Go/pflag style flags
 * (`--flag=value`, `--flag value`, `-flag=value`).
 */
import { inputError } from '../../../errors.ts';
import { parseGoDuration } from '../common/go-duration.ts';

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
