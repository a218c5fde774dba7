import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentLogger } from '../../../src/lab/node-runtime/agent-log.ts';
import type { AgentMain } from '../../../src/lab/node-runtime/agent.ts';
import type { HttpAnswer, HttpClient, RequestOptions } from '../../../src/lab/node-runtime/http-client.ts';
import { AgentShared } from '../../../src/lab/node-runtime/shared.ts';
import { HostContainers } from '../../../src/lab/k8s/kubelet/containers.ts';
import { ManagedPods } from '../../../src/lab/k8s/kubelet/managed-pods.ts';
import type { PodLike } from '../../../src/lab/k8s/kubelet/pods.ts';

// Tiny fake programs standing in for kube2sky/skydns: the container contract (argv, pod IP, abort) is what is tested.
interface Run {
  argv: readonly string[];
  address: string;
  aborted: boolean;
}

function memoryLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (t) => lines.push(t), info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), flush: () => Promise.resolve() };
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function world() {
  const runs: Run[] = [];
  const runsUntilAborted: AgentMain = async (ctx, signal) => {
    const run = { argv: ctx.argv, address: ctx.hostAddress, aborted: false };
    runs.push(run);
    ctx.log.info(`fake ${ctx.argv[0] ?? ''} on ${ctx.hostAddress}`);
    if (!signal.aborted) await once(signal, 'abort');
    run.aborted = true;
    return 0;
  };
  const crashes: AgentMain = async (ctx) => {
    runs.push({ argv: ctx.argv, address: ctx.hostAddress, aborted: false });
    return 1;
  };
  const puts: Record<string, unknown>[] = [];
  const calls: string[] = [];
  let rv = 10;
  const client = {
    target: { base: 'http://api' },
    request: async (method: string, path: string, o?: RequestOptions): Promise<HttpAnswer> => {
      calls.push(`${method} ${path}`);
      if (method === 'PUT') {
        const body = { ...(o?.body as Record<string, unknown>), metadata: { ...((o?.body as PodLike).metadata ?? {}), resourceVersion: String(++rv) } };
        puts.push(body);
        return { status: 200, json: body, text: '' };
      }
      return { status: 200, json: {}, text: '' };
    },
  } as unknown as HttpClient;
  return { runs, puts, calls, client, mains: { kube2sky: runsUntilAborted, skydns: crashes } };
}

const pod = (name: string, image: string, extra: Partial<PodLike> = {}): PodLike => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image, command: ['/kube2sky'], args: ['--domain=domeos.local'] }] },
  status: { phase: 'Pending' },
  ...extra,
});

type Status = { phase: string; podIP: string; conditions: { type: string; status: string }[]; containerStatuses: { state: Record<string, { reason?: string }>; restartCount: number; ready: boolean }[] };
const statusOf = (body: Record<string, unknown> | undefined): Status => body?.['status'] as Status;
const readyOf = (s: Status): string | undefined => s.conditions.find((c) => c.type === 'Ready')?.status;

describe('node containers and the kubelet`s container runtime', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-dnsrt-'));
  const shared = new AgentShared();
  after(() => {
    shared.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('a program container runs with argv and the pod IP; it outlives the kubelet and a new kubelet adopts it', async () => {
    const w = world();
    const containers = HostContainers.forHost(shared, root, w.mains);
    assert.equal(HostContainers.forHost(shared, root, w.mains), containers, 'one registry per host');
    const busy: boolean[] = [];
    shared.onBusyChange((b) => busy.push(b));
    const k1 = new AbortController();
    const opts = { client: w.client, hostAddress: '127.32.0.39', containers, log: memoryLogger(), choosePodIP: async () => '127.48.4.2', onDeleted: () => undefined, syncPeriodMs: 50 };
    const m1 = new ManagedPods(opts, k1.signal);
    m1.upsert('default/k2s', pod('k2s', 'pub.domeos.org/domeos/kube2sky:0.4'));
    await until('a Running status', () => w.puts.some((p) => statusOf(p).phase === 'Running'));
    const st = statusOf(w.puts.at(-1));
    assert.deepEqual([st.phase, readyOf(st), st.podIP, st.containerStatuses[0]?.restartCount], ['Running', 'True', '127.48.4.2', 0]);
    assert.deepEqual(w.runs.map((r) => [r.argv, r.address]), [[['/kube2sky', '--domain=domeos.local'], '127.48.4.2']]);
    assert.deepEqual(busy, [true]);
    // The container's log is written asynchronously (like docker's json-file driver): wait for the line.
    const logFile = join(root, 'var/log/containers/k2s_default_c.log');
    const readLog = (): string => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    };
    await until('the container log line', () => /fake \/kube2sky on 127\.48\.4\.2/.test(readLog()));

    // The kubelet stops; its successor sees the pod as the apiserver has it.
    k1.abort();
    const putsBefore = w.puts.length;
    const m2 = new ManagedPods(opts, new AbortController().signal);
    m2.upsert('default/k2s', w.puts.at(-1) as PodLike);
    await sleep(200);
    assert.equal(w.runs.length, 1, 'not started again');
    assert.equal(w.runs[0]?.aborted, false);
    assert.equal(w.puts.length, putsBefore, 'nothing to report');

    // Deleted while no kubelet looked: the next full list finds it gone.
    m2.removeOrphans(new Set());
    await until('stopped', () => w.runs[0]?.aborted === true);
    assert.deepEqual(containers.podUids(), []);
    assert.deepEqual(busy, [true, false]);
    m2.close();
  });

  test('a crashing program is restarted at once, then waits in CrashLoopBackOff; the pod is not Ready', async () => {
    const w = world();
    const containers = new HostContainers({ root, shared, key: 'crash', mains: w.mains });
    const m = new ManagedPods({ client: w.client, hostAddress: '127.32.0.39', containers, log: memoryLogger(), choosePodIP: async () => '127.48.4.3', onDeleted: () => undefined, syncPeriodMs: 50 }, new AbortController().signal);
    m.upsert('default/dns', pod('dns', 'pub.domeos.org/domeos/skydns:1.5'));
    await until('CrashLoopBackOff', () => w.puts.some((p) => statusOf(p).containerStatuses[0]?.state['waiting']?.reason === 'CrashLoopBackOff'));
    const st = statusOf(w.puts.at(-1));
    assert.deepEqual([st.phase, readyOf(st), st.containerStatuses[0]?.restartCount, st.containerStatuses[0]?.ready], ['Running', 'False', 1, false]);
    assert.equal(w.runs.length, 2, 'ran, crashed, restarted at once, crashed, now backing off 10 s');
    m.close();
    containers.close();
  });

  test('an unknown image: ErrImagePull, Pending, not Ready, nothing runs', async () => {
    const w = world();
    const containers = new HostContainers({ root, shared, key: 'pull', mains: w.mains });
    const m = new ManagedPods({ client: w.client, hostAddress: '127.32.0.39', containers, log: memoryLogger(), choosePodIP: async () => '127.48.4.4', onDeleted: () => undefined, syncPeriodMs: 50 }, new AbortController().signal);
    m.upsert('default/bad', pod('bad', 'pub.domeos.org/domeos/skydns:does-not-exist'));
    await until('a status', () => w.puts.length > 0);
    const st = statusOf(w.puts[0]);
    assert.deepEqual([st.phase, readyOf(st), st.containerStatuses[0]?.state['waiting']?.reason], ['Pending', 'False', 'ErrImagePull']);
    assert.equal(w.runs.length, 0);
    m.close();
    containers.close();
  });

  test('a pod being deleted: its containers stop, then the kubelet finishes the deletion', async () => {
    const w = world();
    const containers = new HostContainers({ root, shared, key: 'delete', mains: w.mains });
    const deleted: string[] = [];
    const m = new ManagedPods({ client: w.client, hostAddress: '127.32.0.39', containers, log: memoryLogger(), choosePodIP: async () => '127.48.4.5', onDeleted: (k) => deleted.push(k), syncPeriodMs: 50 }, new AbortController().signal);
    const p = pod('gone', 'pub.domeos.org/domeos/kube2sky:0.4');
    m.upsert('default/gone', p);
    await until('running', () => w.runs.length === 1);
    m.upsert('default/gone', { ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 } });
    await until('deleted', () => deleted.length === 1);
    assert.equal(w.runs[0]?.aborted, true);
    assert.ok(w.calls.includes('DELETE /api/v1/namespaces/default/pods/gone'));
    assert.equal(m.has('default/gone'), false);
    m.close();
    containers.close();
  });
});
