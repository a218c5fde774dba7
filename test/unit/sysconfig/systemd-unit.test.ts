import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildServiceArgv, expandExecStart, parseUnitFile } from '../../../src/sysconfig/systemd-unit.ts';
import { parseTimeSpanMs, splitUnitWords } from '../../../src/sysconfig/systemd-words.ts';
import { isFerryError } from '../../../src/errors.ts';

const unit = (service: string): string => `[Unit]\nDescription=x\n\n[Service]\n${service}\n\n[Install]\nWantedBy=multi-user.target\n`;

describe('parseUnitFile', () => {
  test('reads ExecStart, EnvironmentFile (optional with -), Environment, Restart, RestartSec, TimeoutStopSec', () => {
    const u = parseUnitFile(
      unit(
        [
          '# comment',
          'EnvironmentFile=/etc/sysconfig/etcd',
          'EnvironmentFile=-/run/flannel/docker',
          'Environment="A=1 2" B=3',
          'ExecStart=-/usr/bin/etcd $ETCD_NAME',
          'Restart=on-failure',
          'RestartSec=5',
          'TimeoutStopSec=500ms',
        ].join('\n'),
      ),
    );
    assert.equal(u.service.execStart, '/usr/bin/etcd $ETCD_NAME');
    assert.deepEqual(u.service.environmentFiles, [
      { path: '/etc/sysconfig/etcd', optional: false },
      { path: '/run/flannel/docker', optional: true },
    ]);
    assert.deepEqual(Object.fromEntries(u.service.environment), { A: '1 2', B: '3' });
    assert.equal(u.service.restart, 'on-failure');
    assert.equal(u.service.restartSecMs, 5000);
    assert.equal(u.service.timeoutStopSecMs, 500);
    assert.deepEqual(u.sections.get('Install'), [['WantedBy', 'multi-user.target']]);
  });

  test('defaults: Restart=no, RestartSec=100ms, TimeoutStopSec=10s', () => {
    const s = parseUnitFile(unit('ExecStart=/bin/true')).service;
    assert.deepEqual([s.restart, s.restartSecMs, s.timeoutStopSecMs], ['no', 100, 10_000]);
  });

  test('strips + ! : prefixes; @ drops the argv[0] word', () => {
    assert.equal(parseUnitFile(unit('ExecStart=+/bin/a x')).service.execStart, '/bin/a x');
    const at = parseUnitFile(unit('ExecStart=@/bin/a name x')).service;
    assert.deepEqual(buildServiceArgv(at, new Map()), ['/bin/a', 'x']);
  });

  test('empty ExecStart= resets; line continuations join', () => {
    const s = parseUnitFile(unit('ExecStart=/bin/a\nExecStart=\nExecStart=/bin/b \\\n  --flag')).service;
    assert.deepEqual(expandExecStart(s.execStart, {}), ['/bin/b', '--flag']);
  });

  test('errors carry LAB_UNIT_INVALID', () => {
    for (const text of [unit('Restart=sometimes\nExecStart=/x'), unit('Type=simple'), unit('ExecStart=/a\nExecStart=/b'), unit('RestartSec=soon\nExecStart=/x'), 'garbage']) {
      assert.throws(() => parseUnitFile(text), (e: unknown) => isFerryError(e) && e.code === 'LAB_UNIT_INVALID');
    }
  });
});

describe('expandExecStart', () => {
  test('$VAR alone splits into words; empty or unknown gives no word', () => {
    const env = new Map([
      ['ETCD_NAME', '-name domeosEtcd0'],
      ['EMPTY', ''],
    ]);
    assert.deepEqual(expandExecStart('/usr/bin/etcd $ETCD_NAME $EMPTY $UNKNOWN -x', env), ['/usr/bin/etcd', '-name', 'domeosEtcd0', '-x']);
  });

  test('${VAR} expands in place to one word; unknown is empty', () => {
    const env = { A: 'a b', B: 'x' };
    assert.deepEqual(expandExecStart('/bin/p --a=${A} ${B}${B} ${NOPE} z', env), ['/bin/p', '--a=a b', 'xx', '', 'z']);
  });

  test('quotes group words; $$ is a literal $; $VAR inside a word is left alone', () => {
    assert.deepEqual(expandExecStart(`/bin/p "a b" 'c d' cost$$ a$B`, { B: 'x' }), ['/bin/p', 'a b', 'c d', 'cost$', 'a$B']);
  });

  test('quotes inside a $VAR value group words (systemd splits with unquoting)', () => {
    assert.deepEqual(expandExecStart('/bin/p $OPTS', { OPTS: `-a "b c" d` }), ['/bin/p', '-a', 'b c', 'd']);
  });
});

describe('unit-words', () => {
  test('splitUnitWords handles escapes and quotes', () => {
    assert.deepEqual(splitUnitWords('a\\ b "c\\"d" e\\nf', { cunescape: true }), ['a b', 'c"d', 'e\nf']);
    assert.deepEqual(splitUnitWords('  '), []);
    assert.deepEqual(splitUnitWords('""'), ['']);
  });

  test('parseTimeSpanMs', () => {
    assert.equal(parseTimeSpanMs('5'), 5000);
    assert.equal(parseTimeSpanMs('5s'), 5000);
    assert.equal(parseTimeSpanMs('500ms'), 500);
    assert.equal(parseTimeSpanMs('1min 30s'), 90_000);
    assert.equal(parseTimeSpanMs('1.5s'), 1500);
    assert.equal(parseTimeSpanMs('infinity'), Number.POSITIVE_INFINITY);
    assert.equal(parseTimeSpanMs('soon'), undefined);
    assert.equal(parseTimeSpanMs('5 parsecs'), undefined);
    assert.equal(parseTimeSpanMs(''), undefined);
  });
});
