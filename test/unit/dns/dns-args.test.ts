import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../src/errors.ts';
import { buildDnsEndpoints, buildRewrittenArgs } from '../../../src/dns/dns-args.ts';

function code(c: string): (err: unknown) => boolean {
  return (err) => err instanceof FerryError && err.code === c;
}

const endpoints = buildDnsEndpoints({ etcd: ['10.17.33.21:4012', 'http://10.17.33.22:4012'], master: '10.17.33.20:8080' });

describe('buildDnsEndpoints', () => {
  test('adds http:// when absent, keeps https://, drops a trailing slash', () => {
    assert.deepEqual(endpoints, { etcd: ['http://10.17.33.21:4012', 'http://10.17.33.22:4012'], master: 'http://10.17.33.20:8080' });
    assert.deepEqual(buildDnsEndpoints({ etcd: ['https://e1:4012/'], master: 'https://m:6443' }), {
      etcd: ['https://e1:4012'],
      master: 'https://m:6443',
    });
  });
  test('refuses an empty list, a duplicate, a comma inside one entry, an empty master', () => {
    assert.throws(() => buildDnsEndpoints({ etcd: [], master: 'm:8080' }), code('DNS_ETCD_EMPTY'));
    assert.throws(() => buildDnsEndpoints({ etcd: ['a:1', 'http://a:1'], master: 'm:8080' }), code('DNS_ETCD_DUPLICATE'));
    assert.throws(() => buildDnsEndpoints({ etcd: ['a:1,b:1'], master: 'm:8080' }), code('DNS_ETCD_INVALID'));
    assert.throws(() => buildDnsEndpoints({ etcd: [' '], master: 'm:8080' }), code('DNS_ETCD_INVALID'));
    assert.throws(() => buildDnsEndpoints({ etcd: ['a:1'], master: '' }), code('DNS_MASTER_INVALID'));
  });
});

describe('buildRewrittenArgs', () => {
  test('the =-less form: the value is the next arg, the form is kept', () => {
    const out = buildRewrittenArgs(['--domain', 'domeos.local', '--machines', 'http://0.0.0.1:4012', '--addr=0.0.0.0:53'], endpoints, 'c');
    assert.deepEqual(out.args, ['--domain', 'domeos.local', '--machines', 'http://10.17.33.21:4012,http://10.17.33.22:4012', '--addr=0.0.0.0:53']);
    assert.deepEqual(out.changes, [{ flag: 'machines', index: 3, from: 'http://0.0.0.1:4012', to: 'http://10.17.33.21:4012,http://10.17.33.22:4012' }]);
    assert.equal(out.flagsSeen, 1);
  });
  test('single-dash flags (Go flag syntax) keep their dash; order and unrelated args untouched', () => {
    const out = buildRewrittenArgs(['-v=2', '-etcd-server=http://0.0.0.1:4012', '-kube_master_url', 'http://0.0.0.1:8080', 'positional'], endpoints, 'c');
    assert.deepEqual(out.args, ['-v=2', '-etcd-server=http://10.17.33.21:4012', '-kube_master_url', 'http://10.17.33.20:8080', 'positional']);
  });
  test('--etcd-server gets exactly one endpoint, the first of --machines', () => {
    const out = buildRewrittenArgs(['--etcd-server=http://a:1,http://b:1', '--machines=x'], endpoints, 'c');
    assert.deepEqual(out.args, ['--etcd-server=http://10.17.33.21:4012', '--machines=http://10.17.33.21:4012,http://10.17.33.22:4012']);
  });
  test('look-alike flags are not touched', () => {
    const args = ['--machines-extra=1', '--etcd_prefix=prefix/skydns', '--etcd-servers2=x', '--path-prefix=prefix/skydns'];
    assert.deepEqual(buildRewrittenArgs(args, endpoints, 'c'), { args, changes: [], flagsSeen: 0 });
  });
  test('a flag without a value is refused', () => {
    assert.throws(() => buildRewrittenArgs(['--machines'], endpoints, 'c'), code('DNS_ARG_MISSING_VALUE'));
    assert.throws(() => buildRewrittenArgs(['--machines', '--domain=x'], endpoints, 'c'), code('DNS_ARG_MISSING_VALUE'));
  });
  test('an already rewritten list reports no changes but counts its flags', () => {
    const once = buildRewrittenArgs(['--etcd-server=http://0.0.0.1:4012', '--kube_master_url=http://0.0.0.1:8080'], endpoints, 'c');
    const twice = buildRewrittenArgs(once.args, endpoints, 'c');
    assert.deepEqual(twice, { args: once.args, changes: [], flagsSeen: 2 });
  });
});

describe('buildDnsEndpoints: the scheme as skydns and kube2sky need it', () => {
  test('an upper-case scheme is written in lower case, never doubled', () => {
    const e = buildDnsEndpoints({ etcd: ['HTTP://10.17.33.21:4012', '10.17.33.22:4012'], master: 'Http://10.17.33.20:8080' });
    assert.deepEqual(e.etcd, ['http://10.17.33.21:4012', 'http://10.17.33.22:4012']);
    assert.equal(e.master, 'http://10.17.33.20:8080');
  });
});
