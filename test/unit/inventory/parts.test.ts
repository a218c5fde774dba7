import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, InventoryFileSchema, isHostAddress } from '../../../src/inventory/schema.ts';
import { formatPath, toProblems } from '../../../src/inventory/problems.ts';
import { closestKey, schemaAt } from '../../../src/inventory/issues.ts';
import { parseEndpointURL } from '../../../src/inventory/urls.ts';
import { defaultURL, expandHome } from '../../../src/inventory/normalize.ts';

describe('schema', () => {
  test('DEFAULTS are the DomeOS ones', () => {
    assert.equal(DEFAULTS.etcd.clientPort, 4012);
    assert.equal(DEFAULTS.etcd.peerPort, 4010);
    assert.equal(DEFAULTS.etcd.dataDir, '/var/lib/etcd');
    assert.equal(DEFAULTS.etcd.binary, '/usr/sbin/domeos/etcd/current/etcd');
    assert.equal(DEFAULTS.access.port, 22);
    assert.deepEqual(DEFAULTS.dns.controllers, ['kube2sky', 'skydns']);
  });

  test('host addresses: IPv4, IPv6 and DNS names; not broken dotted quads', () => {
    for (const ok of ['10.17.33.21', '127.0.0.1', '::1', 'fe80::1', 'etcd-1.example.com', 'node39']) assert.ok(isHostAddress(ok), ok);
    for (const bad of ['10.17.33.256', '10.17.33', '', 'a b', '-x', 'x_y', 'http://x']) assert.ok(!isHostAddress(bad), bad);
  });

  test('the schema is strict everywhere', () => {
    const r = InventoryFileSchema.safeParse({
      apiVersion: 'ferry/v1',
      name: 'x',
      access: { mode: 'lab', extra: 1 },
      etcd: { old: [], new: [], defaults: { port: 1 } },
    });
    assert.equal(r.success, false);
    assert.deepEqual(
      r.error?.issues.map((i) => [i.code, i.path.join('.')]),
      [
        ['unrecognized_keys', 'access'],
        ['unrecognized_keys', 'etcd.defaults'],
      ],
    );
  });

  test('schemaAt walks objects, lists and records', () => {
    assert.ok(schemaAt(InventoryFileSchema, ['etcd', 'new', 3, 'peerURL']));
    assert.ok(schemaAt(InventoryFileSchema, ['hosts', '10.0.0.1', 'port']));
    assert.equal(schemaAt(InventoryFileSchema, ['etcd', 'nope']), undefined);
  });
});

describe('paths and sorting', () => {
  test('formatPath', () => {
    assert.equal(formatPath(['etcd', 'new', 1, 'peerURL']), 'etcd.new[1].peerURL');
    assert.equal(formatPath(['hosts', '10.17.33.21', 'port']), 'hosts["10.17.33.21"].port');
    assert.equal(formatPath([]), '(root)');
  });

  test('sorted by path with numeric indexes, errors first at one path', () => {
    const problems = toProblems([
      { segments: ['nodes', 10], severity: 'error', message: 'a' },
      { segments: ['etcd', 'old'], severity: 'warning', message: 'b' },
      { segments: ['nodes', 2], severity: 'error', message: 'c' },
      { segments: ['etcd', 'old'], severity: 'error', message: 'd' },
      { segments: ['etcd', 'new', 0, 'host'], severity: 'error', message: 'e' },
    ]);
    assert.deepEqual(problems.map((p) => p.message), ['e', 'd', 'b', 'c', 'a']);
  });

  test('closestKey', () => {
    assert.equal(closestKey('clientUrl', ['clientURL', 'peerURL']), 'clientURL');
    assert.equal(closestKey('hots', ['name', 'host']), 'host');
    assert.equal(closestKey('zzzzzz', ['name', 'host']), undefined);
  });
});

describe('URLs', () => {
  test('parseEndpointURL accepts scheme://host:port and reads an explicit default port', () => {
    const r = parseEndpointURL('http://10.17.33.21:4012', 'none');
    assert.ok(r.ok);
    assert.deepEqual(r.url, { scheme: 'http', host: '10.17.33.21', port: 4012, explicitPort: true, hostPort: '10.17.33.21:4012' });
    const d = parseEndpointURL('http://10.17.33.21:80', 'none');
    assert.ok(d.ok && d.url.explicitPort && d.url.port === 80);
    const n = parseEndpointURL('https://h', 'none');
    assert.ok(n.ok && !n.url.explicitPort && n.url.port === 443);
    const v6 = parseEndpointURL('http://[::1]:4012', 'none');
    assert.ok(v6.ok && v6.url.host === '::1' && v6.url.hostPort === '[::1]:4012');
  });

  test('path rules', () => {
    assert.equal(parseEndpointURL('http://h:1/', 'none').ok, false);
    assert.equal(parseEndpointURL('http://h:1/', 'slash').ok, true);
    assert.equal(parseEndpointURL('http://h:1/x', 'slash').ok, false);
    assert.equal(parseEndpointURL('http://h:1/x?y', 'any').ok, true);
  });

  test('default URLs and ~ expansion', () => {
    assert.equal(defaultURL('10.0.0.1', 4012), 'http://10.0.0.1:4012');
    assert.equal(defaultURL('::1', 4012), 'http://[::1]:4012');
    assert.equal(expandHome('~', '/h'), '/h');
    assert.equal(expandHome('~/a/b', '/h'), '/h/a/b');
    assert.equal(expandHome('~bob/a', '/h'), '~bob/a');
    assert.equal(expandHome('/abs', '/h'), '/abs');
  });
});
