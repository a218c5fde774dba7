/**
 * Reading and rewriting one value in a shell-style sysconfig file while keeping every other byte: comments, blank
 * lines, each line's ending (LF or CRLF), trailing whitespace, other keys, `export`, inline comments and the quote
 * style of the assignment. Pure: text in, text out. The grammar and its limits are in shell-scan.ts.
 *
 * Also re-exports the flag and kubeconfig helpers, so callers import one module for "edit a node's config".
 */
import { inputError } from '../errors.ts';
import { scanSysconfig, type ScannedAssignment, type SysconfigQuote } from './shell-scan.ts';

export { readFlagInValue, rewriteFlagInValue, type FlagRewrite } from './flags.ts';
export { readKubeconfigServers, rewriteKubeconfigServer, type KubeconfigRewrite } from './kubeconfig.ts';
export type { SysconfigQuote } from './shell-scan.ts';

export interface SysconfigValue {
  readonly value: string;
  readonly quote: SysconfigQuote;
}

export interface SysconfigEdit {
  /** Offsets in the ORIGINAL text of the replaced bytes (start === end for an insertion). */
  readonly start: number;
  readonly end: number;
  /** The bytes put there. */
  readonly text: string;
}

export interface SysconfigRewrite {
  readonly text: string;
  readonly changed: boolean;
  /** How many assignments of the key the file had (0: the key was missing and one was appended). */
  readonly occurrences: number;
  /** Exactly what was replaced, in file order: the proof that nothing else moved. */
  readonly edits: readonly SysconfigEdit[];
}

export interface RewriteOptions {
  /** The quote for an appended assignment, or for an unquoted one whose new value needs quoting. Default `'`. */
  readonly quote?: "'" | '"';
}

/** Characters an unquoted value can hold with the same meaning in bash and in systemd's EnvironmentFile=. */
const PLAIN_VALUE = /^[A-Za-z0-9_@%+=:,./-]*$/;

/** The assignments of `key`, refusing when a statement we cannot interpret mentions it. */
function assignmentsOf(text: string, key: string): readonly ScannedAssignment[] {
  const scan = scanSysconfig(text);
  const word = new RegExp(`(^|[^A-Za-z0-9_])${key}([^A-Za-z0-9_]|$)`);
  for (const u of scan.unsupported) {
    if (word.test(text.slice(u.start, u.end))) {
      throw inputError('SYSCONFIG_UNSUPPORTED_SYNTAX', `line ${u.line} mentions ${key} in a form ferry does not rewrite: ${JSON.stringify(text.slice(u.start, u.end).trim())}`, {
        hint: `write it as a plain assignment (${key}='value') and run again`,
        subjects: { key, line: String(u.line) },
      });
    }
  }
  const found = scan.assignments.filter((a) => a.key === key);
  for (const a of found) {
    if (a.value === undefined) {
      throw inputError('SYSCONFIG_UNSUPPORTED_SYNTAX', `line ${a.line}: the value of ${key} uses shell expansion ($ or a backquote), so ferry cannot tell what it is`, {
        hint: `escape the character (\\$) or write the value out, then run again`,
        subjects: { key, line: String(a.line) },
      });
    }
  }
  return found;
}

function checkKey(key: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw inputError('SYSCONFIG_KEY_INVALID', `${JSON.stringify(key)} is not a variable name`);
}

/** The value the key has after sourcing the file (its LAST assignment), or undefined when it is not assigned. */
export function readSysconfigValue(text: string, key: string): SysconfigValue | undefined {
  checkKey(key);
  const last = assignmentsOf(text, key).at(-1);
  return last === undefined ? undefined : { value: last.value as string, quote: last.quote };
}

/**
 * A value token with the given quoting. Single quotes cannot hold `'`, so such a value gets double quotes (the
 * `'a'\''b'` idiom works in bash but systemd reads it differently). Double quotes escape `" \ $ \``.
 */
export function renderSysconfigValue(value: string, quote: SysconfigQuote, fallback: "'" | '"' = "'"): string {
  if (/[\n\r\0]/.test(value)) {
    throw inputError('SYSCONFIG_VALUE_INVALID', `the value ${JSON.stringify(value)} holds a line break or NUL, which a sysconfig line cannot carry safely`, {
      hint: 'give a value on one line',
    });
  }
  const q = quote === '' ? (PLAIN_VALUE.test(value) ? '' : fallback) : quote;
  if (q === '') return value;
  if (q === "'" && !value.includes("'")) return `'${value}'`;
  return `"${value.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

function lineEndingOf(text: string): '\n' | '\r\n' {
  const last = text.lastIndexOf('\n');
  return last > 0 && text[last - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * Set `key` to `newValue`. Every assignment of the key is rewritten — the 2017 master script APPENDED to its
 * files, so a key can appear several times and only the last one counts; rewriting all of them makes whichever wins
 * right, and keeps a later edit of the last one from resurrecting a stale earlier one. An assignment that already
 * holds the value is left byte for byte (so a second run changes nothing). A missing key is appended as its own
 * line, with the file's line ending.
 */
export function rewriteSysconfigValue(text: string, key: string, newValue: string, options: RewriteOptions = {}): SysconfigRewrite {
  checkKey(key);
  const fallback = options.quote ?? "'";
  renderSysconfigValue(newValue, "'"); // validate even when no assignment needs it
  const found = assignmentsOf(text, key);
  if (found.length === 0) {
    const eol = lineEndingOf(text);
    const sep = text === '' || text.endsWith('\n') ? '' : eol;
    const added = `${sep}${key}=${renderSysconfigValue(newValue, fallback, fallback)}${eol}`;
    return { text: text + added, changed: true, occurrences: 0, edits: [{ start: text.length, end: text.length, text: added }] };
  }
  const edits: SysconfigEdit[] = [];
  for (const a of found) {
    if (a.value === newValue) continue;
    edits.push({ start: a.valueStart, end: a.valueEnd, text: renderSysconfigValue(newValue, a.quote, fallback) });
  }
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += text.slice(at);
  return { text: out, changed: edits.length > 0, occurrences: found.length, edits };
}
