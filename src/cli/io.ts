/**
 * The CLI's view of the terminal: where output goes, whether colour is wanted (only on a terminal, never with
 * NO_COLOR), and how errors are printed: code, what happened, where, and what to try.
 */
import { BugError, FerryError, messageOf } from '../errors.ts';
import { InventoryError, renderProblems } from '../inventory/load.ts';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  readonly isTty: boolean;
  /** Ask a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly env: Readonly<Record<string, string | undefined>>;
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
      (err.hint ? `  hint: ${err.hint}\n` : '')
    );
  }
  if (err instanceof BugError) return `${red(io, 'error BUG')}: ${err.message}\n${err.stack ?? ''}\n`;
  return `${red(io, 'error UNEXPECTED')}: ${messageOf(err)}\n  hint: this is probably a bug in ferry; please report it with the command you ran\n${err instanceof Error ? (err.stack ?? '') : ''}\n`;
}
