/**
 * Reads an inventory file: YAML → {@link validateInventory} → the normalized {@link Inventory}, or an
 * {@link InventoryError} carrying every problem (exit code 2). The sha256 of the file's bytes lets a saved plan
 * refuse to run against an inventory that has changed since.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ExitCode, FerryError, inputError, messageOf } from '../errors.ts';
import type { FerryErrorOptions } from '../errors.ts';
import type { Inventory, InventoryProblem } from './types.ts';
import { validateInventory } from './validate.ts';
import type { ValidateOptions } from './validate.ts';

export { renderProblems } from './problems.ts';

/** The path used for problems of the file itself (unreadable YAML, no document). */
export const FILE_PATH = '(file)';

/** INVENTORY_INVALID, with every problem found (errors and warnings, sorted by path). */
export class InventoryError extends FerryError {
  readonly problems: readonly InventoryProblem[];

  constructor(message: string, problems: readonly InventoryProblem[], options: Omit<FerryErrorOptions, 'exitCode'> = {}) {
    super('INVENTORY_INVALID', message, { ...options, exitCode: ExitCode.badInput });
    this.problems = problems;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems };
  }
}

export interface LoadedInventory {
  readonly inventory: Inventory;
  /** Problems of severity 'warning' (the inventory is usable; show them to the operator). */
  readonly warnings: InventoryProblem[];
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
}

/** YAML errors as problems, e.g. `YAML syntax error at line 3:1: Map keys must be unique`. */
export function parseInventoryYaml(text: string): { value?: unknown; problems: InventoryProblem[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problems: InventoryProblem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    const base = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    const at = pos === undefined ? '' : ` at line ${pos.line}:${pos.col}`;
    return {
      path: FILE_PATH,
      severity: 'error',
      message: `YAML syntax error${at}: ${base}`,
      hint: 'fix the YAML at that place (indentation, a missing quote or bracket, a repeated key)',
    };
  });
  if (problems.length > 0) return { problems };
  try {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) {
      return {
        problems: [{ path: FILE_PATH, severity: 'error', message: 'the file holds no YAML document (it is empty)', hint: 'start from examples/seed.yaml' }],
      };
    }
    return { value, problems };
  } catch (err) {
    // toJS throws for an alias without its anchor, or too many aliases.
    return { problems: [{ path: FILE_PATH, severity: 'error', message: `YAML error: ${messageOf(err)}`, hint: 'fix the alias (*name) so that its anchor (&name) comes first' }] };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function readInventory(path: string, options: ValidateOptions = {}): Promise<LoadedInventory> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw inputError('INVENTORY_NOT_FOUND', `inventory file ${path} does not exist`, {
        hint: 'check the path; examples/seed.yaml shows how an inventory looks',
        subjects: { file: path },
      });
    }
    throw inputError('INVENTORY_UNREADABLE', `cannot read inventory file ${path}: ${code ?? messageOf(err)}`, {
      hint: 'check that it is a readable file',
      subjects: { file: path },
      cause: err,
    });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const parsed = parseInventoryYaml(bytes.toString('utf8'));
  const { inventory, problems } =
    parsed.problems.length > 0 ? { inventory: undefined, problems: parsed.problems } : validateInventory(parsed.value, options);
  const errors = problems.filter((p) => p.severity === 'error');
  if (inventory === undefined || errors.length > 0) {
    const warnings = problems.length - errors.length;
    const extra = warnings > 0 ? ` (and ${plural(warnings, 'warning')})` : '';
    throw new InventoryError(`${path}: ${plural(errors.length, 'problem')}${extra}`, problems, {
      hint: 'fix each problem listed (each names its place in the file), then run again',
      subjects: { file: path },
    });
  }
  return { inventory, warnings: problems.filter((p) => p.severity === 'warning'), sha256 };
}
