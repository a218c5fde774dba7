/**
 * resolveA against a tiny UDP DNS server on this test's own loopback address (127.33.0.53, ephemeral port):
 * answers, NXDOMAIN, SERVFAIL, silence (bounded), nothing listening, and a bad server address.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { FerryError } from '../../../src/errors.ts';
import { resolveA } from '../../../src/adapters/dns-resolve.ts';

const HOST = '127.33.0.53';
let sock: Socket;
let server = '';

before(async () => {
  sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const name = q.questions?.[0]?.name ?? '';
    if (name.startsWith('silent.')) return;
    const rcode = name.startsWith('missing.') ? 'NXDOMAIN' : name.startsWith('broken.') ? 'SERVFAIL' : 'NOERROR';
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (rcode === 'NXDOMAIN' ? 3 : rcode === 'SERVFAIL' ? 2 : 0),
      questions: q.questions ?? [],
      answers: rcode === 'NOERROR' ? [{ type: 'A', name, ttl: 30, class: 'IN', data: '172.16.0.1' }] : [],
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, HOST, () => r()));
  server = `${HOST}:${sock.address().port}`;
});
after(() => sock.close());

function code(c: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof FerryError, String(err));
    assert.equal(err.code, c, err.message);
    return true;
  };
}

describe('resolveA', () => {
  test('the A records the server answers', async () => {
    assert.deepEqual(await resolveA(server, 'kubernetes.default.svc.domeos.local', 2000), ['172.16.0.1']);
  });
  test('NXDOMAIN is DNS_NAME_NOT_FOUND; SERVFAIL is DNS_QUERY_FAILED', async () => {
    await assert.rejects(resolveA(server, 'missing.default.svc.domeos.local', 2000), code('DNS_NAME_NOT_FOUND'));
    await assert.rejects(resolveA(server, 'broken.default.svc.domeos.local', 2000), code('DNS_QUERY_FAILED'));
  });
  test('a server that never answers fails within the bound', async () => {
    await assert.rejects(resolveA(server, 'silent.default.svc.domeos.local', 300), (e) => code('DNS_QUERY_FAILED')(e) && /within 300 ms/.test((e as Error).message));
  });
  test('nothing listening, and a server that is not an address', async () => {
    await assert.rejects(resolveA(`${HOST}:1`, 'x.domeos.local', 1000), code('DNS_QUERY_FAILED'));
    await assert.rejects(resolveA('skydns-svc', 'x', 1000), code('DNS_SERVER_INVALID'));
  });
});
