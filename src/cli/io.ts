/**
 * The CLI's view of the terminal: where output goes, whether colour is wanted (only on a terminal, never with
 * NO_COLOR), how data is printed (-o json / yaml), and how errors are printed: code, what happened, where, and what
 * to try.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BugError, FerryError, messageOf } from '../errors.ts';
import { InventoryError, renderProblems } from '../inventory/load.ts';
import type { OutputFormat } from './args.ts';
import { PACKAGE_ROOT } from './defaults.ts';

/** The complete list of error codes, each with what it means and what to do. */
export const ERRORS_DOC = join(PACKAGE_ROOT, 'docs', 'errors.md');

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  readonly isTty: boolean;
  /** Ask a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ColorContext {
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
}

/**
 * Colour only when both stdout and stderr are terminals (ferry colours both, so a log file behind either stays
 * clean), never with `--no-color`, with `NO_COLOR` set to anything but empty (https://no-color.org), or on a
 * `TERM=dumb` terminal.
 */
export function computeColor(c: ColorContext): boolean {
  if (c.argv.includes('--no-color')) return false;
  if ((c.env['NO_COLOR'] ?? '') !== '') return false;
  if (c.env['TERM'] === 'dumb') return false;
  return c.stdoutIsTty && c.stderrIsTty;
}

/** Data for programs: `-o json` (2-space indented, one trailing newline) or `-o yaml`. */
export function renderData(format: Exclude<OutputFormat, 'text'>, data: unknown): string {
  return format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data);
}

/**
 * The Io for words meant for people: stdout with `-o text`, stderr when stdout carries data (`-o json|yaml`), so
 * that `ferry apply -o json > outcome.json` holds only the JSON.
 */
export function humanIo(io: Io, format: OutputFormat): Io {
  return format === 'text' ? io : { ...io, out: io.err };
}

export function paint(io: Io, code: string, s: string): string {
  return io.color ? `\x1b[${code}m${s}\x1b[0m` : s;
}
export const red = (io: Io, s: string) => paint(io, '31', s);
export const green = (io: Io, s: string) => paint(io, '32', s);
export const yellow = (io: Io, s: string) => paint(io, '33', s);
export const dim = (io: Io, s: string) => paint(io, '2', s);
export const bold = (io: Io, s: string) => paint(io, '1', s);

export function renderError(io: Io, err: unknown): string {
  if (err instanceof InventoryError) {
    return `${red(io, `error ${err.code}`)}: ${err.message}\n${renderProblems(err.problems)}\n${err.hint ? `hint: ${err.hint}\n` : ''}`;
  }
  if (err instanceof FerryError) {
    const where = Object.entries(err.subjects).map(([k, v]) => `${k} ${v}`).join(', ');
    return (
      `${red(io, `error ${err.code}`)}: ${err.message}\n` +
      (where ? `  where: ${where}\n` : '') +
      // Every error says what to try: when the code has no hint of its own, its entry in docs/errors.md does.
      `  hint: ${err.hint ?? `${ERRORS_DOC}, section ${err.code}, says what it means and what to do`}\n`
    );
  }
  if (err instanceof BugError) return `${red(io, 'error BUG')}: ${err.message}\n${err.stack ?? ''}\n`;
  return `${red(io, 'error UNEXPECTED')}: ${messageOf(err)}\n  hint: this is probably a bug in ferry; please report it with the command you ran\n${err instanceof Error ? (err.stack ?? '') : ''}\n`;
}
