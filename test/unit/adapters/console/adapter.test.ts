/** The console adapter's edges with a scripted fetch: no watcher feature, dropped sessions, a stop race; openConsole. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DomeosConsole } from '../../../../src/adapters/console/domeos.ts';
import { openConsole } from '../../../../src/adapters/console/open.ts';
import type { FerryError } from '../../../../src/errors.ts';

type Route = (method: string, path: string, body: string | undefined) => { status: number; body?: unknown; cookie?: string };

/** A fetch that answers from `route` and records each call as `METHOD /path` (and the login bodies). */
function scripted(route: Route): { fetch: typeof fetch; calls: string[]; logins: string[] } {
  const calls: string[] = [];
  const logins: string[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url.pathname}${url.search}`);
    const body = typeof init?.body === 'string' ? init.body : undefined;
    if (url.pathname === '/api/user/login' && body !== undefined) logins.push(body);
    const r = route(method, `${url.pathname}${url.search}`, body);
    const headers = new Headers(r.cookie !== undefined ? { 'Set-Cookie': r.cookie } : {});
    return new Response(r.body === undefined ? null : typeof r.body === 'string' ? r.body : JSON.stringify(r.body), { status: r.status, headers });
  }) as typeof fetch;
  return { fetch: f, calls, logins };
}

const ok = (result: unknown) => ({ status: 200, body: { resultCode: 200, resultMsg: 'OK', result } });
const login: Route = (m, p) => (p === '/api/user/login' ? { ...ok(null), cookie: 'JSESSIONID=abc; Path=/' } : { status: 500 });
const creds = { username: 'admin', password: 's3cret' };

describe('DomeosConsole edges', () => {
  test('a console without the watcher endpoint (404): no watcher', async () => {
    const s = scripted((m, p, b) => (p.endsWith('/watcher/status') ? { status: 404, body: '<html>Not Found</html>' } : login(m, p, b)));
    assert.equal(await new DomeosConsole('http://c:1', creds, { fetch: s.fetch }).readWatcher(1), undefined);
  });

  test('401 right after a fresh login: CONSOLE_NOT_LOGGED_IN (cookies dropped on the way)', async () => {
    const s = scripted((m, p, b) => (p === '/api/cluster' ? { status: 401, body: '<html>' } : login(m, p, b)));
    await assert.rejects(new DomeosConsole('http://c:1', creds, { fetch: s.fetch }).readCluster('prod'), (e: FerryError) => e.code === 'CONSOLE_NOT_LOGGED_IN' && !e.message.includes('s3cret'));
    assert.equal(s.calls.filter((c) => c === 'POST /api/user/login').length, 2, 'one re-login, then it gives up');
  });

  test('a watcher that reaches STOP between the read and the stop request: stopped, not an error', async () => {
    let reads = 0;
    const s = scripted((m, p, b) => {
      if (p === '/api/deploy/id/5') return ok({ id: 5, state: reads++ === 0 ? 'RUNNING' : 'STOP' });
      if (p.startsWith('/api/deploy/action/stop')) return { status: 200, body: { resultCode: 1204, resultMsg: 'DEPLOYMENT_STOP_FAILED:deployment is already stopped', result: null } };
      return login(m, p, b);
    });
    assert.equal((await new DomeosConsole('http://c:1', creds, { fetch: s.fetch }).stopWatcher(5, { timeoutMs: 1000 })).state, 'STOP');
  });
});

describe('openConsole', () => {
  test('/health needs no login; login reads the credentials file when it runs, else the lab’s file, else the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-open-console-'));
    try {
      const s = scripted((m, p, b) => (p === '/health' ? { status: 200 } : login(m, p, b)));
      const file = join(dir, 'creds.yaml');
      const lab = join(dir, 'lab/hosts/127.0.0.10/etc/domeos/credentials.yaml');
      const api = openConsole('http://c:1', { fetch: s.fetch, env: {}, labCredentialsFile: lab });
      assert.equal(await api.health(), true);
      assert.deepEqual(s.logins, []);
      await assert.rejects(api.login(), (e: FerryError) => e.code === 'CONSOLE_CREDENTIALS_MISSING');
      mkdirSync(dirname(lab), { recursive: true });
      writeFileSync(lab, 'username: admin\npassword: admin\n');
      await api.login();
      writeFileSync(file, 'username: op\npassword: from-file\n');
      await api.login({ credentialsFile: file });
      await openConsole('http://c:1', { fetch: s.fetch, env: { FERRY_DOMEOS_USERNAME: 'env', FERRY_DOMEOS_PASSWORD: 'from-env' }, labCredentialsFile: lab }).login();
      assert.deepEqual(s.logins.map((b) => (JSON.parse(b) as { username: string }).username), ['admin', 'op', 'env']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
