/**
 * A scanner for shell-style sysconfig files (`/etc/sysconfig/*`) that records WHERE each assignment's value is, so
 * a rewriter can replace exactly those bytes and keep every other one. Values are decoded as `bash -c '. FILE'`
 * decodes them (the brief's reference semantics, checked against real bash in the property tests):
 * - `KEY='v'` literal; `KEY="v"` with `\" \\ \$ \`` unescaped and any other backslash kept; `KEY=v` with `\x` → `x`;
 *   quoted and unquoted parts may be glued together (`'a'"b"c`);
 * - `export KEY=...` is an assignment too; a `# comment` after whitespace ends the statement;
 * - a later assignment overrides an earlier one.
 * What the scanner cannot decode without running a shell (an unescaped `$` or backquote in double quotes, unquoted
 * `$ ; & | < > ( ) ~`, a backslash-newline continuation, `KEY=a b`, `KEY+=x`, `unset KEY`, …) is recorded as
 * "unsupported" with its span, so the caller can refuse to touch a key such a statement mentions instead of
 * guessing. Line ends are LF or CRLF (per line). An unclosed quote makes the whole file unparseable.
 *
 * Known difference from systemd's EnvironmentFile= parser (envfile.ts), which is what the units actually read:
 * systemd keeps `KEY=a b` as "a b" and reads a `# comment` after a closing quote as part of the value; callers that
 * care compare with parseEnvironmentFile (src/repoint/changes.ts does).
 */
import { inputError } from '../errors.ts';

export type SysconfigQuote = "'" | '"' | '';

export interface ScannedAssignment {
  readonly key: string;
  /** 1-based line number of the assignment. */
  readonly line: number;
  /** Offsets in the text of the value token, quotes included (`'x'` in `KEY='x' # c`). */
  readonly valueStart: number;
  readonly valueEnd: number;
  /** The decoded value; undefined when it needs expansion ($, backquote) to be known. */
  readonly value: string | undefined;
  /** The token's quoting: the first quoted part's quote, '' when it has none. */
  readonly quote: SysconfigQuote;
}

export interface UnsupportedStatement {
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export interface SysconfigScan {
  readonly assignments: readonly ScannedAssignment[];
  readonly unsupported: readonly UnsupportedStatement[];
}

const ASSIGNMENT_START = /(export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/y;
/** `export A B` without values: harmless for values, so not "unsupported". */
const BARE_EXPORT = /[ \t]*export(?:[ \t]+[A-Za-z_][A-Za-z0-9_]*)+[ \t]*(?:#[^\r\n]*)?(?=\r?\n|$)/y;
/** Unquoted characters the shell would interpret (expansion, operators, tilde). */
const UNQUOTED_SPECIAL = '$`;&|<>()~';
const DOUBLE_QUOTE_ESCAPABLE = '"\\$`';

function isLineEnd(text: string, i: number): boolean {
  return i >= text.length || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n');
}

function skipLineEnd(text: string, i: number): number {
  if (text[i] === '\r') return i + 2;
  return i < text.length ? i + 1 : i;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function unclosedQuote(text: string, at: number): never {
  throw inputError('SYSCONFIG_UNPARSEABLE', `unclosed quote starting on line ${lineAt(text, at)}`, {
    hint: 'the file would not source in a shell either; fix the quote by hand',
    subjects: { line: String(lineAt(text, at)) },
  });
}

interface ValueToken {
  end: number;
  value: string | undefined;
  quote: SysconfigQuote;
  /** False when the token holds something only a shell could evaluate. */
  supported: boolean;
}

/** Read one value token starting at i; stops at unquoted whitespace or the line end. */
function scanValue(text: string, i: number): ValueToken {
  let value = '';
  let quote: SysconfigQuote = '';
  let dynamic = false;
  let j = i;
  while (!isLineEnd(text, j) && text[j] !== ' ' && text[j] !== '\t') {
    const c = text[j] as string;
    if (c === "'") {
      const close = text.indexOf("'", j + 1);
      if (close === -1) unclosedQuote(text, j);
      value += text.slice(j + 1, close);
      if (quote === '') quote = "'";
      j = close + 1;
    } else if (c === '"') {
      if (quote === '') quote = '"';
      let k = j + 1;
      for (;;) {
        const d = text[k];
        if (d === undefined) unclosedQuote(text, j);
        if (d === '"') break;
        if (d === '\\') {
          const e = text[k + 1];
          if (e === undefined) unclosedQuote(text, j);
          if (e === '\n' || e === '\r') dynamic = true; // a continuation: legal, but not worth decoding
          else if (DOUBLE_QUOTE_ESCAPABLE.includes(e)) value += e;
          else value += `\\${e}`;
          k += 2;
          continue;
        }
        if (d === '$' || d === '`') dynamic = true;
        value += d;
        k++;
      }
      j = k + 1;
    } else if (c === '\\') {
      const e = text[j + 1];
      if (e === undefined || e === '\n' || e === '\r') return { end: j, value: undefined, quote, supported: false };
      value += e;
      j += 2;
    } else if (UNQUOTED_SPECIAL.includes(c) || c === '\r') {
      return { end: j, value: undefined, quote, supported: false };
    } else {
      value += c;
      j++;
    }
  }
  return { end: j, value: dynamic ? undefined : value, quote, supported: true };
}

/** Skip the rest of a statement we do not interpret, honouring quotes, escapes and comments. Returns the line end. */
function skipStatement(text: string, i: number): number {
  let j = i;
  while (!isLineEnd(text, j)) {
    const c = text[j];
    if (c === "'") {
      const close = text.indexOf("'", j + 1);
      if (close === -1) unclosedQuote(text, j);
      j = close + 1;
    } else if (c === '"') {
      let k = j + 1;
      while (text[k] !== '"') {
        if (text[k] === undefined) unclosedQuote(text, j);
        k += text[k] === '\\' ? 2 : 1;
      }
      j = k + 1;
    } else if (c === '\\') {
      j = Math.min(j + 2, text.length); // a backslash-newline continues the statement on the next line
    } else if (c === '#' && (j === 0 || ' \t\n'.includes(text[j - 1] as string))) {
      while (!isLineEnd(text, j)) j++;
    } else j++;
  }
  return j;
}

export function scanSysconfig(text: string): SysconfigScan {
  const assignments: ScannedAssignment[] = [];
  const unsupported: UnsupportedStatement[] = [];
  let line = 1;
  let i = 0;
  const advanceTo = (to: number): void => {
    for (let k = text.indexOf('\n', i); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) line++;
    i = to;
  };
  while (i < text.length) {
    const lineStart = i;
    let j = i;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (isLineEnd(text, j)) {
      advanceTo(skipLineEnd(text, j));
      continue;
    }
    if (text[j] === '#') {
      while (!isLineEnd(text, j)) j++;
      advanceTo(skipLineEnd(text, j));
      continue;
    }
    BARE_EXPORT.lastIndex = lineStart;
    if (BARE_EXPORT.test(text)) {
      advanceTo(skipLineEnd(text, BARE_EXPORT.lastIndex));
      continue;
    }
    ASSIGNMENT_START.lastIndex = j;
    const m = ASSIGNMENT_START.exec(text);
    if (m !== null) {
      const valueStart = ASSIGNMENT_START.lastIndex;
      const token = scanValue(text, valueStart);
      let k = token.end;
      while (text[k] === ' ' || text[k] === '\t') k++;
      const endsCleanly = isLineEnd(text, k) || (text[k] === '#' && k > token.end);
      if (token.supported && endsCleanly) {
        while (!isLineEnd(text, k)) k++; // the inline comment, kept byte for byte
        assignments.push({ key: m[2] as string, line, valueStart, valueEnd: token.end, value: token.value, quote: token.quote });
        advanceTo(skipLineEnd(text, k));
        continue;
      }
    }
    const end = skipStatement(text, j);
    unsupported.push({ line, start: lineStart, end });
    advanceTo(skipLineEnd(text, end));
  }
  return { assignments, unsupported };
}
