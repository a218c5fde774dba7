/**
 * Command-line flags the way the lab's stand-ins read them (pure). One parser, three readings — one per family
 * of real programs — so each stand-in accepts and refuses what its real binary would, or, for the control plane,
 * what the lab must survive:
 * - `pflag` (spf13/pflag: kubelet, kube-proxy 1.4): `--name=value`, `--name value`, bool `--name` or
 *   `--name=false`; `_` in a name reads as `-` (Kubernetes' WordSepNormalizeFunc); arguments that are not flags
 *   may be interspersed; `--` ends the flags. An unknown flag is `unknown flag: --name`.
 * - `go` (Go's `flag` package: flanneld, skydns, kube2sky): `-name=value`, `--name=value`, `-name value`, bool
 *   `-name`; the first argument that is not a flag ends the flags. An unknown flag is
 *   `flag provided but not defined: -name`.
 *   Both real programs print the error and usage and exit with status 2.
 * - `lenient` (kube-apiserver, kube-controller-manager, kube-scheduler): their real binaries are pflag programs,
 *   but the stand-ins must start whatever a DomeOS sysconfig passes them (KUBE_APISERVER_OPTS carries admission
 *   control, log levels, ...), so nothing is refused. Both `--name` and `-name` forms are read; an unknown flag is
 *   ignored together with the next word when that is not a flag (pflag would take it as the value); a word that
 *   is not a flag is ignored; an empty word (an empty variable expanded by the unit) is skipped. Each of these,
 *   and a known flag without its value, is a notice that the program words on stderr or treats as fatal.
 */
import { inputError } from '../../../errors.ts';
import { parseGoDuration } from './go-duration.ts';

export const FlagStyle = { pflag: 'pflag', go: 'go', lenient: 'lenient' } as const;
export type FlagStyle = (typeof FlagStyle)[keyof typeof FlagStyle];

export type FlagKind = 'string' | 'bool';

/** Flag name (without dashes, with `-` as word separator) → kind. */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** What the `lenient` reading let pass; always empty for the strict readings, which refuse instead. */
export type FlagNotice =
  | { readonly kind: 'unknown-flag'; readonly name: string }
  | { readonly kind: 'stray-argument'; readonly word: string }
  | { readonly kind: 'missing-value'; readonly name: string };

export interface ParsedFlags {
  readonly ok: true;
  readonly values: ReadonlyMap<string, string>;
  readonly positional: readonly string[];
  readonly notices: readonly FlagNotice[];
}

export type FlagParseResult = ParsedFlags | { readonly ok: false; readonly message: string };

const BOOL_VALUES: Readonly<Record<string, string>> = { true: 'true', false: 'false', '1': 'true', '0': 'false', t: 'true', f: 'false', TRUE: 'true', FALSE: 'false', True: 'true', False: 'false' };

/**
 * Parse `args` (without argv[0]). Values are strings; bools are `true` / `false`. A flag given twice keeps the
 * last value, as both libraries do. The `lenient` reading always succeeds.
 */
export function parseFlags(args: readonly string[], spec: FlagSpec, style: typeof FlagStyle.lenient): ParsedFlags;
export function parseFlags(args: readonly string[], spec: FlagSpec, style: FlagStyle): FlagParseResult;
export function parseFlags(args: readonly string[], spec: FlagSpec, style: FlagStyle): FlagParseResult {
  const values = new Map<string, string>();
  const positional: string[] = [];
  const notices: FlagNotice[] = [];
  const lenient = style === FlagStyle.lenient;
  const dash = style === FlagStyle.go ? '-' : '--';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (lenient && arg === '') continue;
    if (arg === '--' && !lenient) {
      positional.push(...args.slice(i + 1));
      break;
    }
    const isFlag = style === FlagStyle.pflag ? arg.startsWith('--') && arg.length > 2 : arg.startsWith('-') && arg.length > 1;
    if (!isFlag) {
      if (style === FlagStyle.go) {
        positional.push(...args.slice(i));
        break;
      }
      if (lenient) notices.push({ kind: 'stray-argument', word: arg });
      else if (arg.startsWith('-') && arg.length > 1) return { ok: false, message: `unknown shorthand flag: '${arg.slice(1, 2)}' in ${arg}` };
      else positional.push(arg);
      continue;
    }
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    const eq = body.indexOf('=');
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const name = style === FlagStyle.pflag ? rawName.replace(/_/g, '-') : rawName;
    if (name === '' || name.startsWith('-')) {
      if (!lenient) return { ok: false, message: `bad flag syntax: ${arg}` };
      notices.push({ kind: 'stray-argument', word: arg });
      continue;
    }
    const kind = spec[name];
    if (kind === undefined) {
      if (!lenient) return { ok: false, message: style === FlagStyle.go ? `flag provided but not defined: -${rawName}` : `unknown flag: --${rawName}` };
      const next = args[i + 1];
      if (inline === undefined && next !== undefined && !next.startsWith('-')) i++;
      notices.push({ kind: 'unknown-flag', name });
      continue;
    }
    if (kind === 'bool') {
      if (inline === undefined) values.set(name, 'true');
      else if (lenient) values.set(name, ['false', '0'].includes(inline.toLowerCase()) ? 'false' : 'true');
      else {
        const v = BOOL_VALUES[inline];
        if (v === undefined) return { ok: false, message: `invalid argument "${inline}" for ${dash}${rawName}: parse error` };
        values.set(name, v);
      }
      continue;
    }
    if (inline !== undefined) {
      values.set(name, inline);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) {
      if (!lenient) return { ok: false, message: `flag needs an argument: ${dash}${rawName}` };
      notices.push({ kind: 'missing-value', name });
      continue;
    }
    values.set(name, next);
    i++;
  }
  return { ok: true, values, positional, notices };
}

/** The control-plane stand-ins' reading of their command line: the values, and one warning line per notice. */
export interface LenientFlags {
  readonly values: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
}

/** A `lenient` notice as kube-controller-manager and kube-scheduler print it. */
export function describeFlagNotice(notice: FlagNotice): string {
  switch (notice.kind) {
    case 'unknown-flag':
      return `ignoring unknown flag --${notice.name}`;
    case 'stray-argument':
      return `ignoring argument "${notice.word}"`;
    case 'missing-value':
      return `flag --${notice.name} needs a value; ignored`;
  }
}

export function parseLenientFlags(args: readonly string[], spec: FlagSpec): LenientFlags {
  const parsed = parseFlags(args, spec, FlagStyle.lenient);
  return { values: parsed.values, warnings: parsed.notices.map(describeFlagNotice) };
}

/** A bool flag's value: `--version`, `--version=true` → true; `--version=false`, `--version=0`, absent → false. */
export function flagIsSet(flags: Pick<LenientFlags, 'values'>, name: string): boolean {
  return flags.values.get(name) === 'true';
}

/** `--master` as a base URL: required; `host:port` gets `http://`. */
export function parseMasterFlag(flags: Pick<LenientFlags, 'values'>): string {
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

/** A duration flag in ms, or `defaultMs` when not given; a negative one is refused. */
export function parseDurationFlag(flags: Pick<LenientFlags, 'values'>, name: string, defaultMs: number): number {
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

/** Split a comma list, dropping empty entries and surrounding spaces (`a, b,` → [a, b]). */
export function splitCommaList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** A positive decimal integer, or undefined. */
export function parsePositiveInt(text: string): number | undefined {
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}
