/**
 * Reads an inventory file: YAML → {@link validateInventory} → the normalized {@link Inventory}, or an
 * {@link InventoryError} carrying every problem (exit code 2). The sha256 of the file's bytes lets a saved plan
 * refuse to run against an inventory that has changed since.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { ExitCode, FerryError, inputError, messageOf } from '../errors.ts';
import type { FerryErrorOptions } from '../errors.ts';
import type { Inventory, InventoryProblem } from './types.ts';
import { validateInventory } from './validate.ts';
import type { ValidateOptions } from './validate.ts';

import { decodeInventoryBytes, MAX_INVENTORY_BYTES, parseInventoryYaml } from './yaml-text.ts';

export { renderProblems } from './problems.ts';
export { FILE_PATH, parseInventoryYaml } from './yaml-text.ts';

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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

function tooLarge(path: string, size: number, atLeast = false): FerryError {
  return inputError('INVENTORY_TOO_LARGE', `inventory file ${path} is ${atLeast ? 'more than ' : ''}${megabytes(size)}; the limit is ${megabytes(MAX_INVENTORY_BYTES)}`, {
    hint: 'an inventory of 10 000 nodes is about 0.6 MB: check that -f names the inventory, not another file',
    subjects: { file: path },
  });
}

/**
 * The file's bytes, refusing one larger than {@link MAX_INVENTORY_BYTES} without loading it: a regular file by its
 * size, anything else (a pipe, /dev/zero) by reading at most one byte more than the limit.
 */
async function readBounded(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (st.isFile() && st.size > MAX_INVENTORY_BYTES) throw tooLarge(path, st.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_INVENTORY_BYTES) throw tooLarge(path, total, true);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks);
  } finally {
    await fh.close();
  }
}

export async function readInventory(path: string, options: ValidateOptions = {}): Promise<LoadedInventory> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(path);
  } catch (err) {
    if (err instanceof FerryError) throw err;
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
  const decoded = decodeInventoryBytes(bytes);
  const parsed = decoded.text === undefined ? { problems: decoded.problems } : parseInventoryYaml(decoded.text);
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
