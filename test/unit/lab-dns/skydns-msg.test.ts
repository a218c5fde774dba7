import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSkydnsPath, parseSkydnsService, renderSkydnsService, splitDomainName, toFqdn } from '../../../src/lab/k8s/skydns/msg.ts';
import { collectStoredServices } from '../../../src/lab/k8s/skydns/records.ts';

describe('skydns msg: names and keys', () => {
  test('splitDomainName and toFqdn', () => {
    assert.deepEqual(splitDomainName('a.b.c.'), ['a', 'b', 'c']);
    assert.deepEqual(splitDomainName('a.b.c'), ['a', 'b', 'c']);
    assert.deepEqual(splitDomainName('.'), []);
    assert.equal(toFqdn('domeos.local'), 'domeos.local.');
    assert.equal(toFqdn('domeos.local.'), 'domeos.local.');
  });

  test('a name is stored under its labels reversed below the prefix', () => {
    assert.equal(buildSkydnsPath('kubernetes.default.svc.domeos.local.'), '/skydns/local/domeos/svc/default/kubernetes');
    assert.equal(buildSkydnsPath('kubernetes.default.svc.domeos.local'), '/skydns/local/domeos/svc/default/kubernetes');
    assert.equal(buildSkydnsPath('domeos.local.', 'prefix/skydns'), '/prefix/skydns/local/domeos');
    assert.equal(buildSkydnsPath('x.local.', 'prefix/skydns/skydns'), '/prefix/skydns/skydns/local/x');
    assert.equal(buildSkydnsPath('x.local.', ''), '/local/x');
    assert.equal(buildSkydnsPath('.'), '/skydns');
  });
});

describe('skydns msg: service values', () => {
  test('rendered as Go marshals msg.Service: struct order, zero values left out', () => {
    assert.equal(renderSkydnsService({ host: '127.16.0.1', priority: 10, weight: 10, ttl: 30, targetstrip: 0 }), '{"host":"127.16.0.1","priority":10,"weight":10,"ttl":30}');
    assert.equal(renderSkydnsService({ ttl: 30, weight: 10, priority: 10, port: 443, host: 'kubernetes.default.svc.domeos.local.' }), '{"host":"kubernetes.default.svc.domeos.local.","port":443,"priority":10,"weight":10,"ttl":30}');
  });

  test('parsed as json.Unmarshal reads it', () => {
    assert.deepEqual(parseSkydnsService('{"host":"10.0.0.1","priority":10,"weight":10,"ttl":30,"targetstrip":0,"extra":"x"}'), {
      ok: true,
      service: { host: '10.0.0.1', priority: 10, weight: 10, ttl: 30, targetstrip: 0 },
    });
    assert.deepEqual(parseSkydnsService('{}'), { ok: true, service: { host: '' } });
    assert.equal(parseSkydnsService('not json').ok, false);
    assert.equal(parseSkydnsService('[1]').ok, false);
    assert.equal(parseSkydnsService('{"host":5}').ok, false);
    assert.equal(parseSkydnsService('{"port":"53"}').ok, false);
  });
});

describe('skydns records below a key', () => {
  test('a single value, or every value of a directory tree in key order', () => {
    const leaf = { key: '/skydns/local/d/svc/ns/web/abc', value: '{"host":"10.0.0.2"}' };
    assert.deepEqual(collectStoredServices(leaf), { ok: true, services: [{ key: leaf.key, service: { host: '10.0.0.2' } }] });
    const tree = {
      key: '/skydns/local/d/svc/ns/web',
      dir: true,
      nodes: [
        { key: '/skydns/local/d/svc/ns/web/b', value: '{"host":"10.0.0.3","ttl":30}' },
        { key: '/skydns/local/d/svc/ns/web/_tcp', dir: true, nodes: [{ key: '/skydns/local/d/svc/ns/web/_tcp/_http', dir: true, nodes: [{ key: '/skydns/local/d/svc/ns/web/_tcp/_http/b', value: '{"host":"web.ns.svc.d.","port":80}' }] }] },
        { key: '/skydns/local/d/svc/ns/web/a', value: '{"host":"10.0.0.2"}' },
        { key: '/skydns/local/d/svc/ns/web/empty', dir: true },
      ],
    };
    const result = collectStoredServices(tree);
    assert.ok(result.ok);
    assert.deepEqual(result.services.map((s) => s.service.host), ['web.ns.svc.d.', '10.0.0.2', '10.0.0.3']);
  });

  test('a value that is not a service fails the lookup', () => {
    const result = collectStoredServices({ key: '/k', dir: true, nodes: [{ key: '/k/a', value: '{"host":"10.0.0.1"}' }, { key: '/k/b', value: 'oops' }] });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /^\/k\/b: /);
  });
});
