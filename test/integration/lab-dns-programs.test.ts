/**
 * The lab's kube2sky and skydns (src/lab/k8s/kube2sky, src/lab/k8s/skydns) run as node agents in this process,
 * against a real etcd 3.4 with its v2 API and the lab's kube-apiserver stand-in, and asked by the real `dig` over
 * UDP and TCP. This file owns 127.31.0.0/16: etcd 127.31.0.1 (ports 24012/24010), the apiserver 127.31.0.2:8080
 * (service range 127.31.128.0/17), the skydns pod 127.31.0.3:53, a loopback upstream DNS 127.31.0.4:53, other
 * skydns instances 127.31.0.5–.7.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decode, encode, type Packet } from 'dns-packet';
import { runKube2sky } from '../../src/lab/k8s/kube2sky/agent.ts';
import { runSkydns } from '../../src/lab/k8s/skydns/agent.ts';
import type { AgentLogger } from '../../src/lab/node-runtime/agent-log.ts';
import { startNodeAgent, type AgentExit, type AgentMain, type NodeAgent } from '../../src/lab/node-runtime/agent.ts';
import { AgentShared } from '../../src/lab/node-runtime/shared.ts';
import { startEtcdCluster, waitUntil, type TestCluster } from '../helpers/etcd-cluster.ts';

const ETCD_IP = '127.31.0.1';
const ETCD = `http://${ETCD_IP}:24012`;
const API = 'http://127.31.0.2:8080';
const POD_IP = '127.31.0.3';
const UPSTREAM_IP = '127.31.0.4';
const UPSTREAM_ANSWER = '127.31.9.9';
const KUBERNETES_IP = '127.31.128.1';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIG = '/usr/bin/dig';
const WAIT_MS = 30_000;
const run = promisify(execFile);

interface RunningAgent {
  readonly agent: NodeAgent;
  readonly lines: string[];
  exit: AgentExit | undefined;
}

function memoryLogger(lines: string[]): AgentLogger {
  return { write: (t) => lines.push(t.trimEnd()), info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), flush: () => Promise.resolve() };
}

async function dig(server: string, name: string, o: { tcp?: boolean; short?: boolean } = {}): Promise<string> {
  const args = [`@${server}`, '-p', '53', '+time=2', '+tries=1', ...(o.tcp === true ? ['+tcp'] : []), ...(o.short === false ? ['+noall', '+comments'] : ['+short']), name];
  const { stdout } = await run(DIG, args, { timeout: 15_000 }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return stdout.trim();
}

/** The rcode dig reports (`status: NXDOMAIN`). */
async function digStatus(server: string, name: string, tcp = false): Promise<string> {
  return /status: ([A-Z]+)/.exec(await dig(server, name, { tcp, short: false }))?.[1] ?? 'no answer';
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A loopback "upstream" nameserver answering every A question with UPSTREAM_ANSWER, over UDP and TCP. */
async function startUpstream(): Promise<{ udp: UdpSocket; tcp: Server; queries: string[] }> {
  const queries: string[] = [];
  const reply = (raw: Buffer): Buffer => {
    const q = decode(raw);
    const question = q.questions?.[0];
    queries.push(question?.name ?? '');
    const response: Packet = { type: 'response', id: q.id ?? 0, flags: 1 << 7, questions: q.questions ?? [], answers: question === undefined ? [] : [{ type: 'A', name: question.name, ttl: 60, class: 'IN', data: UPSTREAM_ANSWER }] };
    return encode(response);
  };
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(reply(msg), rinfo.port, rinfo.address));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(53, UPSTREAM_IP, () => resolve());
  });
  const tcp = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < buffered.readUInt16BE(0) + 2) return;
      const answer = reply(buffered.subarray(2, buffered.readUInt16BE(0) + 2));
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(answer.length);
      socket.end(Buffer.concat([prefix, answer]));
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(53, UPSTREAM_IP, () => resolve());
  });
  return { udp, tcp, queries };
}

describe('kube2sky and skydns stand-ins', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'ferry-lab-dns-'));
  const shared = new AgentShared();
  const agents: RunningAgent[] = [];
  let cluster: TestCluster | undefined;
  let apiserver: ChildProcess | undefined;
  let upstream: Awaited<ReturnType<typeof startUpstream>> | undefined;
  const apiLog = join(tmp, 'apiserver.log');
  const killApiserver = (): void => void apiserver?.kill('SIGKILL');

  function startAgent(main: AgentMain, argv: string[], hostAddress = POD_IP): RunningAgent {
    const lines: string[] = [];
    const ctx = { argv, env: {}, root: tmp, hostAddress, log: memoryLogger(lines), shared, stdout: (t: string) => lines.push(`stdout: ${t.trimEnd()}`), stderr: (t: string) => lines.push(`stderr: ${t.trimEnd()}`) };
    const running: RunningAgent = { agent: startNodeAgent(ctx, main), lines, exit: undefined };
    void running.agent.exited.then((exit) => (running.exit = exit));
    agents.push(running);
    return running;
  }

  const logsOf = (a: RunningAgent): string => a.lines.join('\n');

  before(async () => {
    assert.ok(existsSync(DIG), `${DIG} is needed (Debian package bind9-dnsutils)`);
    cluster = await startEtcdCluster({ ips: [ETCD_IP], clientPort: 24012, peerPort: 24010, dataRoot: join(tmp, 'etcd'), enableV2: true });
    const log = openSync(apiLog, 'a');
    apiserver = spawn(process.execPath, [join(REPO, 'lab-bin/kube-apiserver'), `--etcd-servers=${ETCD}`, '--insecure-bind-address=127.31.0.2', '--insecure-port=8080', '--service-cluster-ip-range=127.31.128.0/17'], { cwd: REPO, stdio: ['ignore', log, log] });
    closeSync(log);
    process.on('exit', killApiserver);
    await waitUntil('the apiserver serves the kubernetes service', 90_000, async () => {
      assert.equal(apiserver?.exitCode, null, `the apiserver exited:\n${readFileSync(apiLog, 'utf8')}`);
      return (await api('GET', '/api/v1/namespaces/default/services/kubernetes').catch(() => undefined))?.status === 200;
    }, 200);
    upstream = await startUpstream();
  });

  after(async () => {
    for (const a of agents) a.agent.kill('SIGTERM');
    const stopped = await Promise.race([Promise.all(agents.map((a) => a.agent.exited)).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
    if (!stopped) for (const a of agents) a.agent.kill('SIGKILL');
    shared.close();
    upstream?.udp.close();
    upstream?.tcp.close();
    if (apiserver !== undefined && apiserver.exitCode === null && apiserver.signalCode === null) {
      const exited = new Promise((resolve) => apiserver?.once('exit', resolve));
      apiserver.kill('SIGTERM');
      const timer = setTimeout(killApiserver, 5000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killApiserver);
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  let kube2sky: RunningAgent;
  let skydns: RunningAgent;

  test('the kubernetes service answers over UDP and TCP (dns.yaml flags, --addr=0.0.0.0:53 is the pod address)', async () => {
    kube2sky = startAgent(runKube2sky, ['/kube2sky', `--etcd-server=${ETCD}`, '--domain=domeos.local', `--kube_master_url=${API}`]);
    skydns = startAgent(runSkydns, ['/skydns', `--machines=${ETCD}`, '--domain=domeos.local', '--addr=0.0.0.0:53', `--nameservers=${UPSTREAM_IP}:53`]);
    const name = 'kubernetes.default.svc.domeos.local';
    await waitUntil('dig finds the kubernetes service', WAIT_MS, async () => {
      assert.equal(kube2sky.exit, undefined, logsOf(kube2sky));
      assert.equal(skydns.exit, undefined, logsOf(skydns));
      return (await dig(POD_IP, name)) === KUBERNETES_IP;
    }, 200);
    assert.equal(await dig(POD_IP, name, { tcp: true }), KUBERNETES_IP);
    assert.equal(await dig(POD_IP, 'KUBERNETES.default.svc.DOMEOS.local.'), KUBERNETES_IP);
    assert.equal(await digStatus(POD_IP, 'nothing.default.svc.domeos.local'), 'NXDOMAIN');
    assert.equal(await digStatus(POD_IP, 'nothing.default.svc.domeos.local', true), 'NXDOMAIN');
    // The record as kube2sky.go writes it: under the name's key, labelled by the hash of its value.
    const stored = (await (await fetch(`${ETCD}/v2/keys/skydns/local/domeos/svc/default/kubernetes?recursive=true`)).json()) as { node: { dir?: boolean; nodes?: Array<{ key: string; value?: string; dir?: boolean }> } };
    assert.equal(stored.node.dir, true);
    const values = (stored.node.nodes ?? []).filter((n) => n.dir !== true).map((n) => n.value);
    assert.deepEqual(values, [`{"host":"${KUBERNETES_IP}","priority":10,"weight":10,"ttl":30}`]);
    assert.ok(skydns.lines.some((l) => l.includes(`skydns: ready for queries on domeos.local. for udp://${POD_IP}:53`)), logsOf(skydns));
  });

  test('a service created later answers; once deleted, its name is NXDOMAIN', async () => {
    const created = await api('POST', '/api/v1/namespaces/default/services', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const clusterIP = (created.body['spec'] as { clusterIP?: string } | undefined)?.clusterIP ?? '';
    assert.match(clusterIP, /^127\.31\.(1[2-9]\d|2[0-5]\d)\.\d+$/);
    const name = 'web.default.svc.domeos.local';
    await waitUntil('dig finds the new service', WAIT_MS, async () => (await dig(POD_IP, name)) === clusterIP, 200);
    assert.equal(await dig(POD_IP, name, { tcp: true }), clusterIP);

    assert.equal((await api('DELETE', '/api/v1/namespaces/default/services/web')).status, 200);
    await waitUntil('the deleted service is NXDOMAIN', WAIT_MS, async () => (await digStatus(POD_IP, name)) === 'NXDOMAIN', 200);
    assert.equal(await digStatus(POD_IP, name, true), 'NXDOMAIN');
    assert.equal(await dig(POD_IP, 'kubernetes.default.svc.domeos.local'), KUBERNETES_IP);
  });

  test('other names go to a loopback nameserver only; off-machine nameservers get SERVFAIL', async () => {
    assert.equal(await dig(POD_IP, 'example.com'), UPSTREAM_ANSWER);
    assert.equal(await dig(POD_IP, 'example.org', { tcp: true }), UPSTREAM_ANSWER);
    assert.deepEqual(upstream?.queries.slice(-2), ['example.com', 'example.org']);
    const offMachine = startAgent(runSkydns, ['/skydns', `--machines=${ETCD}`, '--domain=domeos.local', '--addr=0.0.0.0:53', '--nameservers=8.8.8.8:53,10.2.166.105:53'], '127.31.0.5');
    await waitUntil('the second skydns answers', WAIT_MS, async () => (await dig('127.31.0.5', 'kubernetes.default.svc.domeos.local')) === KUBERNETES_IP, 200);
    const seen = upstream?.queries.length;
    assert.equal(await digStatus('127.31.0.5', 'example.com'), 'SERVFAIL');
    assert.equal(await digStatus('127.31.0.5', 'example.com', true), 'SERVFAIL');
    assert.equal(upstream?.queries.length, seen);
    assert.ok(offMachine.lines.some((l) => l.includes('not forwarding to 8.8.8.8:53,10.2.166.105:53')), logsOf(offMachine));
  });

  test('etcd unreachable: SERVFAIL for names of the domain', async () => {
    const blind = startAgent(runSkydns, ['/skydns', `--machines=http://${ETCD_IP}:24999`, '--domain=domeos.local', '--addr=127.31.0.6:53'], '127.31.0.6');
    await waitUntil('the blind skydns listens', WAIT_MS, async () => blind.lines.some((l) => l.includes('ready for queries')), 100);
    assert.equal(await digStatus('127.31.0.6', 'kubernetes.default.svc.domeos.local'), 'SERVFAIL');
    assert.equal(await digStatus('127.31.0.6', 'kubernetes.default.svc.domeos.local', true), 'SERVFAIL');
    assert.ok(blind.lines.some((l) => l.includes('falling back to default configuration')), logsOf(blind));
  });

  test('kube2sky 0.8 flags (etcd list with a dead member first, --etcd_prefix) and skydns --path-prefix', async () => {
    startAgent(runKube2sky, ['/kube2sky', '--etcd_servers', `http://${ETCD_IP}:24999,${ETCD}`, '--etcd_prefix=prefix', '--domain', 'other.local', `--kube_master_url=${API}`]);
    startAgent(runSkydns, ['/skydns', `--machines=http://${ETCD_IP}:24999,${ETCD}`, '--domain=other.local', '--addr=0.0.0.0:53', '--path-prefix=prefix/skydns'], '127.31.0.7');
    await waitUntil('dig finds the service under the prefix', WAIT_MS, async () => (await dig('127.31.0.7', 'kubernetes.default.svc.other.local')) === KUBERNETES_IP, 200);
    const stored = await fetch(`${ETCD}/v2/keys/prefix/skydns/local/other/svc/default/kubernetes?recursive=true`);
    assert.equal(stored.status, 200);
  });

  test('failures end the programs as the real ones end: bad flags exit 2, a taken address exits 1', async () => {
    const taken = startAgent(runSkydns, ['/skydns', `--machines=${ETCD}`, '--domain=domeos.local', '--addr=0.0.0.0:53']);
    const badSkydns = startAgent(runSkydns, ['/skydns', '--bogus']);
    const badKube2sky = startAgent(runKube2sky, ['/kube2sky', '--etcd-servers=http://x:1']);
    const badAddr = startAgent(runSkydns, ['/skydns', '--addr=localhost:53']);
    const noMaster = startAgent(runKube2sky, ['/kube2sky', `--etcd-server=${ETCD}`]);
    assert.deepEqual(await taken.agent.exited, { code: 1, signal: null });
    assert.ok(taken.lines.some((l) => l.includes(`skydns: listen tcp ${POD_IP}:53: bind: address already in use`)), logsOf(taken));
    assert.deepEqual(await badSkydns.agent.exited, { code: 2, signal: null });
    assert.ok(badSkydns.lines.some((l) => l.includes('flag provided but not defined: -bogus')), logsOf(badSkydns));
    assert.deepEqual(await badKube2sky.agent.exited, { code: 2, signal: null });
    assert.deepEqual(await badAddr.agent.exited, { code: 1, signal: null });
    assert.deepEqual(await noMaster.agent.exited, { code: 255, signal: null });
    assert.ok(noMaster.lines.some((l) => l.startsWith('E Failed to create a kubernetes client')), logsOf(noMaster));
    // The first skydns still answers.
    assert.equal(await dig(POD_IP, 'kubernetes.default.svc.domeos.local'), KUBERNETES_IP);
  });

  test('SIGTERM stops both promptly', async () => {
    kube2sky.agent.kill('SIGTERM');
    skydns.agent.kill('SIGTERM');
    assert.deepEqual(await kube2sky.agent.exited, { code: null, signal: 'SIGTERM' });
    assert.deepEqual(await skydns.agent.exited, { code: null, signal: 'SIGTERM' });
    assert.equal(await digStatus(POD_IP, 'kubernetes.default.svc.domeos.local'), 'no answer');
  });
});
