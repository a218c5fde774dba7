/** Argument parsing for every command, on node:util parseArgs: unknown flags are errors with exit code 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { inputError } from '../errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const common = {
  help: { type: 'boolean', short: 'h' },
  output: { type: 'string', short: 'o' },
  'no-color': { type: 'boolean' },
} as const satisfies Options;

export function parse<O extends Options>(command: string, argv: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options: { ...common, ...options }, allowPositionals, strict: true });
  } catch (err) {
    throw inputError('CLI_USAGE', `ferry ${command}: ${(err as Error).message}`, { hint: `see \`ferry ${command} --help\`` });
  }
}

export type OutputFormat = 'text' | 'json' | 'yaml';
export function outputFormat(command: string, value: string | undefined): OutputFormat {
  const v = value ?? 'text';
  if (v === 'text' || v === 'json' || v === 'yaml') return v;
  throw inputError('CLI_USAGE', `ferry ${command}: -o must be text, json or yaml, not ${JSON.stringify(v)}`, { hint: 'use -o json' });
}
