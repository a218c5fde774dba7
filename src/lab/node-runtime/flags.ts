/**
 * Command-line flags the way the node programs read them (pure), so a stand-in accepts and refuses exactly what
 * the real binary would:
 * - `pflag` (spf13/pflag, Kubernetes 1.4 components): `--name=value`, `--name value`, bool `--name` or
 *   `--name=false`; `_` in a name reads as `-` (Kubernetes' WordSepNormalizeFunc); arguments that are not flags
 *   may be interspersed; `--` ends the flags. An unknown flag is `unknown flag: --name`.
 * - `go` (Go's `flag` package, flanneld): `-name=value`, `--name=value`, `-name value`, bool `-name`; the first
 *   argument that is not a flag ends the flags. An unknown flag is `flag provided but not defined: -name`.
 * Both real programs print the error and usage and exit with status 2.
 */

export const FlagStyle = { pflag: 'pflag', go: 'go' } as const;
export type FlagStyle = (typeof FlagStyle)[keyof typeof FlagStyle];

export type FlagKind = 'string' | 'bool';

/** Flag name (without dashes, with `-` as word separator) → kind. */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

export type FlagParseResult =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string>; readonly positional: readonly string[] }
  | { readonly ok: false; readonly message: string };

const BOOL_VALUES: Readonly<Record<string, string>> = { true: 'true', false: 'false', '1': 'true', '0': 'false', t: 'true', f: 'false', TRUE: 'true', FALSE: 'false', True: 'true', False: 'false' };

/**
 * Parse `args` (without argv[0]). Values are strings; bools are `true` / `false`. A flag given twice keeps the
 * last value, as both libraries do.
 */
export function parseFlags(args: readonly string[], spec: FlagSpec, style: FlagStyle): FlagParseResult {
  const values = new Map<string, string>();
  const positional: string[] = [];
  const dash = style === FlagStyle.go ? '-' : '--';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    const isFlag = style === FlagStyle.go ? arg.startsWith('-') && arg.length > 1 : arg.startsWith('--') && arg.length > 2;
    if (!isFlag) {
      if (style === FlagStyle.go) {
        positional.push(...args.slice(i));
        break;
      }
      if (arg.startsWith('-') && arg.length > 1) return { ok: false, message: `unknown shorthand flag: '${arg.slice(1, 2)}' in ${arg}` };
      positional.push(arg);
      continue;
    }
    const body = arg.slice(arg.startsWith('--') ? 2 : 1);
    const eq = body.indexOf('=');
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = style === FlagStyle.pflag ? rawName.replace(/_/g, '-') : rawName;
    if (name === '' || name.startsWith('-') || name.startsWith('=')) return { ok: false, message: `bad flag syntax: ${arg}` };
    const kind = spec[name];
    if (kind === undefined) {
      return { ok: false, message: style === FlagStyle.go ? `flag provided but not defined: -${rawName}` : `unknown flag: --${rawName}` };
    }
    if (kind === 'bool') {
      if (eq < 0) {
        values.set(name, 'true');
        continue;
      }
      const v = BOOL_VALUES[body.slice(eq + 1)];
      if (v === undefined) return { ok: false, message: `invalid argument "${body.slice(eq + 1)}" for ${dash}${rawName}: parse error` };
      values.set(name, v);
      continue;
    }
    if (eq >= 0) {
      values.set(name, body.slice(eq + 1));
      continue;
    }
    const next = args[i + 1];
    if (next === undefined) return { ok: false, message: `flag needs an argument: ${dash}${rawName}` };
    values.set(name, next);
    i++;
  }
  return { ok: true, values, positional };
}

/** Split a comma list, dropping empty entries and surrounding spaces (`a, b,` → [a, b]). */
export function splitCommaList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** A positive decimal integer, or undefined. */
export function parsePositiveInt(text: string): number | undefined {
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}
