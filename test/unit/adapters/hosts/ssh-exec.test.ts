import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildCommandLine, parsePidLine } from '../../../../src/adapters/hosts/ssh-exec.ts';

describe('buildCommandLine / parsePidLine', () => {
  test('the shell announces its PID on stderr, then becomes the program with argv intact', () => {
    const line = buildCommandLine(['sh', '-c', 'echo "$$ $1"; echo oops >&2', 'sh', "a 'b'"], false, 'ferry-pid-abc');
    const result = spawnSync('sh', ['-c', line], { encoding: 'utf8' });
    const { pid, rest } = parsePidLine(result.stderr, 'ferry-pid-abc');
    assert.equal(result.stdout, `${pid} a 'b'\n`, 'same PID: the program replaced the announcing shell');
    assert.equal(rest, 'oops\n');
  });

  test('sudo prefixes the program', () => {
    assert.match(buildCommandLine(['id'], true, 't'), /; exec sudo -n -- id$/);
  });

  test('parsePidLine keeps everything but its own line', () => {
    assert.deepEqual(parsePidLine('motd\nt:42\nerr\n', 't'), { pid: 42, rest: 'motd\nerr\n' });
    assert.deepEqual(parsePidLine('t:7\n', 't'), { pid: 7, rest: '' });
    assert.deepEqual(parsePidLine('xt:7\n', 't'), { pid: undefined, rest: 'xt:7\n' });
  });
});
