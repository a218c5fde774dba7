import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startNodeAgent, type AgentContext } from '../../../src/lab/node-runtime/agent.ts';
import type { AgentLogger } from '../../../src/lab/node-runtime/agent-log.ts';
import { renderGlogLine } from '../../../src/lab/node-runtime/agent-log.ts';
import { AgentShared } from '../../../src/lab/node-runtime/shared.ts';
import { RepeatedLog } from '../../../src/lab/node-runtime/repeat-log.ts';
import { unreachable, type HttpAnswer, type HttpClient, type RequestOptions } from '../../../src/lab/node-runtime/http-client.ts';
import { NodeStatusSync } from '../../../src/lab/k8s/kubelet/node-sync.ts';
import type { NodeObject } from '../../../src/lab/k8s/kubelet/node-status.ts';

function memoryLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (t) => lines.push(t), info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), flush: () => Promise.resolve() };
}

function context(log = memoryLogger()): AgentContext & { log: ReturnType<typeof memoryLogger> } {
  return { argv: ['/x/kubelet'], env: {}, root: '/tmp', hostAddress: '127.0.0.9', log, shared: new AgentShared(), stdout: () => undefined, stderr: () => undefined };
}

describe('node agent lifecycle', () => {
  test('an agent that ends by itself exits with its code', async () => {
    const agent = startNodeAgent(context(), async () => 3);
    assert.deepEqual(await agent.exited, { code: 3, signal: null });
  });

  test('SIGTERM asks it to stop: killed by the signal; other signals are ignored', async () => {
    const agent = startNodeAgent(context(), async (_ctx, signal) => {
      await once(signal, 'abort');
      return 0;
    });
    agent.kill('SIGUSR1');
    agent.kill('SIGTERM');
    assert.deepEqual(await agent.exited, { code: null, signal: 'SIGTERM' });
  });

  test('SIGKILL ends it at once, even when it does not listen', async () => {
    const agent = startNodeAgent(context(), () => new Promise<number>(() => undefined));
    agent.kill('SIGKILL');
    assert.deepEqual(await agent.exited, { code: null, signal: 'SIGKILL' });
  });

  test('a crash is exit code 2 with the error in the log', async () => {
    const ctx = context();
    const agent = startNodeAgent(ctx, async () => {
      throw new Error('boom');
    });
    assert.deepEqual(await agent.exited, { code: 2, signal: null });
    assert.ok(ctx.log.lines.some((l) => l.includes('crashed: boom')));
  });
});

test('RepeatedLog: the first failure, then one line per N repeats, reset on success', () => {
  const out: string[] = [];
  const r = new RepeatedLog((m) => out.push(m), 3);
  for (let i = 0; i < 7; i++) r.log('down');
  assert.deepEqual(out, ['down', 'down (repeated 3 times)', 'down (repeated 6 times)']);
  assert.equal(r.reset(), 7);
  r.log('down');
  assert.equal(out.length, 4);
});

test('glog line format', () => {
  const line = renderGlogLine('E', new Date(2017, 4, 11, 9, 8, 7, 6), 42, 'kubelet.go', 'msg');
  assert.equal(line, 'E0511 09:08:07.006000      42 kubelet.go] msg\n');
});

describe('kubelet node status sync (against a scripted apiserver)', () => {
  const facts = { name: 'n1', address: '127.0.0.9', maxPods: 70, version: '1.4.7', bootID: 'b' };
  type Reply = HttpAnswer | Error;
  function fakeClient(replies: Reply[]): { client: HttpClient; calls: string[] } {
    const calls: string[] = [];
    const client = {
      target: { base: 'http://api' },
      request: async (method: string, path: string, _o?: RequestOptions): Promise<HttpAnswer> => {
        calls.push(`${method} ${path}`);
        const r = replies.shift();
        if (r === undefined) throw new Error(`unexpected ${method} ${path}`);
        if (r instanceof Error) throw r;
        return r;
      },
    } as unknown as HttpClient;
    return { client, calls };
  }
  const ok = (status: number, json: unknown): HttpAnswer => ({ status, json, text: JSON.stringify(json) });
  const node = (rv: string): NodeObject => ({ kind: 'Node', metadata: { name: 'n1', resourceVersion: rv }, status: {} });

  test('registers when absent, then PUTs status; later heartbeats PUT onto the returned node; a conflict GETs', async () => {
    const { client, calls } = fakeClient([ok(404, { reason: 'NotFound' }), ok(201, node('1')), ok(200, node('1')), ok(200, node('2')), ok(200, node('3')), ok(409, { message: 'conflict' }), ok(200, node('9')), ok(200, node('10'))]);
    const log = memoryLogger();
    const sync = new NodeStatusSync({ client, facts, frequencyMs: 10_000, log });
    const signal = new AbortController().signal;
    assert.equal(await sync.syncOnce(signal), true);
    assert.deepEqual(calls.splice(0), ['GET /api/v1/nodes/n1', 'POST /api/v1/nodes', 'GET /api/v1/nodes/n1', 'PUT /api/v1/nodes/n1/status']);
    assert.equal(await sync.syncOnce(signal), true);
    assert.deepEqual(calls.splice(0), ['PUT /api/v1/nodes/n1/status']);
    assert.equal(await sync.syncOnce(signal), true);
    assert.deepEqual(calls.splice(0), ['PUT /api/v1/nodes/n1/status', 'GET /api/v1/nodes/n1', 'PUT /api/v1/nodes/n1/status']);
    assert.ok(log.lines.some((l) => l.includes('Successfully registered node n1')));
  });

  test('an unreachable apiserver: not synced, logged, and tried again (the caller retries in ~2 s)', async () => {
    const down = unreachable('http://api', 'GET', '/api/v1/nodes/n1', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    const { client } = fakeClient([down, down, ok(200, node('1')), ok(200, node('1')), ok(200, node('2'))]);
    const log = memoryLogger();
    const sync = new NodeStatusSync({ client, facts, frequencyMs: 10_000, log });
    const signal = new AbortController().signal;
    assert.equal(await sync.syncOnce(signal), false);
    assert.equal(await sync.syncOnce(signal), false);
    assert.equal(log.lines.filter((l) => l.startsWith('E Unable to register node "n1"')).length, 1, 'a repeated failure is logged once');
    assert.match(log.lines.find((l) => l.startsWith('E ')) ?? '', /dial tcp api: getsockopt: connection refused/);
    assert.equal(await sync.syncOnce(signal), true);
  });
});
