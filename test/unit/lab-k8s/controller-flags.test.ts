import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagIsSet, parseDurationFlag, parseLenientFlags, parseMasterFlag } from '../../../src/lab/k8s/common/flags.ts';
import { formatGoDuration, parseGoDuration } from '../../../src/lab/k8s/common/go-duration.ts';
import { DEFAULT_K8S_VERSION, readProgramVersion } from '../../../src/lab/k8s/common/version.ts';
import { isFerryError } from '../../../src/errors.ts';

const SPEC = { version: 'bool', master: 'string', 'pod-eviction-timeout': 'string', 'cloud-provider': 'string' } as const;

describe('parseGoDuration', () => {
  test('reads the forms Go prints and accepts', () => {
    assert.equal(parseGoDuration('40s'), 40_000);
    assert.equal(parseGoDuration('5m0s'), 300_000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('1h2m3s4ms'), 3_723_004);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('2500us'), 2.5);
    assert.equal(parseGoDuration('-3s'), -3000);
  });
  test('refuses what Go refuses', () => {
    for (const bad of ['', '40', 's', '5 m', '1d', 'abc', '1m-2s']) {
      assert.throws(() => parseGoDuration(bad), (e: unknown) => isFerryError(e) && e.code === 'LAB_K8S_BAD_DURATION', bad);
    }
  });
  test('formatGoDuration prints like Duration.String()', () => {
    assert.equal(formatGoDuration(40_000), '40s');
    assert.equal(formatGoDuration(300_000), '5m0s');
    assert.equal(formatGoDuration(90_000), '1m30s');
    assert.equal(formatGoDuration(500), '500ms');
    assert.equal(formatGoDuration(1500), '1.5s');
    assert.equal(formatGoDuration(3_723_000), '1h2m3s');
    assert.equal(formatGoDuration(0), '0s');
  });
});

describe('parseLenientFlags', () => {
  test('--flag=value, --flag value, -flag=value and bools', () => {
    const f = parseLenientFlags(['--master=http://127.0.0.1:8080', '--pod-eviction-timeout', '3s', '-cloud-provider=', '--version'], SPEC);
    assert.equal(f.values.get('master'), 'http://127.0.0.1:8080');
    assert.equal(f.values.get('pod-eviction-timeout'), '3s');
    assert.equal(f.values.get('cloud-provider'), '');
    assert.equal(flagIsSet(f, 'version'), true);
    assert.deepEqual(f.warnings, []);
  });
  test('unknown flags and stray words are ignored with a warning', () => {
    const f = parseLenientFlags(['--leader-elect=true', '--master=http://h:1', 'stray', '', '--address=0.0.0.0'], SPEC);
    assert.equal(f.values.get('master'), 'http://h:1');
    assert.deepEqual(f.warnings, ['ignoring unknown flag --leader-elect', 'ignoring argument "stray"', 'ignoring unknown flag --address']);
  });
  test('--version=false is off', () => {
    assert.equal(flagIsSet(parseLenientFlags(['--version=false'], SPEC), 'version'), false);
    assert.equal(flagIsSet(parseLenientFlags([], SPEC), 'version'), false);
  });
  test('--master is required and must be http(s); host:port gets http://', () => {
    assert.throws(() => parseMasterFlag(parseLenientFlags([], SPEC)), (e: unknown) => isFerryError(e) && e.code === 'LAB_K8S_NO_MASTER' && e.exitCode === 2);
    assert.throws(() => parseMasterFlag(parseLenientFlags(['--master=ftp://x'], SPEC)), (e: unknown) => isFerryError(e) && e.code === 'LAB_K8S_BAD_MASTER');
    assert.equal(parseMasterFlag(parseLenientFlags(['--master=127.24.0.2:8080'], SPEC)), 'http://127.24.0.2:8080');
    assert.equal(parseMasterFlag(parseLenientFlags(['--master=http://127.24.0.2:8080/'], SPEC)), 'http://127.24.0.2:8080');
  });
  test('duration flags have defaults and refuse garbage', () => {
    assert.equal(parseDurationFlag(parseLenientFlags([], SPEC), 'pod-eviction-timeout', 300_000), 300_000);
    assert.equal(parseDurationFlag(parseLenientFlags(['--pod-eviction-timeout=3s'], SPEC), 'pod-eviction-timeout', 1), 3000);
    assert.throws(() => parseDurationFlag(parseLenientFlags(['--pod-eviction-timeout=3'], SPEC), 'pod-eviction-timeout', 1), /not a valid duration/);
    assert.throws(() => parseDurationFlag(parseLenientFlags(['--pod-eviction-timeout=-3s'], SPEC), 'pod-eviction-timeout', 1), /not a valid duration/);
  });
});

describe('readProgramVersion', () => {
  test('the version directory the program is reached through, via current', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-cm-version-'));
    try {
      mkdirSync(join(dir, 'repo'));
      writeFileSync(join(dir, 'repo', 'kube-scheduler'), '');
      mkdirSync(join(dir, 'k8s', '1.5.5'), { recursive: true });
      symlinkSync(join(dir, 'repo', 'kube-scheduler'), join(dir, 'k8s', '1.5.5', 'kube-scheduler'));
      symlinkSync('1.5.5', join(dir, 'k8s', 'current'));
      assert.equal(readProgramVersion(join(dir, 'k8s', 'current', 'kube-scheduler')), '1.5.5');
      assert.equal(readProgramVersion(join(dir, 'k8s', '1.5.5', 'kube-scheduler')), '1.5.5');
      assert.equal(readProgramVersion(join(dir, 'repo', 'kube-scheduler')), DEFAULT_K8S_VERSION);
      assert.equal(readProgramVersion(undefined), DEFAULT_K8S_VERSION);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
