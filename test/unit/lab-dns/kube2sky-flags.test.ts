import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEnv, parseKube2skyFlags, parseKubeMasterURL } from '../../../src/lab/k8s/kube2sky/flags.ts';

describe('kube2sky flags', () => {
  test('image 0.4 (dns.yaml): --etcd-server, --domain, --kube_master_url', () => {
    const r = parseKube2skyFlags(['--etcd-server=http://127.31.0.1:24012/', '--domain=domeos.local', '--kube_master_url=http://127.31.0.2:8080']);
    assert.ok(r.ok);
    assert.deepEqual(r.config.etcdServers, ['http://127.31.0.1:24012']);
    assert.equal(r.config.domain, 'domeos.local');
    assert.equal(r.config.kubeMasterURL, 'http://127.31.0.2:8080');
    assert.equal(r.config.etcdPrefix, '');
    assert.equal(r.config.mutationTimeoutMs, 10_000);
  });

  test('image 0.8: --etcd_servers list and --etcd_prefix, values after a space too', () => {
    const r = parseKube2skyFlags(['--etcd_servers', 'http://a:4012,http://b:4012', '--etcd_prefix', 'prefix/skydns', '--domain', 'x.local', '--etcd_mutation_timeout=1m30s', '-v=2', '--logtostderr']);
    assert.ok(r.ok);
    assert.deepEqual(r.config.etcdServers, ['http://a:4012', 'http://b:4012']);
    assert.equal(r.config.etcdPrefix, 'prefix/skydns');
    assert.equal(r.config.mutationTimeoutMs, 90_000);
  });

  test('defaults; both etcd flags together', () => {
    const d = parseKube2skyFlags([]);
    assert.ok(d.ok);
    assert.deepEqual(d.config.etcdServers, ['http://127.0.0.1:4001']);
    assert.equal(d.config.domain, 'cluster.local');
    assert.equal(d.config.kubeMasterURL, undefined);
    const both = parseKube2skyFlags(['--etcd_servers=http://a:1', '--etcd-server=http://b:1']);
    assert.ok(both.ok);
    assert.deepEqual(both.config.etcdServers, ['http://a:1', 'http://b:1']);
  });

  test('names are exact: --etcd-servers and --kube-master-url are unknown (exit 2)', () => {
    assert.deepEqual(parseKube2skyFlags(['--etcd-servers=http://a:1']), { ok: false, message: 'flag provided but not defined: -etcd-servers' });
    assert.deepEqual(parseKube2skyFlags(['--kube-master-url=http://a:1']), { ok: false, message: 'flag provided but not defined: -kube-master-url' });
    assert.deepEqual(parseKube2skyFlags(['--etcd_server=http://a:1']), { ok: false, message: 'flag provided but not defined: -etcd_server' });
    assert.equal(parseKube2skyFlags(['--etcd_mutation_timeout=ten']).ok, false);
    assert.equal(parseKube2skyFlags(['--domain']).ok, false);
  });

  test('the master URL: env expanded, scheme and host required', () => {
    assert.equal(expandEnv('http://$HOST:${PORT}/x$NOPE', { HOST: 'h', PORT: '8080' }), 'http://h:8080/x');
    assert.deepEqual(parseKubeMasterURL('http://$MASTER:8080/', { MASTER: '127.0.0.2' }), { ok: true, url: 'http://127.0.0.2:8080' });
    assert.deepEqual(parseKubeMasterURL('https://m.example:6443/api/', {}), { ok: true, url: 'https://m.example:6443/api' });
    assert.deepEqual(parseKubeMasterURL('127.0.0.2:8080', {}), { ok: false, message: 'invalid --kube_master_url specified 127.0.0.2:8080' });
    assert.deepEqual(parseKubeMasterURL('localhost:8080', {}), { ok: false, message: 'invalid --kube_master_url specified localhost:8080' });
  });
});
