/**
 * The dashboard server: the token (401 without it or with a wrong one, 200 with it in the query or the cookie the
 * page load sets), 127.0.0.1 only by default, the run list and a run's view, the pictures, and the event stream
 * (replay from the start, follow the journal as it grows, resume after Last-Event-ID, heartbeats, flush on stop).
 * A temp FERRY_HOME with synthetic journals; HTTP on 127.0.0.1 port 0.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard, type DashboardServer } from '../../../src/dashboard/server.ts';
import type { DashboardView } from '../../../src/dashboard/view-types.ts';
import type { ClusterPicture } from '../../../src/observe/types.ts';
import { planSteps } from '../../../src/plan/plan-steps.ts';
import { appendStepDone, appendWholeRun, createTestRun, OBSERVED_ETCD, type TestRun } from './fixture.ts';
import { recordReliability } from '../../helpers/reliability.ts';

interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/** An event-stream client that collects parsed messages until closed. */
function openSse(url: string, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  let buffer = '';
  let ended = false;
  let res: IncomingMessage | undefined;
  const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const m: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) m['comment'] = line.slice(1).trim();
          else {
            const c = line.indexOf(':');
            m[line.slice(0, c)] = line.slice(c + 1).trimStart();
          }
        }
        messages.push(m);
      }
    });
    r.on('end', () => (ended = true));
    r.on('close', () => (ended = true));
  });
  req.on('error', () => (ended = true));
  req.end();
  return {
    messages,
    status: () => res?.statusCode,
    ended: () => ended,
    journal: () => messages.filter((m) => m.event === 'journal'),
    views: () => messages.filter((m) => m.event === 'view').map((m) => JSON.parse(m.data ?? '{}') as DashboardView),
    close: () => req.destroy(),
  };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const home = mkdtempSync(join(tmpdir(), 'ferry-dash-srv-'));
const runsDir = join(home, 'runs');
const TOKEN = 'test-token-abcdefghijklmnopqrstuvwxyz012345';
let server: DashboardServer;
let base: string;
let older: TestRun;
let newer: TestRun;

before(async () => {
  older = createTestRun(home, '20260131-140000-aaaa', { startedAt: new Date('2026-01-31T14:00:00Z') });
  appendWholeRun(older);
  newer = createTestRun(home, '20260131-150000-bbbb', { startedAt: new Date('2026-01-31T15:00:00Z') });
  server = await startDashboard({ runsDir, port: 0, token: TOKEN, heartbeatMs: 100, pollIntervalMs: 50, viewIntervalMs: 20 });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.stop();
  older?.journal.close();
  newer?.journal.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the token', () => {
  test('the URL printed carries a random token; each server has its own', async () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    const other = await startDashboard({ runsDir, port: 0 });
    try {
      const token = new URL(other.url).searchParams.get('token') ?? '';
      assert.match(token, /^[A-Za-z0-9_-]{32}$/, '24 random bytes, base64url');
      assert.notEqual(token, TOKEN);
      assert.equal((await get(`${base}/?token=${token}`)).status, 401, "another server's token does not open this one");
    } finally {
      await other.stop();
    }
  });

  test('401 with a short plain body without a token or with a wrong one, on every path', async () => {
    for (const path of ['/', '/api/runs', `/api/runs/${newer.runId}`, `/api/runs/${newer.runId}/events`, `/api/runs/${newer.runId}/picture/before`, '/nope']) {
      for (const suffix of ['', '?token=wrong', `?token=${TOKEN.slice(0, -1)}`]) {
        const r = await get(`${base}${path}${suffix}`);
        assert.equal(r.status, 401, `${path}${suffix}`);
        assert.match(r.headers['content-type'] ?? '', /^text\/plain/);
        assert.ok(r.body.length < 200 && !r.body.includes(TOKEN.slice(0, 8)), r.body);
      }
    }
    const wrongCookie = await get(`${base}/api/runs`, { Cookie: `ferry_dashboard_${server.port}=wrong` });
    assert.equal(wrongCookie.status, 401);
    recordReliability('security', { case: 'dashboard refuses requests without its token', outcome: '401 on every path without, with a wrong or a truncated token, or a wrong cookie', requests: 6 * 3 + 1, refused: 6 * 3 + 1 });
  });

  test('200 with the token in the query; the page sets an HttpOnly SameSite=Strict cookie that then suffices', async () => {
    const page = await get(`${base}/?token=${TOKEN}`);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    assert.match(page.body, /<title>ferry dashboard<\/title>/);
    assert.doesNotMatch(page.body, /<script[^>]+src=|<link[^>]+href="(?!data:)|https?:\/\//, 'self-contained: nothing fetched from elsewhere');
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    const setCookie = page.headers['set-cookie']?.[0] ?? '';
    assert.match(setCookie, new RegExp(`^ferry_dashboard_${server.port}=${TOKEN};`));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0] ?? '';
    const runs = await get(`${base}/api/runs`, { Cookie: `other=1; ${cookie}` });
    assert.equal(runs.status, 200);
    assert.equal((await get(`${base}/api/runs?token=${TOKEN}`)).status, 200, 'or the query alone');
    assert.equal((await get(`${base}/?token=${TOKEN}`, {}, 'POST')).status, 405, 'read-only');
  });
});

describe('listening', () => {
  test('on 127.0.0.1 only by default: another loopback address is refused', async () => {
    assert.equal(server.address, '127.0.0.1');
    const refused = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.2', port: server.port });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
    recordReliability('security', { case: 'dashboard binds to loopback by default', outcome: `listens on ${server.address} only; 127.0.0.2 gets ${refused}`, address: server.address });
  });

  test('another address only when asked; a port in use is DASHBOARD_LISTEN_FAILED', async () => {
    const other = await startDashboard({ runsDir, port: 0, address: '127.36.9.1' });
    try {
      assert.equal(other.address, '127.36.9.1');
      assert.match(other.url, /^http:\/\/127\.36\.9\.1:\d+\/\?token=/);
      await assert.rejects(startDashboard({ runsDir, port: other.port, address: '127.36.9.1' }), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'DASHBOARD_LISTEN_FAILED');
    } finally {
      await other.stop();
    }
  });
});

describe('runs, views and pictures', () => {
  test('/api/runs lists every run newest first and names the default (the newest)', async () => {
    const r = JSON.parse((await get(`${base}/api/runs?token=${TOKEN}`)).body) as { runs: { runId: string; state: string; steps: { done: number; total: number } }[]; defaultRunId: string };
    assert.deepEqual(r.runs.map((x) => x.runId), [newer.runId, older.runId]);
    assert.equal(r.runs[1]?.state, 'done');
    assert.equal(r.runs[1]?.steps.done, r.runs[1]?.steps.total);
    assert.equal(r.runs[0]?.state, 'running', 'the writer (this process) is alive');
    assert.equal(r.defaultRunId, newer.runId);
  });

  test('/api/runs/<id>: the plan and the folded view; unknown runs 404; a bad id 400', async () => {
    const r = await get(`${base}/api/runs/${older.runId}?token=${TOKEN}`);
    assert.equal(r.status, 200);
    const data = JSON.parse(r.body) as { plan: { kind: string }; view: DashboardView };
    assert.equal(data.plan.kind, 'ferry-plan');
    assert.equal(data.view.runState, 'done');
    assert.equal(data.view.phases.length, 9);
    assert.equal((await get(`${base}/api/runs/20990101-000000-zzzz?token=${TOKEN}`)).status, 404);
    assert.equal((await get(`${base}/api/runs/..%2Fetc?token=${TOKEN}`)).status, 400);
  });

  test('pictures: 404 "no picture yet" until the run writes picture-before.json, then SVG', async () => {
    const url = `${base}/api/runs/${older.runId}/picture/before?token=${TOKEN}`;
    const none = await get(url);
    assert.equal(none.status, 404);
    assert.match(none.body, /no picture yet/);
    assert.deepEqual(JSON.parse((await get(`${base}/api/runs/${older.runId}/picture?token=${TOKEN}`)).body), { before: false, after: false });
    const picture: ClusterPicture = { takenAt: '2026-01-31T14:00:00Z', etcd: OBSERVED_ETCD, masters: [], nodes: { list: [] } };
    writeFileSync(join(older.runDir, 'picture-before.json'), JSON.stringify(picture));
    const svg = await get(url);
    assert.equal(svg.status, 200);
    assert.match(svg.headers['content-type'] ?? '', /^image\/svg\+xml/);
    assert.match(svg.body, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg.body, /old1/);
    assert.deepEqual(JSON.parse((await get(`${base}/api/runs/${older.runId}/picture?token=${TOKEN}`)).body), { before: true, after: false });
    assert.equal((await get(`${base}/api/runs/${older.runId}/picture/sideways?token=${TOKEN}`)).status, 404);
  });
});

describe('the event stream', () => {
  test('replays every event from the start with id = seq, then a view, then follows the journal as it grows', async () => {
    const sse = openSse(`${base}/api/runs/${newer.runId}/events?token=${TOKEN}`);
    try {
      const start = newer.journal.lastSeq;
      await waitFor('the replay and a view', () => sse.messages.some((m) => m.event === 'replayed') && sse.views().length > 0);
      assert.equal(sse.status(), 200);
      assert.deepEqual(sse.journal().map((m) => Number(m.id)), Array.from({ length: start }, (_, i) => i + 1));
      assert.equal(sse.views().at(-1)?.lastSeq, start);
      const first = planSteps(newer.plan)[0];
      assert.ok(first);
      appendStepDone(newer.journal, first);
      const end = newer.journal.lastSeq;
      await waitFor('the appended events', () => sse.journal().length === end && sse.views().at(-1)?.lastSeq === end);
      assert.deepEqual(sse.journal().map((m) => Number(m.id)), Array.from({ length: end }, (_, i) => i + 1), 'each event once, in order');
      const raw = JSON.parse(sse.journal().at(-1)?.data ?? '{}') as { type: string; state: string };
      assert.deepEqual([raw.type, raw.state], ['step-state', 'done'], 'the raw journal event');
      assert.equal(sse.views().at(-1)?.phases.flatMap((p) => p.steps).find((s) => s.id === first.id)?.state, 'done');
      await waitFor('a heartbeat', () => sse.messages.some((m) => m.comment?.startsWith('heartbeat') === true));
    } finally {
      sse.close();
    }
  });

  test('a reconnect with Last-Event-ID gets only the later events, and a view folded over all of them', async () => {
    const last = older.journal.lastSeq;
    const sse = openSse(`${base}/api/runs/${older.runId}/events?token=${TOKEN}`, { 'Last-Event-ID': String(last - 3) });
    try {
      await waitFor('the view', () => sse.views().length > 0);
      assert.deepEqual(sse.journal().map((m) => Number(m.id)), [last - 2, last - 1, last]);
      assert.equal(sse.views()[0]?.runState, 'done');
      assert.equal(sse.views()[0]?.lastSeq, last);
    } finally {
      sse.close();
    }
  });

  test('a cookie opens the stream too; stop() sends what the journal holds and ends every stream', async () => {
    const srv = await startDashboard({ runsDir, port: 0, token: TOKEN, pollIntervalMs: 60_000, viewIntervalMs: 20 });
    const sse = openSse(`http://127.0.0.1:${srv.port}/api/runs/${newer.runId}/events`, { Cookie: `ferry_dashboard_${srv.port}=${TOKEN}` });
    try {
      await waitFor('the replay', () => sse.messages.some((m) => m.event === 'replayed'));
      const second = planSteps(newer.plan)[1];
      assert.ok(second);
      newer.journal.append({ type: 'step-state', stepId: second.id, state: 'running' });
      newer.journal.append({ type: 'run-state', state: 'interrupted' });
      await srv.stop();
      await waitFor('the stream to end', () => sse.ended());
      assert.equal(Number(sse.journal().at(-1)?.id), newer.journal.lastSeq, 'the last events were sent before the end');
      assert.equal(sse.views().at(-1)?.runState, 'interrupted');
    } finally {
      sse.close();
      await srv.stop();
    }
  });
});
