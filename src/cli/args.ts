/**
 * Argument parsing for every command, on node:util parseArgs: unknown flags are errors with exit code 2. Commands
 * listed in flags.ts parse with {@link parseCommand}, so their flags are the ones shell completion offers.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { inputError } from '../errors.ts';
import { COMMAND_SPECS, GLOBAL_FLAGS, OUTPUT_FORMATS, type CommandName, type CommandSpec } from './flags.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags {@link parse} adds to every command's own. */
export const common = {
  help: { type: 'boolean', short: 'h' },
  output: { type: 'string', short: 'o' },
  'no-color': { type: 'boolean' },
} as const satisfies Options;

/** parseArgs wants only its own keys in an option's config: drop flags.ts's completion and description. */
function toParseOptions(flags: Readonly<Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>): Options {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.short !== undefined ? { short: f.short } : {}), ...(f.multiple === true ? { multiple: true } : {}) }]),
  );
}

function run<O extends Options>(command: string, argv: readonly string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true });
  } catch (err) {
    throw inputError('CLI_USAGE', `ferry ${command}: ${(err as Error).message}`, { hint: `see \`ferry ${command} --help\`` });
  }
}

export function parse<O extends Options>(command: string, argv: readonly string[], options: O, allowPositionals = false) {
  return run(command, argv, { ...common, ...options }, allowPositionals);
}

type FlagValue<F> = F extends { readonly type: 'boolean' } ? boolean : F extends { readonly multiple: true } ? string[] : string;
/** The values of a command's flags, typed from flags.ts: absent when not given. */
export type FlagValues<F> = { -readonly [K in keyof F]?: FlagValue<F[K]> };
export interface Parsed<N extends CommandName> {
  readonly values: FlagValues<(typeof COMMAND_SPECS)[N]['flags'] & typeof GLOBAL_FLAGS>;
  readonly positionals: string[];
}

/**
 * Parse a command's arguments with its flags from flags.ts (and, for `ferry lab up`, only the ones that subcommand
 * takes). A value outside a flag's fixed list (`-o xml`, `--scope nodes`) is refused here, for every command alike.
 */
export function parseCommand<N extends CommandName>(name: N, argv: readonly string[], subcommand?: string): Parsed<N> {
  const spec: CommandSpec = COMMAND_SPECS[name];
  const label = subcommand === undefined ? name : `${name} ${subcommand}`;
  const parsed = run(label, argv, toParseOptions({ ...spec.flags, ...GLOBAL_FLAGS }), spec.positional !== undefined);
  const allowed = subcommand === undefined ? undefined : spec.subcommands?.[subcommand]?.flags;
  if (allowed !== undefined) {
    const stray = Object.keys(parsed.values).filter((k) => !allowed.includes(k) && !(k in GLOBAL_FLAGS));
    if (stray.length > 0) {
      const flag = stray[0] as string;
      const owners = Object.entries(spec.subcommands ?? {}).filter(([, s]) => s.flags.includes(flag)).map(([s]) => `ferry ${name} ${s}`);
      throw inputError('CLI_USAGE', `ferry ${label}: --${flag} is not an option of this subcommand${owners.length > 0 ? ` (it is one of ${owners.join(', ')})` : ''}`, {
        hint: `see \`ferry ${label} --help\``,
      });
    }
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    const choices = spec.flags[flag]?.complete;
    if (typeof value === 'string' && Array.isArray(choices) && !choices.includes(value)) throw badChoice(label, flag, value, choices);
  }
  return { values: parsed.values, positionals: parsed.positionals } as unknown as Parsed<N>;
}

/** `-o must be text, json or yaml, not "xml"`: a value outside a flag's fixed list. */
function badChoice(command: string, flag: string, value: string, choices: readonly string[]) {
  const list = choices.length === 1 ? choices[0] : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
  const name = flag === 'output' ? '-o' : `--${flag}`;
  return inputError('CLI_USAGE', `ferry ${command}: ${name} must be ${list}, not ${JSON.stringify(value)}`, {
    hint: flag === 'output' ? '-o text (the default: for people), -o json or -o yaml (for programs)' : `e.g. ${name} ${choices[0]}`,
  });
}

export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export function outputFormat(command: string, value: string | undefined): OutputFormat {
  const v = value ?? 'text';
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw badChoice(command, 'output', v, OUTPUT_FORMATS);
}
