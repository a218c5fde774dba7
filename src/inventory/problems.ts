/**
 * Problems found in an inventory: built with their path as segments (so they sort like the file reads:
 * `etcd.new[2]` before `etcd.new[10]`), then turned into {@link InventoryProblem}s with a dotted path.
 */
import type { InventoryProblem } from './types.ts';

/** One step of a path: an object key or an array index. */
export type Segment = string | number;

export interface Finding {
  readonly segments: readonly Segment[];
  readonly severity: InventoryProblem['severity'];
  readonly message: string;
  readonly hint?: string;
}

export function error(segments: readonly Segment[], message: string, hint?: string): Finding {
  return hint === undefined ? { segments, severity: 'error', message } : { segments, severity: 'error', message, hint };
}

export function warning(segments: readonly Segment[], message: string, hint?: string): Finding {
  return hint === undefined
    ? { segments, severity: 'warning', message }
    : { segments, severity: 'warning', message, hint };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['etcd', 'new', 1, 'peerURL']` → `etcd.new[1].peerURL`; keys that are not identifiers → `hosts["10.0.0.1"]`. */
export function formatPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as Segment;
    const y = b[i] as Segment;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sorted by path (indexes compared as numbers), errors before warnings at the same path; otherwise stable. */
export function toProblems(findings: readonly Finding[]): InventoryProblem[] {
  const sorted = [...findings].sort(
    (a, b) =>
      compareSegments(a.segments, b.segments) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
  return sorted.map((f) => {
    const path = formatPath(f.segments);
    return f.hint === undefined
      ? { path, severity: f.severity, message: f.message }
      : { path, severity: f.severity, message: f.message, hint: f.hint };
  });
}

/** A value as a message shows it: strings quoted, long ones cut, lists and mappings named rather than dumped. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    return JSON.stringify(cut);
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const LABEL_WIDTH = 8;

/**
 * One line per problem, then its hint indented under it:
 * ```
 * error   etcd.new[1].peerURL: peerURL host 10.17.33.21 differs from member host 10.17.33.22
 *         hint: …
 * ```
 */
export function renderProblems(problems: readonly InventoryProblem[]): string {
  const lines: string[] = [];
  for (const p of problems) {
    lines.push(`${p.severity.padEnd(LABEL_WIDTH)}${p.path}: ${p.message}`);
    if (p.hint !== undefined) lines.push(`${' '.repeat(LABEL_WIDTH)}hint: ${p.hint}`);
  }
  return lines.join('\n');
}
