/**
 * systemd's EnvironmentFile= syntax (the `/etc/sysconfig/*` files DomeOS writes), parsed the way systemd parses
 * it: a port of the state machine in systemd's `parse_env_file_internal()` (src/basic/env-file.c, v252):
 * - `KEY=value`: surrounding whitespace dropped; inside an unquoted value quotes are literal, and `\x` → `x`
 *   (a backslash before a newline continues the line);
 * - `KEY='value'`: literal up to the closing quote (may span lines);
 * - `KEY="value"`: `\"`, `\\`, `` \` `` and `\$` unescape, `\` before a newline continues the line, any other
 *   backslash is kept;
 * - a quoted part may be followed by more value (`'a'b` → `ab`), as in systemd;
 * - lines starting with `#` or `;` are comments (a trailing `\` continues the comment);
 * - `\r` counts as a line end, so CRLF files parse like LF files;
 * - a line without `=`, or whose key is not a valid name, is ignored (systemd logs and skips it);
 * - a later assignment of the same key overrides an earlier one.
 */

const NEWLINE = '\n\r';
const WHITESPACE = ' \t\n\r';
const COMMENT_START = '#;';
/** Characters a backslash escapes inside double quotes (systemd's SHELL_NEED_ESCAPE). */
const DOUBLE_QUOTE_ESCAPABLE = '"\\`$';
const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type State =
  | 'preKey'
  | 'key'
  | 'preValue'
  | 'value'
  | 'valueEscape'
  | 'singleQuote'
  | 'doubleQuote'
  | 'doubleQuoteEscape'
  | 'comment'
  | 'commentEscape';

export function parseEnvironmentFile(text: string): Map<string, string> {
  const result = new Map<string, string>();
  let state: State = 'preKey';
  let key = '';
  let value = '';
  /** Index in `value` where trailing unquoted whitespace starts, or -1. */
  let valueWhitespaceAt = -1;

  const push = (): void => {
    const name = key.trimEnd();
    const v = valueWhitespaceAt >= 0 ? value.slice(0, valueWhitespaceAt) : value;
    if (VALID_NAME.test(name)) {
      // Map keeps first-insertion order; delete so the order reflects the assignment that won.
      result.delete(name);
      result.set(name, v);
    }
    key = '';
    value = '';
    valueWhitespaceAt = -1;
  };

  for (const c of text) {
    switch (state) {
      case 'preKey':
        if (COMMENT_START.includes(c)) state = 'comment';
        else if (!WHITESPACE.includes(c)) {
          state = 'key';
          key = c;
        }
        break;
      case 'key':
        if (NEWLINE.includes(c)) {
          state = 'preKey';
          key = '';
        } else if (c === '=') state = 'preValue';
        else key += c;
        break;
      case 'preValue':
        if (NEWLINE.includes(c)) {
          state = 'preKey';
          push();
        } else if (c === "'") state = 'singleQuote';
        else if (c === '"') state = 'doubleQuote';
        else if (c === '\\') state = 'valueEscape';
        else if (!WHITESPACE.includes(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (NEWLINE.includes(c)) {
          state = 'preKey';
          push();
        } else if (c === '\\') {
          state = 'valueEscape';
          valueWhitespaceAt = -1;
        } else {
          if (!WHITESPACE.includes(c)) valueWhitespaceAt = -1;
          else if (valueWhitespaceAt < 0) valueWhitespaceAt = value.length;
          value += c;
        }
        break;
      case 'valueEscape':
        state = 'value';
        if (!NEWLINE.includes(c)) value += c;
        break;
      case 'singleQuote':
        if (c === "'") state = 'preValue';
        else value += c;
        break;
      case 'doubleQuote':
        if (c === '"') state = 'preValue';
        else if (c === '\\') state = 'doubleQuoteEscape';
        else value += c;
        break;
      case 'doubleQuoteEscape':
        state = 'doubleQuote';
        if (DOUBLE_QUOTE_ESCAPABLE.includes(c)) value += c;
        else if (c !== '\n') value += `\\${c}`;
        break;
      case 'comment':
        if (c === '\\') state = 'commentEscape';
        else if (NEWLINE.includes(c)) state = 'preKey';
        break;
      case 'commentEscape':
        state = 'comment';
        break;
    }
  }
  // End of text without a final newline: systemd pushes whatever value was being read.
  if (state === 'preValue' || state === 'value' || state === 'valueEscape' || state === 'singleQuote' || state === 'doubleQuote' || state === 'doubleQuoteEscape') {
    if (state === 'doubleQuoteEscape') value += '\\';
    push();
  }
  return result;
}
