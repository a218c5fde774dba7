/**
 * Turns an argv array into one command line for a POSIX shell (sh, dash, bash, ksh, zsh in sh mode). SSH has no
 * argv on the wire: the server hands one string to the user's login shell (`$SHELL -c STRING`), so every word must
 * survive that shell's parsing byte for byte. A login shell that is not POSIX (csh, fish) is not supported.
 */
import { FerryError } from '../../errors.ts';

/**
 * Words made only of these characters mean the same quoted or not, anywhere on a command line. A leading `=` is
 * excluded because zsh expands `=cmd` to a path.
 */
const PLAIN_WORD = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/**
 * Words the shell treats specially in command position when left bare: reserved words are parsed as syntax and a
 * `NAME=value` first word is an assignment instead of a program, so such a first word is always quoted.
 */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', 'in', 'function',
  'select', 'time', 'coproc',
]);

/** With the `u` flag a well-formed pair is one code point, so only a lone surrogate is in category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Quote one word: bare when that is safe, else inside single quotes with each `'` written as `'\''`. */
export function quoteWord(word: string, isCommand = false): string {
  if (word.includes('\0')) {
    throw new FerryError('HOST_ARGV_INVALID', 'A command word contains a NUL byte, which no shell can pass on.', {
      hint: 'Remove the NUL byte from the argument; send binary data through stdin instead.',
    });
  }
  if (LONE_SURROGATE.test(word)) {
    throw new FerryError('HOST_ARGV_INVALID', 'A command word contains a lone UTF-16 surrogate and cannot be sent as UTF-8.', {
      hint: 'Pass only well-formed Unicode text as command arguments.',
    });
  }
  const bare = PLAIN_WORD.test(word) && !(isCommand && (word.includes('=') || RESERVED_WORDS.has(word)));
  if (bare) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A POSIX-sh command line that runs `argv[0]` with exactly the arguments `argv[1..]`.
 * Throws HOST_ARGV_INVALID for a word with a NUL byte or a lone surrogate.
 */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new FerryError('HOST_ARGV_INVALID', 'An empty command cannot be run.', {
      hint: 'Pass at least the program name in argv[0].',
    });
  }
  return argv.map((word, i) => quoteWord(word, i === 0)).join(' ');
}
