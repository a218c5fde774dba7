import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHostRoot, buildLabPaths, isValidLabAddress, mapArgvIntoRoot, mapPathIntoRoot } from '../../../src/lab/paths.ts';

const root = '/tmp/lab/hosts/127.20.0.1';

describe('lab paths', () => {
  test('layout', () => {
    const p = buildLabPaths('/tmp/lab');
    assert.deepEqual(p, {
      labDir: '/tmp/lab',
      stateFile: '/tmp/lab/lab.json',
      socketPath: '/tmp/lab/supervisor.sock',
      supervisorLog: '/tmp/lab/supervisor.log',
      supervisorStateFile: '/tmp/lab/supervisor-state.json',
      hostsDir: '/tmp/lab/hosts',
    });
    assert.equal(buildHostRoot('/tmp/lab', '127.20.0.1'), root);
  });

  test('mapPathIntoRoot: absolute paths go under the root and cannot escape it', () => {
    assert.equal(mapPathIntoRoot(root, '/etc/sysconfig/etcd'), `${root}/etc/sysconfig/etcd`);
    assert.equal(mapPathIntoRoot(root, '/'), root);
    assert.equal(mapPathIntoRoot(root, '/../../etc/passwd'), `${root}/etc/passwd`);
    assert.equal(mapPathIntoRoot(root, '/var//lib/./etcd/'), `${root}/var/lib/etcd`);
  });

  test('mapPathIntoRoot: relative paths and kernel file systems are unchanged', () => {
    assert.equal(mapPathIntoRoot(root, 'relative/x'), 'relative/x');
    assert.equal(mapPathIntoRoot(root, '/dev/null'), '/dev/null');
    assert.equal(mapPathIntoRoot(root, '/proc/self/stat'), '/proc/self/stat');
    assert.equal(mapPathIntoRoot(root, '/device'), `${root}/device`);
  });

  test('mapArgvIntoRoot maps path words and --flag=/path values only', () => {
    const argv = [
      '/usr/sbin/domeos/etcd/current/etcd',
      '-name',
      'domeosEtcd0',
      '-data-dir',
      '/var/lib/etcd',
      '--data-dir=/var/lib/etcd',
      '-wal-dir=/var/lib/wal',
      '-listen-client-urls',
      'http://127.20.0.1:4012',
      '--endpoints=http://127.20.0.1:4012',
      '--flag=relative',
      'etcdctl',
      'a=/b',
    ];
    assert.deepEqual(mapArgvIntoRoot(root, argv), [
      `${root}/usr/sbin/domeos/etcd/current/etcd`,
      '-name',
      'domeosEtcd0',
      '-data-dir',
      `${root}/var/lib/etcd`,
      `--data-dir=${root}/var/lib/etcd`,
      `-wal-dir=${root}/var/lib/wal`,
      '-listen-client-urls',
      'http://127.20.0.1:4012',
      '--endpoints=http://127.20.0.1:4012',
      '--flag=relative',
      'etcdctl',
      'a=/b',
    ]);
  });

  test('isValidLabAddress rejects separators and ..', () => {
    assert.equal(isValidLabAddress('127.20.0.1'), true);
    assert.equal(isValidLabAddress('../x'), false);
    assert.equal(isValidLabAddress('a/b'), false);
    assert.equal(isValidLabAddress('1..2'), false);
    assert.equal(isValidLabAddress(''), false);
  });
});
