import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEtcdConfig, parseHostPort, parseSkydnsFlags } from '../../../src/lab/k8s/skydns/flags.ts';

describe('skydns flags', () => {
  test('the DomeOS manifest (dns.yaml)', () => {
    const r = parseSkydnsFlags(['--machines=http://127.0.0.1:4012,http://127.0.0.2:4012/', '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=8.8.8.8:53,127.0.0.53:53']);
    assert.ok(r.ok);
    assert.deepEqual(r.config.machines, ['http://127.0.0.1:4012', 'http://127.0.0.2:4012']);
    assert.equal(r.config.domain, 'domeos.local.');
    assert.deepEqual(r.config.addr, { host: '0.0.0.0', port: 53 });
    assert.deepEqual(r.config.nameservers, [{ host: '8.8.8.8', port: 53 }, { host: '127.0.0.53', port: 53 }]);
    assert.equal(r.config.pathPrefix, 'skydns');
    assert.equal(r.config.readTimeoutMs, 2000);
    assert.equal(r.config.roundRobin, true);
  });

  test('defaults, environment, Go syntax variants', () => {
    const d = parseSkydnsFlags([]);
    assert.ok(d.ok);
    assert.equal(d.config.domain, 'skydns.local.');
    assert.deepEqual(d.config.addr, { host: '127.0.0.1', port: 53 });
    assert.deepEqual(d.config.machines, ['http://127.0.0.1:2379']);
    assert.deepEqual(d.config.nameservers, []);
    const e = parseSkydnsFlags([], { SKYDNS_DOMAIN: 'Env.Local', ETCD_MACHINES: 'http://127.0.0.9:2379', SKYDNS_PATH_PREFIX: 'p/skydns' });
    assert.ok(e.ok);
    assert.equal(e.config.domain, 'env.local.');
    assert.deepEqual(e.config.machines, ['http://127.0.0.9:2379']);
    assert.equal(e.config.pathPrefix, 'p/skydns');
    const g = parseSkydnsFlags(['-domain', 'a.local', '--path-prefix=/prefix/skydns/', '-rtimeout=500ms', '-no-rec', '-round-robin=false', '-verbose']);
    assert.ok(g.ok);
    assert.equal(g.config.domain, 'a.local.');
    assert.equal(g.config.pathPrefix, 'prefix/skydns');
    assert.equal(g.config.readTimeoutMs, 500);
    assert.equal(g.config.noRec, true);
    assert.equal(g.config.roundRobin, false);
    assert.equal(g.config.verbose, true);
  });

  test('usage errors (exit 2) and fatal ones (exit 1)', () => {
    assert.deepEqual(parseSkydnsFlags(['--bogus=1']), { ok: false, kind: 'usage', message: 'flag provided but not defined: -bogus' });
    assert.equal(parseSkydnsFlags(['--rtimeout=soon']).ok, false);
    assert.equal(parseSkydnsFlags(['--scache=x']).ok, false);
    assert.deepEqual(parseSkydnsFlags(['--addr=:53']), { ok: false, kind: 'fatal', message: 'skydns: addr is invalid: bad IP address: ' });
    assert.deepEqual(parseSkydnsFlags(['--nameservers=8.8.8.8']), { ok: false, kind: 'fatal', message: 'skydns: nameserver is invalid: address 8.8.8.8: missing port in address' });
    assert.deepEqual(parseSkydnsFlags(['--nameservers=dns.google:53']), { ok: false, kind: 'fatal', message: 'skydns: nameserver is invalid: bad IP address: dns.google' });
    assert.equal(parseSkydnsFlags(['--addr=127.0.0.1:70000']).ok, false);
  });

  test('host:port', () => {
    assert.deepEqual(parseHostPort('[::1]:53'), { ok: true, value: { host: '::1', port: 53 } });
    assert.equal(parseHostPort('::1:53').ok, false);
    assert.equal(parseHostPort('256.0.0.1:53').ok, false);
  });

  test('config in etcd overrides what it names', () => {
    assert.deepEqual(parseEtcdConfig('{"domain":"X.local","nameservers":["127.0.0.2:53","bad"],"ttl":60,"min_ttl":5,"no_rec":true,"dns_addr":"1.2.3.4:53"}'), {
      ok: true,
      overrides: { domain: 'x.local.', nameservers: [{ host: '127.0.0.2', port: 53 }], ttlSeconds: 60, minTtlSeconds: 5, noRec: true },
    });
    assert.deepEqual(parseEtcdConfig('{}'), { ok: true, overrides: {} });
    assert.equal(parseEtcdConfig('nope').ok, false);
  });
});
