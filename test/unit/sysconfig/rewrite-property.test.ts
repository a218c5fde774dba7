/**
 * Property tests for the sysconfig rewriter: random files of assignments, comments and blank lines (random line
 * endings, quote styles, export, indentation, inline comments, repeated keys), from a seeded PRNG so a failure names
 * the case that reproduces it. Real bash is the oracle for what a file means.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvironmentFile } from '../../../src/sysconfig/envfile.ts';
import { readSysconfigValue, rewriteSysconfigValue } from '../../../src/sysconfig/rewrite.ts';

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
