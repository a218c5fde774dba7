/**
 * From an inventory file's bytes to a plain value, refusing what a hostile or broken file could do to ferry before
 * validation sees it: bytes that are not UTF-8, alias bombs ("billion laughs"), nesting deep enough to overflow the
 * stack, and YAML tags (`!!js/function`, `!shell`, `!!binary`…): an inventory holds only text, numbers, booleans,
 * lists and mappings. Every refusal is a problem at `(file)` with a line where there is one. Pure.
 */
import { isCollection, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { messageOf } from '../errors.ts';
import type { InventoryProblem } from './types.ts';

/** The path used for problems of the file itself (unreadable YAML, no document). */
export const FILE_PATH = '(file)';

/**
 * The largest inventory read. An inventory of 10 000 nodes is about 0.6 MB; anything near this limit is not an
 * inventory, and parsing it would only take time and memory.
 */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;
/** Aliases (`*name`) expanded at most: enough for shared settings, far too few for an alias bomb. */
export const MAX_ALIASES = 100;
/** Nesting of lists and mappings at most; an inventory needs 4 (`etcd.new[0].host`). */
export const MAX_DEPTH = 32;

function fileProblem(message: string, hint: string): InventoryProblem {
  return { path: FILE_PATH, severity: 'error', message, hint };
}

/** The bytes as text, or where the first byte that is not UTF-8 is (offset and line). */
export function decodeInventoryBytes(bytes: Uint8Array): { text?: string; problems: InventoryProblem[] } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), problems: [] };
  } catch {
    // Find the offset: decode growing prefixes would be quadratic, so scan for the first invalid sequence.
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).reduce((n, b) => (b === 0x0a ? n + 1 : n), 1);
    return {
      problems: [fileProblem(`the file is not UTF-8 text: byte ${offset} (line ${line}) is 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')}`, 'save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)')],
    };
  }
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return Math.max(0, b.length - 1);
}

function depthOf(value: unknown): number {
  // Iterative, so a deep value cannot overflow the stack here either.
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    max = Math.max(max, d);
    if (d > MAX_DEPTH) return d;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

const NESTED = (where: string): InventoryProblem =>
  fileProblem(`the YAML is nested more than ${MAX_DEPTH} levels deep${where}`, 'an inventory nests a few levels (etcd.new[0].host); this file is not an inventory');

/** The explicit tags of a document, as written, with their line: `!!js/function at line 3:7`. */
function explicitTags(doc: ReturnType<typeof parseDocument>, lines: LineCounter): string[] {
  const found: string[] = [];
  visit(doc, (_key, node) => {
    if (!(isScalar(node) || isCollection(node)) || node.tag === undefined) return;
    const shown = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
    const pos = node.range === undefined || node.range === null ? undefined : lines.linePos(node.range[0]);
    found.push(pos === undefined ? shown : `${shown} at line ${pos.line}:${pos.col}`);
  });
  return found;
}

/** YAML errors as problems, e.g. `YAML syntax error at line 3:1: Map keys must be unique`. */
export function parseInventoryYaml(text: string): { value?: unknown; problems: InventoryProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  const problems: InventoryProblem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    const at = pos === undefined ? '' : ` at line ${pos.line}:${pos.col}`;
    // The parser is recursive: a deep enough nesting overflows its stack, which it reports as an error.
    if (e.message.includes('Maximum call stack size exceeded')) return NESTED(at);
    const base = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return fileProblem(`YAML syntax error${at}: ${base}`, 'fix the YAML at that place (indentation, a missing quote or bracket, a repeated key)');
  });
  if (problems.length > 0) return { problems };
  const tags = explicitTags(doc, lines);
  if (tags.length > 0) {
    return {
      problems: [fileProblem(`YAML tags are not allowed in an inventory: ${tags.slice(0, 3).join(', ')}${tags.length > 3 ? `, and ${tags.length - 3} more` : ''}`, 'remove the tag (the `!` word before the value): an inventory holds only text, numbers, true/false, lists and mappings')],
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    if (err instanceof RangeError) return { problems: [NESTED('')] };
    // toJS throws for an alias without its anchor, or too many aliases.
    const many = /excessive alias count/i.test(messageOf(err));
    return {
      problems: [
        fileProblem(
          many ? `YAML error: the aliases (*name) expand to more than ${MAX_ALIASES} copies (an alias bomb?)` : `YAML error: ${messageOf(err)}`,
          many ? 'write the values out instead of nesting aliases of aliases' : 'fix the alias (*name) so that its anchor (&name) comes first',
        ),
      ],
    };
  }
  if (value === null || value === undefined) {
    return { problems: [fileProblem('the file holds no YAML document (it is empty)', 'start from examples/seed.yaml')] };
  }
  if (depthOf(value) > MAX_DEPTH) return { problems: [NESTED('')] };
  return { value, problems };
}
