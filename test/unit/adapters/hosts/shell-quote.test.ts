import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { quoteArgv, quoteWord } from '../../../../src/adapters/hosts/shell-quote.ts';
import { FerryError } from '../../../../src/errors.ts';

/** Runs `quoted` with a local shell and returns the NUL-separated words printf printed. */
function roundTrip(shell: string, argv: readonly string[]): { words: string[]; status: number | null } {
  const script = quoteArgv(['printf', '%s\\0', ...argv]);
  const result = spawnSync(shell, ['-c', script], { encoding: 'buffer' });
  const out = result.stdout.toString('utf8');
  const words = out.split('\0');
  words.pop(); // the text after the last NUL is empty
  return { words, status: result.status };
}

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "'", '"', ' ', '$', '`', '\\', '\n', '\t', '\r', '*', '?', '[', ']', '{', '}', '~', '!', '#', '&', ';', '|', '<',
  '>', '(', ')', '=', '%', '-', '\x01', '\x1b', '\x7f', 'é', '日', '😀', '\u00a0', '\u2028', "'\\''", '$(id)', '${x}',
];

function randomWord(rand: () => number): string {
  const length = Math.floor(rand() * 12);
  let word = '';
  for (let i = 0; i < length; i++) {
    const pick = rand();
    if (pick < 0.5) {
      word += NASTY[Math.floor(rand() * NASTY.length)] ?? '';
    } else if (pick < 0.8) {
      word += String.fromCharCode(0x20 + Math.floor(rand() * 0x5f)); // printable ASCII
    } else {
      // Any Unicode scalar value except NUL and surrogates.
      let cp = 1 + Math.floor(rand() * 0x10fffe);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
      word += String.fromCodePoint(cp);
    }
  }
  return word;
}

describe('quoteWord / quoteArgv', () => {
  test('leaves plain words bare and quotes the rest', () => {
    assert.equal(quoteArgv(['etcdctl', '--endpoints=https://127.0.0.1:2379', 'member', 'list']),
      'etcdctl --endpoints=https://127.0.0.1:2379 member list');
    assert.equal(quoteWord(''), "''");
    assert.equal(quoteWord('a b'), "'a b'");
    assert.equal(quoteWord("it's"), "'it'\\''s'");
    assert.equal(quoteWord('$HOME'), "'$HOME'");
    assert.equal(quoteWord('~root'), "'~root'");
    assert.equal(quoteWord('=ls'), "'=ls'");
  });

  test('quotes a first word that the shell would parse as syntax or an assignment', () => {
    assert.equal(quoteArgv(['if', 'x']), "'if' x");
    assert.equal(quoteArgv(['FOO=bar', 'FOO=bar']), "'FOO=bar' FOO=bar");
    // Run it: a bare `FOO=bar` would succeed as an assignment; quoted it is a program that does not exist.
    const result = spawnSync('sh', ['-c', quoteArgv(['FOO=bar'])]);
    assert.equal(result.status, 127);
  });

  test('rejects NUL bytes, lone surrogates and an empty argv', () => {
    for (const argv of [['echo', 'a\0b'], ['echo', '\ud800'], []]) {
      assert.throws(() => quoteArgv(argv), (err: unknown) => err instanceof FerryError && err.code === 'HOST_ARGV_INVALID');
    }
  });

  for (const shell of ['sh', 'bash']) {
    test(`random argv round-trips exactly through ${shell}`, () => {
      const seed = 20240611;
      const rand = seededRandom(seed);
      for (let i = 0; i < 150; i++) {
        const argv = Array.from({ length: Math.floor(rand() * 6) + 1 }, () => randomWord(rand));
        const { words, status } = roundTrip(shell, argv);
        assert.equal(status, 0, `case ${i} (seed ${seed}) failed to run: ${JSON.stringify(argv)}`);
        assert.deepEqual(words, argv, `case ${i} (seed ${seed}) changed on the way: ${JSON.stringify(argv)}`);
      }
    });
  }
});
