import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, type DecodedPacket } from 'dns-packet';
import {
  buildAddressAnswers,
  buildLocalResponse,
  buildResponse,
  buildTruncated,
  countLabels,
  isInDomain,
  Rcode,
  readUdpLimit,
  rotate,
  type StoredService,
  type ZoneConfig,
} from '../../../src/lab/k8s/skydns/answer.ts';
import { isLoopbackAddress, routeQuery } from '../../../src/lab/k8s/skydns/route.ts';

const zone: ZoneConfig = { domain: 'domeos.local.', serial: 1_500_000_000 };

function query(name: string, type: 'A' | 'AAAA' | 'SRV' | 'SOA' | 'TXT' = 'A', edns = false): DecodedPacket {
  const bytes = encode({
    type: 'query',
    id: 4242,
    flags: 1 << 8, // RD
    questions: [{ type, name, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
  return decode(bytes);
}

const svc = (key: string, host: string, ttl?: number): StoredService => ({ key, service: { host, ...(ttl !== undefined ? { ttl } : {}) } });

/** Encode and decode, as a client would see the answer. */
function wire(q: DecodedPacket, lookup: Parameters<typeof buildLocalResponse>[2]): DecodedPacket & { rcode?: string } {
  return decode(encode(buildLocalResponse(q, q.questions?.[0] ?? { type: 'A', name: '' }, lookup, zone))) as DecodedPacket & { rcode?: string };
}

describe('names and the zone', () => {
  test('isInDomain, countLabels', () => {
    assert.equal(isInDomain('kubernetes.default.svc.domeos.local', 'domeos.local.'), true);
    assert.equal(isInDomain('KUBERNETES.Default.svc.DOMEOS.local.', 'domeos.local.'), true);
    assert.equal(isInDomain('domeos.local.', 'domeos.local.'), true);
    assert.equal(isInDomain('notdomeos.local.', 'domeos.local.'), false);
    assert.equal(isInDomain('example.com.', 'domeos.local.'), false);
    assert.equal(countLabels('a.b.c.'), 3);
    assert.equal(countLabels('.'), 0);
  });
});

describe('answers from records', () => {
  test('one A per distinct IPv4 host, the record TTL or the zone default; names and IPv6 add none', () => {
    const services = [svc('/k/a', '127.16.0.1', 30), svc('/k/_tcp/_https/a', 'kubernetes.default.svc.domeos.local.'), svc('/k/b', '127.16.0.1', 30), svc('/k/c', '127.16.0.9'), svc('/k/d', 'fd00::1')];
    assert.deepEqual(buildAddressAnswers('Kubernetes.default.svc.domeos.local', 'A', services), [
      { type: 'A', name: 'Kubernetes.default.svc.domeos.local', ttl: 30, class: 'IN', data: '127.16.0.1' },
      { type: 'A', name: 'Kubernetes.default.svc.domeos.local', ttl: 3600, class: 'IN', data: '127.16.0.9' },
    ]);
    assert.deepEqual(buildAddressAnswers('x', 'AAAA', services).map((a) => (a as { data: string }).data), ['fd00::1']);
    assert.deepEqual(rotate([1, 2, 3], 4), [2, 3, 1]);
    assert.deepEqual(rotate([], 1), []);
  });

  test('found: NOERROR, authoritative, RD copied and RA set, the id kept', () => {
    const q = query('kubernetes.default.svc.domeos.local');
    const r = wire(q, { kind: 'found', services: [svc('/k/a', '127.16.0.1', 30)] });
    assert.equal(r.id, 4242);
    assert.equal(r.type, 'response');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.flag_aa, true);
    assert.equal(r.flag_rd, true);
    assert.equal(r.flag_ra, true);
    assert.deepEqual(r.answers?.map((a) => [a.type, a.name, (a as { data: unknown }).data]), [['A', 'kubernetes.default.svc.domeos.local', '127.16.0.1']]);
    assert.equal(r.questions?.[0]?.name, 'kubernetes.default.svc.domeos.local');
  });

  test('missing: NXDOMAIN with the SOA; etcd error: SERVFAIL; found without an address: NODATA with the SOA', () => {
    const q = query('gone.default.svc.domeos.local');
    const nx = wire(q, { kind: 'missing' });
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.equal(nx.answers?.length, 0);
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
    assert.equal(nx.authorities?.[0]?.name, 'domeos.local');
    const fail = wire(q, { kind: 'error', message: 'client: etcd cluster is unavailable' });
    assert.equal(fail.rcode, 'SERVFAIL');
    assert.equal(fail.answers?.length, 0);
    const nodata = wire(query('default.svc.domeos.local', 'AAAA'), { kind: 'found', services: [svc('/k', '127.16.0.1')] });
    assert.equal(nodata.rcode, 'NOERROR');
    assert.equal(nodata.answers?.length, 0);
    assert.equal(nodata.authorities?.[0]?.type, 'SOA');
    const soa = wire(query('domeos.local', 'SOA'), { kind: 'found', services: [] });
    assert.equal(soa.answers?.[0]?.type, 'SOA');
  });

  test('EDNS is echoed; a response too long for UDP is sent truncated', () => {
    assert.equal(readUdpLimit(query('a.domeos.local')), 512);
    const q = query('a.domeos.local', 'A', true);
    assert.equal(readUdpLimit(q), 1232);
    const response = buildLocalResponse(q, q.questions?.[0] ?? { type: 'A', name: '' }, { kind: 'found', services: [svc('/a', '10.0.0.1')] }, zone);
    assert.equal(decode(encode(response)).additionals?.[0]?.type, 'OPT');
    const truncated = decode(encode(buildTruncated(response)));
    assert.equal(truncated.flag_tc, true);
    assert.equal(truncated.answers?.length, 0);
  });

  test('FORMERR and SERVFAIL responses carry the rcode', () => {
    const q = query('x.domeos.local');
    assert.equal((decode(encode(buildResponse(q, { rcode: Rcode.formErr }))) as { rcode?: string }).rcode, 'FORMERR');
    assert.equal((decode(encode(buildResponse(q, { rcode: Rcode.servFail }))) as { rcode?: string }).rcode, 'SERVFAIL');
  });
});

describe('routing a query', () => {
  const config = { domain: 'domeos.local.', noRec: false, nameservers: [{ host: '127.31.0.4', port: 53 }, { host: '8.8.8.8', port: 53 }] };

  test('names under the domain are local', () => {
    assert.equal(routeQuery([{ type: 'A', name: 'kubernetes.default.svc.domeos.local' }], config).kind, 'local');
  });

  test('other names go to loopback nameservers only', () => {
    const r = routeQuery([{ type: 'A', name: 'example.com' }], config);
    assert.deepEqual(r.kind === 'forward' ? r.servers : undefined, [{ host: '127.31.0.4', port: 53 }]);
  });

  test('SERVFAIL when only off-machine nameservers, none, -no-rec, or a single-label name', () => {
    const off = routeQuery([{ type: 'A', name: 'example.com' }], { ...config, nameservers: [{ host: '8.8.8.8', port: 53 }, { host: '10.2.166.105', port: 53 }] });
    assert.equal(off.kind, 'servfail');
    assert.match(off.kind === 'servfail' ? off.reason : '', /not forwarding to 8\.8\.8\.8:53,10\.2\.166\.105:53/);
    assert.equal(routeQuery([{ type: 'A', name: 'example.com' }], { ...config, nameservers: [] }).kind, 'servfail');
    assert.equal(routeQuery([{ type: 'A', name: 'example.com' }], { ...config, noRec: true }).kind, 'servfail');
    assert.equal(routeQuery([{ type: 'A', name: 'localhost' }], config).kind, 'servfail');
  });

  test('no question, or several: FORMERR', () => {
    assert.equal(routeQuery([], config).kind, 'formerr');
    assert.equal(routeQuery(undefined, config).kind, 'formerr');
    assert.equal(routeQuery([{ type: 'A', name: 'a.domeos.local' }, { type: 'A', name: 'b.domeos.local' }], config).kind, 'formerr');
  });

  test('loopback addresses', () => {
    assert.equal(isLoopbackAddress('127.0.0.1'), true);
    assert.equal(isLoopbackAddress('127.255.1.2'), true);
    assert.equal(isLoopbackAddress('::1'), true);
    assert.equal(isLoopbackAddress('128.0.0.1'), false);
    assert.equal(isLoopbackAddress('8.8.8.8'), false);
    assert.equal(isLoopbackAddress('127.0.0.256'), false);
    assert.equal(isLoopbackAddress('fd00::1'), false);
  });
});
