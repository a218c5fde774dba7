import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { hexToId, idToHex, isMemberId, parseBigJson, parseJsonId } from '../../../src/etcd/ids.ts';
import { FerryError } from '../../../src/errors.ts';

describe('idToHex / hexToId', () => {
  test('round-trips a uint64 beyond 2^53 exactly', () => {
    // BigInt('17995410095743796593').toString(16) is f9bc8a2368498571 (f9bc1f26e4b8e471 is 17995292462972200049).
    assert.equal(idToHex('17995410095743796593'), 'f9bc8a2368498571');
    assert.equal(hexToId('f9bc8a2368498571'), '17995410095743796593');
    assert.equal(hexToId('f9bc1f26e4b8e471'), '17995292462972200049');
    assert.equal(idToHex('17995292462972200049'), 'f9bc1f26e4b8e471');
  });

  test('matches the pair recorded in docs/design/lab-environment.md §2', () => {
    assert.equal(idToHex('4264596588876168163'), '3b2ee400b64e7be3');
  });

  test('is not zero-padded, like etcdctl (seen: 632564652143821059 listed as 8c752331c804103)', () => {
    assert.equal(idToHex('632564652143821059'), '8c752331c804103');
    assert.equal(hexToId('8c752331c804103'), '632564652143821059');
    assert.equal(hexToId('08c752331c804103'), '632564652143821059');
    assert.equal(hexToId('0x8C752331C804103'), '632564652143821059');
  });

  test('covers the uint64 range', () => {
    assert.equal(idToHex('18446744073709551615'), 'ffffffffffffffff');
    assert.equal(hexToId('ffffffffffffffff'), '18446744073709551615');
    assert.equal(idToHex('0'), '0');
  });

  test('rejects what is not an ID', () => {
    for (const bad of ['', '-1', '01', '1.5', '18446744073709551616', 'abc', ' 1']) {
      assert.equal(isMemberId(bad), false, bad);
      assert.throws(() => idToHex(bad), (e: unknown) => e instanceof FerryError && e.code === 'ETCD_BAD_MEMBER_ID');
    }
    for (const bad of ['', 'xyz', '1ffffffffffffffff', '0x', '-1']) {
      assert.throws(() => hexToId(bad), (e: unknown) => e instanceof FerryError && e.code === 'ETCD_BAD_MEMBER_ID');
    }
  });
});

describe('parseBigJson', () => {
  test('keeps etcdctl member list IDs exact', () => {
    const text =
      '{"header":{"cluster_id":1601180557375156335,"member_id":17995410095743796593,"raft_term":2},' +
      '"members":[{"ID":17995410095743796593,"name":"s1","peerURLs":["http://127.19.0.1:4010"],"clientURLs":[]}]}';
    const v = parseBigJson(text);
    assert.deepEqual(v, {
      header: { cluster_id: 1601180557375156335n, member_id: 17995410095743796593n, raft_term: 2 },
      members: [{ ID: 17995410095743796593n, name: 's1', peerURLs: ['http://127.19.0.1:4010'], clientURLs: [] }],
    });
  });

  test('parses the same as JSON.parse when there are no big integers', () => {
    const samples = [
      '{"hash":1990420313,"revision":21,"totalKey":24,"totalSize":24576}',
      '[1, -2, 3.5, -0.25e3, 1E2, true, false, null, "a\\"b\\u00e9\\n", {}, []]',
      '  "x"  ',
      '9007199254740991',
      '-9007199254740991',
      '{"a":{"b":[[],[{}]]}}',
    ];
    for (const s of samples) assert.deepEqual(parseBigJson(s), JSON.parse(s), s);
  });

  test('big integers become bigint, also negative; non-integers stay numbers', () => {
    assert.equal(parseBigJson('9007199254740992'), 9007199254740992n);
    assert.equal(parseBigJson('-9007199254740993'), -9007199254740993n);
    assert.equal(parseBigJson('18446744073709551615.0'), Number('18446744073709551615.0'));
  });

  test('does not let __proto__ keys change the prototype', () => {
    const v = parseBigJson('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__']);
  });

  test('rejects malformed JSON', () => {
    for (const bad of ['', '{', '[1,]', '{"a" 1}', '01x', 'tru', '"abc', '1 2', '{a:1}', '"\u0001"']) {
      assert.throws(() => parseBigJson(bad), SyntaxError, JSON.stringify(bad));
    }
  });

  test('parseJsonId accepts number, bigint and string IDs', () => {
    assert.equal(parseJsonId(17995410095743796593n), '17995410095743796593');
    assert.equal(parseJsonId(12345), '12345');
    assert.equal(parseJsonId('42'), '42');
    assert.throws(() => parseJsonId(1.5), SyntaxError);
    assert.throws(() => parseJsonId(-1n), SyntaxError);
    assert.throws(() => parseJsonId(undefined), SyntaxError);
  });
});
