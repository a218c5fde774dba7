import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FerryError } from '../../../../src/errors.ts';
import { buildApiField, buildEtcdField, buildWatcherConf, readConsoleCredentials } from '../../../../src/adapters/console/domeos.ts';
import { buildConsoleErrorCode, buildEnvelopeError, parseEnvelope } from '../../../../src/adapters/console/domeos-envelope.ts';

describe('console fields', () => {
  test('api: ip:port for http, https://ip:port for https', () => {
    assert.equal(buildApiField('http://10.17.33.20:8080'), '10.17.33.20:8080');
    assert.equal(buildApiField('http://10.17.33.20:8080/'), '10.17.33.20:8080');
    assert.equal(buildApiField('10.17.33.20:8080'), '10.17.33.20:8080');
    assert.equal(buildApiField('https://10.17.33.20:6443'), 'https://10.17.33.20:6443');
    assert.equal(buildApiField('https://10.17.33.20'), 'https://10.17.33.20:443');
    assert.throws(() => buildApiField('ftp://x:1'), (e: FerryError) => e.code === 'CONSOLE_BAD_URL');
  });
  test('etcd: http:// comma list with a trailing comma', () => {
    assert.equal(buildEtcdField(['http://10.17.33.21:4012', '10.17.33.22:4012/', 'http://10.17.33.23:4012']), 'http://10.17.33.21:4012,http://10.17.33.22:4012,http://10.17.33.23:4012,');
    assert.throws(() => buildEtcdField([]), (e: FerryError) => e.code === 'CONSOLE_BAD_URL');
  });
  test('watcher conf has the UI defaults', () => {
    const conf = buildWatcherConf({ name: 'watcher' });
    assert.equal(conf.namespace, 'default');
    assert.equal(conf.hostEnv, 'PROD');
    assert.equal(conf.containerDrafts[0]?.image, 'kube_event_watcher');
  });
});

describe('console envelope', () => {
  test('codes map to CONSOLE_<NAME>, unknown ones to CONSOLE_ERROR', () => {
    assert.equal(buildConsoleErrorCode(1002), 'CONSOLE_CLUSTER_NOT_EXIST');
    assert.equal(buildConsoleErrorCode(2002), 'CONSOLE_USER_NOT_AUTHORIZED');
    assert.equal(buildConsoleErrorCode(9999), 'CONSOLE_ERROR');
    const envelope = parseEnvelope({ resultCode: 1202, resultMsg: 'CANNOT_DELETE_DEPLOYMENT:deployment status is RUNNING now', result: null });
    assert.ok(envelope !== undefined);
    const err = buildEnvelopeError(envelope, 'delete the watcher', {});
    assert.equal(err.code, 'CONSOLE_CANNOT_DELETE_DEPLOYMENT');
    assert.match(err.message, /deployment status is RUNNING now/);
    assert.match(err.hint ?? '', /Stop the watcher/);
    assert.equal(parseEnvelope('<html>'), undefined);
  });
});

describe('console credentials', () => {
  test('from a YAML file, then from the environment, never leaking the password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-cred-'));
    try {
      const file = join(dir, 'creds.yaml');
      writeFileSync(file, 'username: admin\npassword: s3cret\n');
      assert.deepEqual(readConsoleCredentials({ path: file }), { username: 'admin', password: 's3cret' });
      writeFileSync(file, 'username: admin\n');
      assert.throws(() => readConsoleCredentials({ path: file }), (e: FerryError) => e.code === 'CONSOLE_CREDENTIALS_INVALID');
      writeFileSync(file, 'username: [admin\npassword: s3cret-in-bad-yaml\n');
      assert.throws(() => readConsoleCredentials({ path: file }), (e: FerryError) => e.code === 'CONSOLE_CREDENTIALS_UNREADABLE' && !e.message.includes('s3cret'));
      assert.deepEqual(readConsoleCredentials({ env: { FERRY_DOMEOS_USERNAME: 'u', FERRY_DOMEOS_PASSWORD: 'p' } }), { username: 'u', password: 'p' });
      assert.throws(() => readConsoleCredentials({ env: {} }), (e: FerryError) => e.code === 'CONSOLE_CREDENTIALS_MISSING' && e.exitCode === 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
