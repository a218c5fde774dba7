import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvironmentFile } from '../../../src/sysconfig/envfile.ts';

const parse = (text: string): Record<string, string> => Object.fromEntries(parseEnvironmentFile(text));

describe('parseEnvironmentFile', () => {
  test('reads the DomeOS single-quoted format', () => {
    const text = "# configure file for etcd\nETCD_NAME='-name domeosEtcd0'\nDATA_DIR='-data-dir /var/lib/etcd'\nETCD_OPTS=''\n";
    assert.deepEqual(parse(text), { ETCD_NAME: '-name domeosEtcd0', DATA_DIR: '-data-dir /var/lib/etcd', ETCD_OPTS: '' });
  });

  test('double quotes unescape \\" \\\\ \\$ \\` and keep other backslashes', () => {
    assert.deepEqual(parse('A="say \\"hi\\" \\\\ \\$HOME \\` \\n"\n'), { A: 'say "hi" \\ $HOME ` \\n' });
  });

  test('single quotes are literal', () => {
    assert.deepEqual(parse("A='a \\\" $B \"c\"'\n"), { A: 'a \\" $B "c"' });
  });

  test('unquoted values: surrounding whitespace dropped, inner kept, backslash escapes, quotes literal', () => {
    assert.deepEqual(parse('A =  hello world  \nB=x\\ y\nC=a"b"c\n'), { A: 'hello world', B: 'x y', C: 'a"b"c' });
  });

  test('a quoted part may be followed by more value', () => {
    assert.deepEqual(parse(`A='a b'c\nB="x" 'y'\n`), { A: 'a bc', B: 'xy' });
  });

  test('comments, blank lines, lines without =, invalid names are ignored', () => {
    const text = '\n# c1\n  ; c2\nnot an assignment\n1BAD=x\nBAD KEY=y\nGOOD=z\n';
    assert.deepEqual(parse(text), { GOOD: 'z' });
  });

  test('a # inside a value is not a comment', () => {
    assert.deepEqual(parse('A=x # y\n'), { A: 'x # y' });
  });

  test('CRLF line endings', () => {
    assert.deepEqual(parse("A='1'\r\nB=two\r\nC=\"3\"\r\n"), { A: '1', B: 'two', C: '3' });
  });

  test('later keys override earlier ones', () => {
    assert.deepEqual(parse('A=1\nB=2\nA=3\n'), { B: '2', A: '3' });
    assert.deepEqual([...parseEnvironmentFile('A=1\nB=2\nA=3\n').keys()], ['B', 'A']);
  });

  test('no final newline, empty values, quoted values spanning lines, continuations', () => {
    assert.deepEqual(parse('A=1\nB='), { A: '1', B: '' });
    assert.deepEqual(parse("A='line1\nline2'\nB=one\\\ntwo\nC=\"x\\\ny\"\n"), { A: 'line1\nline2', B: 'onetwo', C: 'xy' });
  });

  test('a backslash at the end of a comment continues the comment', () => {
    assert.deepEqual(parse('# comment \\\nA=hidden\nB=seen\n'), { B: 'seen' });
  });
});
