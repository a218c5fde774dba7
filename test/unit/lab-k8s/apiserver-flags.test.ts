import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApiserverFlags } from '../../../src/lab/k8s/apiserver/flags.ts';
import { versionFromFolderName } from '../../../src/lab/k8s/common/version.ts';

describe('parseApiserverFlags', () => {
  test('defaults, with only the required --etcd-servers', () => {
    const parsed = parseApiserverFlags(['--etcd-servers=http://127.0.0.1:4012']);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.options, {
      etcdServers: ['http://127.0.0.1:4012'],
      etcdPrefix: '/registry',
      insecureBindAddress: '0.0.0.0',
      insecurePort: 8080,
      serviceClusterIpRange: '10.0.0.0/24',
    });
    assert.equal(parsed.showVersion, false);
  });

  test('Go-style forms: --f=v, --f v, -f=v, -f v; a comma list; trailing slashes dropped', () => {
    const parsed = parseApiserverFlags([
      '-etcd-servers=http://127.17.33.31:4012,http://127.17.33.32:4012/',
      '--etcd-prefix', '/domeos/registry/',
      '-insecure-bind-address', '127.17.33.30',
      '--insecure-port=8081',
      '--service-cluster-ip-range=127.16.0.0/13',
    ]);
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.options?.etcdServers, ['http://127.17.33.31:4012', 'http://127.17.33.32:4012']);
    assert.equal(parsed.options?.etcdPrefix, '/domeos/registry');
    assert.equal(parsed.options?.insecureBindAddress, '127.17.33.30');
    assert.equal(parsed.options?.insecurePort, 8081);
    assert.equal(parsed.options?.serviceClusterIpRange, '127.16.0.0/13');
  });

  test('unknown flags (with or without a value) and stray words are warnings; empty words are skipped', () => {
    const parsed = parseApiserverFlags(['--etcd-servers=http://a:1', '--admission-control=NamespaceLifecycle', '--v', '2', '', '--allow-privileged', 'stray']);
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.warnings.length, 3);
    assert.match(parsed.warnings[0] ?? '', /--admission-control/);
    assert.match(parsed.warnings[1] ?? '', /--v\b/);
    assert.match(parsed.warnings[2] ?? '', /--allow-privileged/);
    // "stray" was taken as --allow-privileged's value, as pflag would for a non-bool flag
  });

  test('--version alone, =true, =false', () => {
    assert.equal(parseApiserverFlags(['--version']).showVersion, true);
    assert.equal(parseApiserverFlags(['-version=true']).showVersion, true);
    assert.equal(parseApiserverFlags(['--version=false', '--etcd-servers=http://a:1']).showVersion, false);
  });

  test('every problem is reported at once', () => {
    const parsed = parseApiserverFlags(['--insecure-port=99999', '--insecure-bind-address=localhost', '--service-cluster-ip-range=10.0.0.0/33', '--etcd-prefix=registry']);
    assert.equal(parsed.options, undefined);
    assert.equal(parsed.errors.length, 5);
    assert.match(parsed.errors.join('\n'), /--etcd-servers must be specified/);
    assert.match(parsed.errors.join('\n'), /--insecure-port/);
    assert.match(parsed.errors.join('\n'), /--insecure-bind-address/);
    assert.match(parsed.errors.join('\n'), /--service-cluster-ip-range/);
    assert.match(parsed.errors.join('\n'), /--etcd-prefix/);
  });

  test('an etcd server that is not a URL, a flag without its value', () => {
    assert.match(parseApiserverFlags(['--etcd-servers=127.0.0.1:4012']).errors.join(), /not a URL/);
    assert.match(parseApiserverFlags(['--etcd-servers']).errors.join(), /flag needs an argument: --etcd-servers/);
  });
});

describe('versionFromFolderName', () => {
  test('a version directory name is the version; anything else is 1.4.7', () => {
    assert.equal(versionFromFolderName('1.4.7'), '1.4.7');
    assert.equal(versionFromFolderName('1.3.11-ndots1'), '1.3.11-ndots1');
    assert.equal(versionFromFolderName('v1.5.5'), '1.5.5');
    assert.equal(versionFromFolderName('lab-bin'), '1.4.7');
    assert.equal(versionFromFolderName('current'), '1.4.7');
  });
});
