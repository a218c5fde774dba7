import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentLogger } from '../../../src/lab/node-runtime/agent-log.ts';
import { AgentShared } from '../../../src/lab/node-runtime/shared.ts';
import { buildListenerSpecs } from '../../../src/lab/k8s/kube-proxy/listener-plan.ts';
import { createListenerProxier } from '../../../src/lab/k8s/kube-proxy/listener-proxier.ts';
import { TcpForwarder } from '../../../src/lab/k8s/kube-proxy/tcp-forwarder.ts';
import type { ServiceEntry } from '../../../src/lab/k8s/kube-proxy/service-table.ts';

// Own addresses: endpoints on 127.32.1.x, cluster IPs in 127.40.0.0/13.
const EP = '127.32.1.10';
const EP2 = '127.32.1.11';
const CLUSTER_IP = '127.40.1.5';

function memoryLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (t) => lines.push(t), info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), flush: () => Promise.resolve() };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function udpEcho(host: string, port: number, tag: string): Promise<UdpSocket> {
  const s = createSocket('udp4');
  s.on('message', (m, r) => s.send(Buffer.from(`${tag}:${m.toString()}`), r.port, r.address));
  await new Promise<void>((resolve) => s.bind({ address: host, port }, resolve));
  return s;
}

async function tcpEcho(host: string, port: number, tag: string): Promise<Server> {
  const server = createServer((c) => c.on('data', (d) => c.write(`${tag}:${d.toString()}`)));
  await new Promise<void>((resolve) => server.listen({ host, port }, resolve));
  return server;
}

/** One datagram to host:port; the reply and where it came from (undefined after timeoutMs). */
async function udpAsk(host: string, port: number, text: string, timeoutMs = 1_000): Promise<{ text: string; from: string } | undefined> {
  const s = createSocket('udp4');
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      s.once('message', (m, r) => {
        clearTimeout(timer);
        resolve({ text: m.toString(), from: `${r.address}:${r.port}` });
      });
      s.send(text, port, host);
    });
  } finally {
    s.close();
  }
}

async function tcpAsk(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect({ host, port });
    c.setTimeout(2_000, () => c.destroy(new Error('timeout')));
    c.once('error', reject);
    c.once('data', (d) => {
      resolve(d.toString());
      c.end();
    });
    c.once('connect', () => c.write(text));
  });
}

function table(udpEndpoints: string[], tcpEndpoints: string[]): ServiceEntry[] {
  return [
    {
      key: 'default/skydns-svc',
      clusterIP: CLUSTER_IP,
      ports: [
        { name: 'dns', protocol: 'UDP', port: 5353 },
        { name: 'dns-tcp', protocol: 'TCP', port: 5353 },
      ],
      endpoints: { dns: udpEndpoints, 'dns-tcp': tcpEndpoints },
    },
  ];
}

describe('listener plan (pure)', () => {
  test('one listener per UDP/TCP service port with loopback endpoints; others are not proxied', () => {
    const specs = buildListenerSpecs([
      ...table([`${EP}:53`], [`${EP}:53`]),
      { key: 'default/no-endpoints', clusterIP: '127.40.0.9', ports: [{ name: '', protocol: 'TCP', port: 80 }], endpoints: {} },
      { key: 'kube-system/skydns', clusterIP: '172.16.40.1', ports: [{ name: '', protocol: 'UDP', port: 53 }], endpoints: { '': ['127.32.1.10:53'] } },
      { key: 'default/off-machine', clusterIP: '127.40.0.10', ports: [{ name: 'x', protocol: 'TCP', port: 80 }], endpoints: { x: ['10.1.2.3:80'] } },
      { key: 'default/sctp', clusterIP: '127.40.0.11', ports: [{ name: 'x', protocol: 'SCTP', port: 80 }], endpoints: { x: ['127.32.1.10:80'] } },
    ]);
    assert.deepEqual(specs.map((s) => [s.key, s.servicePort, s.endpoints]), [
      [`TCP ${CLUSTER_IP}:5353`, 'default/skydns-svc:dns-tcp', [{ host: EP, port: 53 }]],
      [`UDP ${CLUSTER_IP}:5353`, 'default/skydns-svc:dns', [{ host: EP, port: 53 }]],
    ]);
  });
});

describe('listener proxier (real sockets on loopback)', () => {
  const closers: (() => void)[] = [];
  let udp1: UdpSocket;
  let udp2: UdpSocket;
  let tcp1: Server;
  let tcp2: Server;
  before(async () => {
    udp1 = await udpEcho(EP, 5300, 'one');
    udp2 = await udpEcho(EP2, 5300, 'two');
    tcp1 = await tcpEcho(EP, 5301, 'one');
    tcp2 = await tcpEcho(EP2, 5301, 'two');
  });
  after(() => {
    for (const c of closers) c();
    udp1.close();
    udp2.close();
    tcp1.close();
    tcp2.close();
  });

  test('UDP datagrams and their replies are relayed through clusterIP:port; TCP is piped; endpoint changes are followed', async () => {
    const shared = new AgentShared();
    const log = memoryLogger();
    const proxier = createListenerProxier(log, shared);
    closers.push(() => proxier.close());
    proxier.sync(table([`${EP}:5300`], [`${EP}:5301`]));
    await until('listeners', () => [...proxier.held.values()].every((l) => l.listening) && proxier.held.size === 2);
    assert.deepEqual(await udpAsk(CLUSTER_IP, 5353, 'q1'), { text: 'one:q1', from: `${CLUSTER_IP}:5353` });
    assert.equal(await tcpAsk(CLUSTER_IP, 5353, 'hello'), 'one:hello');

    proxier.sync(table([`${EP2}:5300`], [`${EP2}:5301`]));
    assert.equal((await udpAsk(CLUSTER_IP, 5353, 'q2'))?.text, 'two:q2');
    assert.equal(await tcpAsk(CLUSTER_IP, 5353, 'again'), 'two:again');
    assert.ok(log.lines.some((l) => l.includes('Syncing proxy rules: 1 service(s), 2 endpoint address(es), 2 service port(s)')));

    // The service loses its endpoints: its listeners close.
    proxier.sync(table([], []));
    assert.equal(proxier.held.size, 0);
    await assert.rejects(tcpAsk(CLUSTER_IP, 5353, 'x'), /ECONNREFUSED/);
    proxier.close();
  });

  test('kube-proxies of one process share a listener; it closes with the last of them', async () => {
    const shared = new AgentShared();
    const a = createListenerProxier(memoryLogger(), shared);
    const b = createListenerProxier(memoryLogger(), shared);
    closers.push(() => a.close(), () => b.close());
    a.sync(table([`${EP}:5300`], [`${EP}:5301`]));
    b.sync(table([`${EP}:5300`], [`${EP}:5301`]));
    const key = `TCP ${CLUSTER_IP}:5353`;
    assert.equal(a.held.get(key), b.held.get(key));
    await until('tcp listener', () => a.held.get(key)?.listening === true);
    a.close();
    assert.equal(await tcpAsk(CLUSTER_IP, 5353, 'still'), 'one:still');
    b.close();
    await assert.rejects(tcpAsk(CLUSTER_IP, 5353, 'x'), /ECONNREFUSED/);
  });

  test('kube-proxies of two processes: both bind UDP; TCP is served by the first, the second takes over when it goes', async () => {
    const first = createListenerProxier(memoryLogger(), new AgentShared());
    const secondLog = memoryLogger();
    const second = createListenerProxier(secondLog, new AgentShared());
    closers.push(() => first.close(), () => second.close());
    first.sync(table([`${EP}:5300`], [`${EP}:5301`]));
    await until('first listeners', () => [...first.held.values()].every((l) => l.listening));
    second.sync(table([`${EP2}:5300`], [`${EP2}:5301`]));
    await until('second UDP', () => second.held.get(`UDP ${CLUSTER_IP}:5353`)?.listening === true);
    assert.equal(second.held.get(`TCP ${CLUSTER_IP}:5353`)?.listening, false);
    assert.ok(!secondLog.lines.some((l) => l.startsWith('W')), `EADDRINUSE is not a warning: ${secondLog.lines.join('\n')}`);
    // The last socket bound gets the datagrams (Linux, SO_REUSEADDR): the second process answers.
    assert.equal((await udpAsk(CLUSTER_IP, 5353, 'q'))?.text, 'two:q');
    assert.equal(await tcpAsk(CLUSTER_IP, 5353, 'x'), 'one:x');
    first.close();
    assert.equal((await udpAsk(CLUSTER_IP, 5353, 'q'))?.text, 'two:q');
    await until('second TCP takes over', () => second.held.get(`TCP ${CLUSTER_IP}:5353`)?.listening === true, 10_000);
    assert.equal(await tcpAsk(CLUSTER_IP, 5353, 'y'), 'two:y');
    second.close();
  });

  test('a TCP forwarder tries the next endpoint when one refuses', async () => {
    const endpoints = [{ host: EP, port: 5399 }, { host: EP, port: 5301 }];
    let i = 0;
    const fwd = new TcpForwarder({ address: CLUSTER_IP, port: 5354, pick: () => endpoints[i++ % 2], log: () => undefined, retryMs: 100 });
    closers.push(() => fwd.close());
    await until('forwarder', () => fwd.listening);
    assert.equal(await tcpAsk(CLUSTER_IP, 5354, 'z'), 'one:z');
    fwd.close();
  });
});
