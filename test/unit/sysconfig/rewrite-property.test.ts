/**
 * Property tests for the sysconfig rewriter: random files of assignments, comments and blank lines (random line
 * endings, quote styles, export, indentation, inline comments, repeated keys), from a seeded PRNG so a failure names
 * the case that reproduces it. Real bash is the oracle for what a file means.
 *
 * The second half (fast-check, fixed seed, shrinking to a minimal case on failure): hostile values — every shell
 * metacharacter, command substitutions aimed at a canary file, quotes, backslashes, Unicode — written into files of
 * comments, blank lines, other keys, CRLF lines and no final newline: every line the rewriter does not own stays
 * byte for byte, a second rewrite changes nothing, bash sourcing the result gets exactly the value and runs nothing,
 * and systemd's EnvironmentFile= reading (envfile.ts) agrees.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvironmentFile } from '../../../src/sysconfig/envfile.ts';
import { readSysconfigValue, renderSysconfigValue, rewriteSysconfigValue } from '../../../src/sysconfig/rewrite.ts';
import { recordReliability } from '../../helpers/reliability.ts';

const SEED = 0x5eed_2017;
const CASES = 400;
/** K_A1 checks that K_A is matched as a whole word. */
const KEYS = ['K_A', 'K_B', 'K_C', 'K_D', 'k_e', 'K_A1'] as const;
const VALUE_CHARS = "abcXYZ019_-./:,=@%+ \t'\"\\$`#~é中!*?[]{}();&|<>";
const COMMENT_CHARS = "abc K_A='x' \"y\" $z #;é";
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]$/;

type Rng = () => number;
/** mulberry32: small, seeded, good enough to spread test cases. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)] as T;
const chars = (rng: Rng, alphabet: string, max: number) => Array.from({ length: int(rng, max + 1) }, () => pick(rng, [...alphabet])).join('');

type Style = 'single' | 'double' | 'plain';
function renderPart(value: string, style: Style): string {
  if (style === 'single' && !value.includes("'")) return `'${value}'`;
  if (style === 'plain') return [...value].map((c) => (PLAIN.test(c) ? c : `\\${c}`)).join('');
  return `"${value.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

interface Span {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly value: string;
  /** systemd's EnvironmentFile= parser reads this line the same way bash does. */
  readonly systemdSafe: boolean;
}
interface GeneratedFile {
  readonly text: string;
  readonly spans: readonly Span[];
  /** Each key's value after sourcing: its last assignment. */
  readonly expected: ReadonlyMap<string, string>;
}

function generateFile(rng: Rng, lfOnly: boolean): GeneratedFile {
  let text = '';
  const spans: Span[] = [];
  const lines = int(rng, 14);
  for (let i = 0; i < lines; i++) {
    const kind = rng();
    if (kind < 0.15) text += pick(rng, ['', ' ', '\t  ']);
    else if (kind < 0.3) text += `${pick(rng, ['', '  '])}#${chars(rng, COMMENT_CHARS, 20)}`;
    else {
      const key = pick(rng, KEYS);
      const value = chars(rng, VALUE_CHARS, 10);
      const exported = rng() < 0.1;
      let token: string;
      let gluedUnquotedFirst = false;
      if (rng() < 0.2 && value.length > 1) {
        const cut = 1 + int(rng, value.length - 1);
        const first = pick(rng, ['single', 'double', 'plain'] as const);
        gluedUnquotedFirst = first === 'plain';
        token = renderPart(value.slice(0, cut), first) + renderPart(value.slice(cut), pick(rng, ['single', 'double'] as const));
      } else token = renderPart(value, pick(rng, ['single', 'double', 'plain'] as const));
      const trailer = pick(rng, ['', '', '   ', ' # note', "\t#x 'q' \"z\""]);
      text += `${pick(rng, ['', '  ', '\t'])}${exported ? pick(rng, ['export ', 'export\t']) : ''}${key}=`;
      spans.push({ key, start: text.length, end: text.length + token.length, value, systemdSafe: !exported && !gluedUnquotedFirst && !trailer.includes('#') });
      text += token + trailer;
    }
    if (i < lines - 1 || rng() < 0.85) text += lfOnly || rng() < 0.5 ? '\n' : '\r\n';
  }
  return { text, spans, expected: new Map(spans.map((s) => [s.key, s.value])) };
}

/** The text with the given [start, end) spans cut out. */
function cut(text: string, spans: readonly { start: number; end: number }[]): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start);
    at = s.end;
  }
  return out + text.slice(at);
}

interface Case {
  readonly n: number;
  readonly file: GeneratedFile;
  readonly key: string;
  readonly newValue: string;
  readonly quote: "'" | '"';
  readonly lfOnly: boolean;
}
const cases: Case[] = [];
{
  const rng = mulberry32(SEED);
  for (let n = 0; n < CASES; n++) {
    const lfOnly = n % 3 === 0;
    cases.push({ n, file: generateFile(rng, lfOnly), key: pick(rng, KEYS), newValue: chars(rng, VALUE_CHARS, 12), quote: pick(rng, ["'", '"'] as const), lfOnly });
  }
}
const where = (c: Case) => `seed ${SEED} case ${c.n}: key ${c.key}, value ${JSON.stringify(c.newValue)}, file ${JSON.stringify(c.file.text)}`;

describe('rewriteSysconfigValue properties', () => {
  test('the reader agrees with the generator (and with systemd where their rules coincide)', () => {
    for (const c of cases) {
      const sd = parseEnvironmentFile(c.file.text);
      for (const k of KEYS) {
        assert.equal(readSysconfigValue(c.file.text, k)?.value, c.file.expected.get(k), `${where(c)}; reading ${k}`);
        const last = c.file.spans.filter((s) => s.key === k).at(-1);
        if (last?.systemdSafe === true) assert.equal(sd.get(k), last.value, `${where(c)}; systemd reading ${k}`);
      }
    }
  });

  test('(1) the key gets the new value, every other key keeps its old one', () => {
    for (const c of cases) {
      const r = rewriteSysconfigValue(c.file.text, c.key, c.newValue, { quote: c.quote });
      for (const k of KEYS) {
        assert.equal(readSysconfigValue(r.text, k)?.value, k === c.key ? c.newValue : c.file.expected.get(k), `${where(c)}; reading ${k} after`);
      }
    }
  });

  test('(2) only value bytes change: removing them leaves identical remainders', () => {
    for (const c of cases) {
      const r = rewriteSysconfigValue(c.file.text, c.key, c.newValue, { quote: c.quote });
      const mine = c.file.spans.filter((s) => s.key === c.key);
      assert.equal(r.occurrences, mine.length, where(c));
      if (mine.length === 0) {
        assert.ok(r.text.startsWith(c.file.text), where(c));
        assert.match(r.text.slice(c.file.text.length), new RegExp(`^(\\r?\\n)?${c.key}=[^\\n]*\\n$`), where(c));
        continue;
      }
      const changed = mine.filter((s) => s.value !== c.newValue);
      assert.deepEqual(r.edits.map((e) => [e.start, e.end]), changed.map((s) => [s.start, s.end]), `${where(c)}: the edits are exactly the old value tokens`);
      let shift = 0;
      const newSpans = r.edits.map((e) => {
        const s = { start: e.start + shift, end: e.start + shift + e.text.length };
        shift += e.text.length - (e.end - e.start);
        assert.equal(readSysconfigValue(`X=${e.text}\n`, 'X')?.value, c.newValue, `${where(c)}: the new token ${e.text}`);
        return s;
      });
      assert.equal(cut(r.text, newSpans), cut(c.file.text, changed), where(c));
    }
  });

  test('(3) rewriting twice is idempotent', () => {
    for (const c of cases) {
      const once = rewriteSysconfigValue(c.file.text, c.key, c.newValue, { quote: c.quote });
      const twice = rewriteSysconfigValue(once.text, c.key, c.newValue, { quote: c.quote });
      assert.equal(twice.changed, false, where(c));
      assert.equal(twice.text, once.text, where(c));
    }
  });

  describe('(4) bash agrees', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'ferry-sysconfig-bash-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** What `set -a; . FILE` leaves in each key (unset keys absent). */
    function bashValues(text: string, name: string): Map<string, string> {
      const file = join(dir, name);
      writeFileSync(file, text);
      const script = 'set -a; . "$1"; shift; for k in "$@"; do if [ -n "${!k+x}" ]; then printf \'%s=%s\\0\' "$k" "${!k}"; fi; done';
      // --norc and stdin not a socket: Debian's bash would otherwise read ~/.bashrc, thinking sshd started it.
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', file, ...KEYS], { env: {}, encoding: 'buffer', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
      assert.equal(r.status, 0, `bash failed on ${JSON.stringify(text)}: ${r.stderr.toString()}`);
      assert.equal(r.stderr.toString(), '', `bash complained about ${JSON.stringify(text)}`);
      const out = new Map<string, string>();
      for (const entry of r.stdout.toString('utf8').split('\0').slice(0, -1)) out.set(entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1));
      return out;
    }

    test('sourcing a sample of files (before and after the rewrite) gives what readSysconfigValue reads', () => {
      // LF-only files: bash keeps a CR as part of the line, where systemd (and ferry) treat CRLF as a line end.
      const sample = cases.filter((c) => c.lfOnly).filter((_, i) => i % 2 === 0);
      assert.ok(sample.length >= 50);
      for (const c of sample) {
        const after = rewriteSysconfigValue(c.file.text, c.key, c.newValue, { quote: c.quote }).text;
        for (const [label, text] of [['before', c.file.text], ['after', after]] as const) {
          const got = bashValues(text, `case-${c.n}-${label}`);
          for (const k of KEYS) assert.equal(got.get(k), readSysconfigValue(text, k)?.value, `${where(c)}; ${label}; bash reading ${k}`);
        }
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// fast-check properties with hostile values.

const FC_SEED = 20_170_604;
const FC_KEYS = ['K_A', 'K_B', 'k_c', 'K_A1'] as const;
const TARGET = 'K_A';
const canaryRoot = mkdtempSync(join(tmpdir(), 'ferry-sysconfig-canary-'));
const CANARY = join(canaryRoot, 'PWNED');
after(() => rmSync(canaryRoot, { recursive: true, force: true }));

/** One character of a value: shell syntax, quotes, whitespace but line breaks, or any Unicode grapheme. */
const valueChar = fc.oneof(
  fc.constantFrom(...[..."$`'\"\\;&|<>(){}[]*?~#!%^= \t,.:/@+-_"]),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[\n\r\0]/.test(c)),
);
/** A value: characters and whole attacks on the canary, glued together. */
const hostileValue = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: valueChar, maxLength: 6 }) },
      { weight: 1, arbitrary: fc.constantFrom(`$(touch ${CANARY})`, `\`touch ${CANARY}\``, `'; touch ${CANARY}; '`, `"; touch ${CANARY}; "`, `\\$(touch ${CANARY})`, '${IFS}$HOME', `$'\\x41'`) },
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(''));

type Line = { readonly kind: 'other'; readonly text: string } | { readonly kind: 'target'; readonly text: string; readonly trailer: string };
const eol = fc.constantFrom('\n', '\r\n');
const quote = fc.constantFrom("'" as const, '"' as const, '' as const);
/** An assignment line (bash and the scanner read it alike): indentation, optional export, a value, a comment. */
const assignment = (key: fc.Arbitrary<string>): fc.Arbitrary<{ text: string; key: string; trailer: string }> =>
  fc.record({ key, value: hostileValue, q: quote, indent: fc.constantFrom('', '  ', '\t'), exp: fc.constantFrom('', '', 'export '), trailer: fc.constantFrom('', ' # note $(x)', '\t#', '   ') })
    .map(({ key: k, value, q, indent, exp, trailer }) => ({ key: k, trailer, text: `${indent}${exp}${k}=${renderSysconfigValue(value, q)}${trailer}` }));
const line: fc.Arbitrary<Line> = fc.oneof(
  fc.constantFrom('', '   ', '\t').map((text) => ({ kind: 'other' as const, text })),
  fc.string({ unit: valueChar, maxLength: 20 }).map((c) => ({ kind: 'other' as const, text: `# ${c}` })),
  fc.constant({ kind: 'other' as const, text: `# ${TARGET}='commented out'` }),
  assignment(fc.constantFrom(...FC_KEYS.filter((k) => k !== TARGET))).map((a) => ({ kind: 'other' as const, text: a.text })),
  assignment(fc.constant(TARGET)).map((a) => ({ kind: 'target' as const, text: a.text, trailer: a.trailer })),
);
const sysconfigFile = fc.record({ lines: fc.array(fc.tuple(line, eol), { maxLength: 10 }), finalNewline: fc.boolean() }).map(({ lines, finalNewline }) => ({
  lines: lines.map(([l]) => l),
  text: lines.map(([l, e], i) => (i === lines.length - 1 && !finalNewline ? l.text : l.text + e)).join(''),
}));

/** The file's lines with their endings (the last one may have none). */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function canaryFired(): boolean {
  return existsSync(CANARY) || readdirSync(canaryRoot).length > 0;
}

let fcRuns = 0;
let bashRuns = 0;
const fcParams = (numRuns: number) => ({ seed: FC_SEED, numRuns, endOnFailure: true });

describe('rewriteSysconfigValue with hostile values (fast-check, seed ' + String(FC_SEED) + ')', () => {
  test('every line it does not own stays byte for byte; owned lines keep their prefix and trailer', () => {
    fc.assert(
      fc.property(sysconfigFile, hostileValue, fc.constantFrom("'" as const, '"' as const), (file, value, q) => {
        fcRuns++;
        const r = rewriteSysconfigValue(file.text, TARGET, value, { quote: q });
        const before = splitLines(file.text);
        const afterLines = splitLines(r.text);
        const owned = file.lines.filter((l) => l.kind === 'target').length;
        assert.equal(r.occurrences, owned);
        if (owned === 0) {
          assert.ok(r.text.startsWith(file.text), 'the original text is kept whole');
          assert.equal(afterLines.length, before.length + 1, 'one line is appended');
          assert.match(afterLines.at(-1) ?? '', new RegExp(`^${TARGET}=.*\\r?\\n$`));
          return;
        }
        assert.equal(afterLines.length, before.length, 'no line is added or removed');
        for (const [i, l] of file.lines.entries()) {
          const was = before[i] ?? '';
          const now = afterLines[i] ?? '';
          if (l.kind === 'other') assert.equal(now, was, `line ${i + 1} is not the rewriter's`);
          else {
            const prefix = was.slice(0, was.indexOf('=') + 1);
            assert.ok(now.startsWith(prefix), `line ${i + 1} keeps ${JSON.stringify(prefix)}`);
            assert.ok(now.replace(/\r?\n$/, '').endsWith(l.trailer), `line ${i + 1} keeps its trailer ${JSON.stringify(l.trailer)}`);
            assert.equal(now.endsWith('\r\n'), was.endsWith('\r\n'), `line ${i + 1} keeps its line ending`);
          }
        }
        assert.equal(r.text.endsWith('\n'), file.text.endsWith('\n'), 'a missing final newline stays missing');
      }),
      fcParams(400),
    );
  });

  test('rewriting twice changes nothing the second time, and the reader gets the value back', () => {
    fc.assert(
      fc.property(sysconfigFile, hostileValue, fc.constantFrom("'" as const, '"' as const), (file, value, q) => {
        fcRuns++;
        const once = rewriteSysconfigValue(file.text, TARGET, value, { quote: q });
        const twice = rewriteSysconfigValue(once.text, TARGET, value, { quote: q });
        assert.equal(twice.changed, false);
        assert.equal(twice.text, once.text);
        assert.equal(readSysconfigValue(once.text, TARGET)?.value, value);
        for (const k of FC_KEYS.filter((x) => x !== TARGET)) assert.equal(readSysconfigValue(once.text, k)?.value, readSysconfigValue(file.text, k)?.value, `${k} unchanged`);
      }),
      fcParams(400),
    );
  });

  test("systemd's EnvironmentFile= reading of a rewritten assignment gives the value", () => {
    fc.assert(
      fc.property(hostileValue, quote, fc.constantFrom("'" as const, '"' as const), eol, (value, existing, q, end) => {
        fcRuns++;
        const r = rewriteSysconfigValue(`${TARGET}=${renderSysconfigValue('old value', existing)}${end}`, TARGET, value, { quote: q });
        assert.equal(parseEnvironmentFile(r.text).get(TARGET), value);
      }),
      fcParams(400),
    );
  });

  test('bash sourcing the rewritten file gets exactly the value for every key, and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sysconfig-fc-'));
    try {
      fc.assert(
        // LF files only: bash keeps a CR as part of the line (ferry and systemd end the line there).
        fc.property(sysconfigFile.filter((f) => !f.text.includes('\r')), hostileValue, fc.constantFrom("'" as const, '"' as const), (file, value, q) => {
          fcRuns++;
          bashRuns++;
          const text = rewriteSysconfigValue(file.text, TARGET, value, { quote: q }).text;
          const path = join(dir, 'sysconfig');
          writeFileSync(path, text);
          const script = 'set -a; . "$1"; shift; for k in "$@"; do if [ -n "${!k+x}" ]; then printf \'%s=%s\\0\' "$k" "${!k}"; fi; done';
          const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', path, ...FC_KEYS], { cwd: canaryRoot, env: {}, encoding: 'buffer', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
          assert.equal(r.status, 0, `bash failed on ${JSON.stringify(text)}: ${r.stderr.toString()}`);
          assert.equal(r.stderr.toString(), '', `bash complained about ${JSON.stringify(text)}`);
          const got = new Map(r.stdout.toString('utf8').split('\0').slice(0, -1).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
          assert.equal(got.get(TARGET), value, `bash reads ${TARGET} from ${JSON.stringify(text)}`);
          for (const k of FC_KEYS.filter((x) => x !== TARGET)) assert.equal(got.get(k), readSysconfigValue(text, k)?.value, `bash reads ${k}`);
          assert.equal(canaryFired(), false, `sourcing ${JSON.stringify(text)} ran a command`);
        }),
        fcParams(120),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    recordReliability('security', {
      case: 'sysconfig rewriter properties (fast-check)',
      outcome: canaryFired() ? 'a value ran a command' : 'lines kept, idempotent, bash and systemd read the value, nothing ran',
      seed: FC_SEED,
      cases: fcRuns,
      bashRuns,
      canaries: canaryFired() ? 1 : 0,
    });
  });
});
