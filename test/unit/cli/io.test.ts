/**
 * The CLI's terminal conventions: colour only on a terminal and never with NO_COLOR / --no-color / TERM=dumb;
 * data (-o json|yaml) on stdout with people's words moved to stderr; errors with code, what, where and what to try.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { computeColor, ERRORS_DOC, humanIo, renderData, renderError, type Io } from '../../../src/cli/io.ts';
import { FerryError, inputError } from '../../../src/errors.ts';

const FERRY = fileURLToPath(new URL('../../../bin/ferry.js', import.meta.url));
/** The start of every ANSI colour sequence. */
const CSI = '\x1b[';

function io(color = false): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), color, isTty: color, env: {} };
}

describe('colour', () => {
  const tty = { stdoutIsTty: true, stderrIsTty: true, env: {}, argv: [] };

  test('only when stdout and stderr are both terminals', () => {
    assert.equal(computeColor(tty), true);
    assert.equal(computeColor({ ...tty, stdoutIsTty: false }), false);
    assert.equal(computeColor({ ...tty, stderrIsTty: false }), false);
  });

  test('never with NO_COLOR (any non-empty value), --no-color, or TERM=dumb', () => {
    assert.equal(computeColor({ ...tty, env: { NO_COLOR: '1' } }), false);
    assert.equal(computeColor({ ...tty, env: { NO_COLOR: 'false' } }), false, 'no-color.org: any non-empty value');
    assert.equal(computeColor({ ...tty, env: { NO_COLOR: '' } }), true, 'an empty NO_COLOR does not count');
    assert.equal(computeColor({ ...tty, argv: ['plan', '--no-color'] }), false);
    assert.equal(computeColor({ ...tty, env: { TERM: 'dumb' } }), false);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  /** The real CLI on a pseudo-terminal (util-linux `script`), so that stdout and stderr are TTYs. */
  function onTerminal(env: Record<string, string>, args: string): string {
    const r = spawnSync('script', ['-qec', `node ${FERRY} ${args}`, '/dev/null'], { env: { ...process.env, ...env, NO_COLOR: env['NO_COLOR'] ?? '' }, encoding: 'utf8', timeout: 120_000 });
    return r.stdout;
  }

  test('the real CLI colours its errors on a terminal, and not with NO_COLOR or when piped (skipped without `script`)', { skip: hasScript ? false : 'util-linux script is not installed' }, () => {
    assert.ok(onTerminal({}, 'frobnicate').includes(`${CSI}31merror CLI_USAGE${CSI}0m`));
    assert.ok(!onTerminal({ NO_COLOR: '1' }, 'frobnicate').includes(CSI));
    assert.ok(!onTerminal({}, 'frobnicate --no-color').includes(CSI));
    const piped = spawnSync(process.execPath, [FERRY, 'frobnicate'], { env: { ...process.env, NO_COLOR: '' }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(piped.status, 2);
    assert.match(piped.stderr, /^error CLI_USAGE: unknown command "frobnicate"/);
    assert.ok(!piped.stderr.includes(CSI));
  });
});

describe('data output', () => {
  test('json is indented by two spaces and ends with one newline; yaml parses back to the same data', () => {
    const data = { a: 1, b: ['x', 'y'], c: { d: null } };
    assert.equal(renderData('json', data), `${JSON.stringify(data, null, 2)}\n`);
    assert.deepEqual(parseYaml(renderData('yaml', data)), data);
  });

  test('with -o json|yaml the words for people go to stderr, so stdout holds only the data', () => {
    const o = io();
    humanIo(o, 'json').out('words');
    humanIo(o, 'text').out('text');
    assert.deepEqual(o.stderr, ['words']);
    assert.deepEqual(o.stdout, ['text']);
  });
});

describe('errors', () => {
  test('print the code, what happened, where, and what to try', () => {
    const err = new FerryError('ETCD_MEMBER_START_TIMEOUT', 'domeosEtcd21 did not answer on http://10.17.33.21:4012 within 30000 ms', {
      hint: 'check etcd on 10.17.33.21',
      subjects: { member: 'domeosEtcd21', host: '10.17.33.21' },
    });
    assert.equal(
      renderError(io(), err),
      'error ETCD_MEMBER_START_TIMEOUT: domeosEtcd21 did not answer on http://10.17.33.21:4012 within 30000 ms\n' +
        '  where: member domeosEtcd21, host 10.17.33.21\n' +
        '  hint: check etcd on 10.17.33.21\n',
    );
  });

  test('an error without a hint of its own points at its entry in docs/errors.md', () => {
    const text = renderError(io(), inputError('RUN_LOCKED', 'run x is locked'));
    assert.match(text, /^error RUN_LOCKED: run x is locked\n {2}hint: .*docs\/errors\.md, section RUN_LOCKED/);
    assert.ok(text.includes(ERRORS_DOC));
  });

  test('in colour only the error line is painted', () => {
    assert.equal(renderError(io(true), inputError('CLI_USAGE', 'bad', { hint: 'h' })), `${CSI}31merror CLI_USAGE${CSI}0m: bad\n  hint: h\n`);
  });

  test('an unexpected error says it is probably a bug', () => {
    assert.match(renderError(io(), new Error('boom')), /^error UNEXPECTED: boom\n {2}hint: this is probably a bug in ferry/);
  });
});
