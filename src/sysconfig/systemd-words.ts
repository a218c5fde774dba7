/**
 * Word splitting and time spans as systemd reads them in unit files (pure). Used by systemd-unit.ts.
 *
 * Splitting follows systemd's `extract_first_word()` with EXTRACT_UNQUOTE (and EXTRACT_CUNESCAPE for command
 * lines): words are separated by whitespace; `"…"` and `'…'` may appear anywhere in a word and keep whitespace;
 * a backslash escapes the next character. Unbalanced quotes end at the end of the text (EXTRACT_RELAX).
 */

const WHITESPACE = ' \t\n\r';

/** C escapes that systemd's `cunescape_one()` understands (the common subset). */
const C_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
  '\\': '\\',
  '"': '"',
  "'": "'",
  // EXTRACT_UNESCAPE_SEPARATORS: a backslash before a separator keeps it in the word.
  ' ': ' ',
};

export interface SplitWordsOptions {
  /** Interpret C escapes (`\n`, `\t`, `\s`…) as systemd does for ExecStart=; otherwise `\x` is just `x`. */
  readonly cunescape?: boolean;
}

export function splitUnitWords(text: string, options: SplitWordsOptions = {}): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\') {
      const next = chars[i + 1];
      i++;
      inWord = true;
      if (next === undefined) break;
      if (next === '\n') continue; // line continuation
      word += options.cunescape === true ? (C_ESCAPES[next] ?? `\\${next}`) : next;
      continue;
    }
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (WHITESPACE.includes(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  usec: 0.001,
  ms: 1,
  msec: 1,
  '': 1000,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * A systemd time span (`5`, `5s`, `500ms`, `1min 30s`, `1.5s`, `infinity`) in milliseconds; a bare number is
 * seconds. Returns undefined when the text is not a time span.
 */
export function parseTimeSpanMs(text: string): number | undefined {
  const t = text.trim();
  if (t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '') return undefined;
  const part = /(\d+(?:\.\d+)?)\s*([a-z]*)\s*/gy;
  let total = 0;
  let at = 0;
  let m: RegExpExecArray | null;
  while ((m = part.exec(t)) !== null) {
    const factor = TIME_UNITS_MS[m[2] ?? ''];
    if (factor === undefined) return undefined;
    total += Number(m[1]) * factor;
    at = part.lastIndex;
    if (at === t.length) break;
  }
  return at === t.length ? total : undefined;
}
