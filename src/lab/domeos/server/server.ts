/**
 * The stand-in's HTTP side: anonymous `/health`, `/api/global/version` and `/api/user/login`; every other `/api/**`
 * needs a live `JSESSIONID` session, else HTTP 401 with Shiro's meta-refresh page. Failures are HTTP 200 envelopes
 * with a non-200 resultCode, as the real ApiController's exception handlers answer. One log line per request,
 * never a body (the login body holds a password).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DomeosApiError, NOT_LOGGED_IN_HTML, buildErrorEnvelope, buildOkEnvelope } from './envelope.ts';
import { routeRequest } from './routes.ts';
import { SESSION_COOKIE, SessionStore, parseCookie } from './sessions.ts';
import type { DomeosStore } from './store.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export interface DomeosHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly sessionTtlMs: number;
  readonly log: (line: string) => void;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new DomeosApiError('PARAM_ERROR', 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomeosApiError('PARAM_ERROR', 'request body is not JSON');
  }
}

async function handle(store: DomeosStore, sessions: SessionStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const method = req.method ?? 'GET';
  const sessionId = parseCookie(req.headers.cookie, SESSION_COOKIE);
  if (url.pathname === '/health') {
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
    return;
  }
  if (url.pathname === '/api/global/version') return sendJson(res, 200, buildOkEnvelope('0.4'));
  if (url.pathname === '/api/user/login' && method === 'POST') {
    const body = (await readBody(req)) as Record<string, unknown> | undefined;
    const username = typeof body?.['username'] === 'string' ? body['username'] : '';
    const password = typeof body?.['password'] === 'string' ? body['password'] : '';
    const loginType = body?.['loginType'] ?? 'USER';
    if (loginType !== 'USER') throw new DomeosApiError('USER_NOT_AUTHORIZED', 'login type not supported');
    store.checkLogin(username, password);
    sessions.remove(sessionId);
    const id = sessions.create(username);
    return sendJson(res, 200, buildOkEnvelope(null), { 'Set-Cookie': `${SESSION_COOKIE}=${id}; Path=/; HttpOnly` });
  }
  if (!url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'not found' });
  if (sessions.touch(sessionId) === undefined) {
    res.writeHead(401, { 'Content-Type': 'text/html;charset=UTF-8', 'Content-Length': Buffer.byteLength(NOT_LOGGED_IN_HTML) });
    res.end(NOT_LOGGED_IN_HTML);
    return;
  }
  if (url.pathname === '/api/user/logout') {
    sessions.remove(sessionId);
    return sendJson(res, 200, buildOkEnvelope(null));
  }
  const body = method === 'POST' || method === 'PUT' ? await readBody(req) : undefined;
  const routed = routeRequest(store, { method, url, body });
  if (routed === undefined) return sendJson(res, 404, { error: `no route ${method} ${url.pathname}` });
  sendJson(res, 200, buildOkEnvelope(routed.result));
}

export async function startDomeosHttp(store: DomeosStore, options: DomeosHttpOptions): Promise<Server> {
  const sessions = new SessionStore(options.sessionTtlMs);
  const server = createServer((req, res) => {
    const started = Date.now();
    handle(store, sessions, req, res)
      .catch((err: unknown) => {
        if (err instanceof DomeosApiError) return sendJson(res, 200, buildErrorEnvelope(err.stat, err.detail));
        options.log(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        return sendJson(res, 200, buildErrorEnvelope('SERVER_INTERNAL_ERROR'));
      })
      .finally(() => options.log(`${req.method ?? '?'} ${(req.url ?? '').split('?')[0] ?? ''} ${res.statusCode} ${Date.now() - started}ms`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
