/**
 * The dashboard's HTTP server (node:http, no framework). Bound to 127.0.0.1 unless the operator names another
 * address; every request must carry the token — `?token=` (the URL printed to the operator) or the cookie the
 * first page load sets — or it gets 401. Read-only: it serves the runs under `$FERRY_HOME/runs`.
 *
 *   GET /                                  the page (self-contained HTML)
 *   GET /api/runs                          { runs: [...newest first], defaultRunId }
 *   GET /api/runs/<id>                     { runId, plan, view }
 *   GET /api/runs/<id>/events              server-sent events: the journal from the start, then as it grows
 *   GET /api/runs/<id>/picture             { before: boolean, after: boolean }: which pictures exist
 *   GET /api/runs/<id>/picture/<side>      the before/after picture as SVG (404 until the run wrote it)
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';
import { ExitCode, FerryError, messageOf } from '../errors.ts';
import { findLatestRun } from '../run/run-dir.ts';
import { startEventStream, parseLastEventId, type EventStream, type EventStreamOptions } from './event-stream.ts';
import { renderDashboardPage } from './page.ts';
import { PICTURE_SIDES, pictureFile, readPictureSvg, type PictureSide } from './picture.ts';
import { listDashboardRuns, readDashboardRun, readRunView } from './runs.ts';
import { buildCookieName, buildTokenCookie, checkToken, createDashboardToken, parseCookie } from './token.ts';

export const DEFAULT_DASHBOARD_ADDRESS = '127.0.0.1';

export interface DashboardOptions extends EventStreamOptions {
  /** `$FERRY_HOME/runs`. */
  readonly runsDir: string;
  /** TCP port; default 0 (an ephemeral port: read it from `url`). */
  readonly port?: number;
  /** Address to listen on; default 127.0.0.1. Anything else is the operator's explicit choice. */
  readonly address?: string;
  /** The token; default 24 random bytes. For tests. */
  readonly token?: string;
  /** The run the page opens first; default the newest run at the time the page asks. */
  readonly defaultRunId?: () => string | undefined;
}

export interface DashboardServer {
  /** `http://ADDRESS:PORT/?token=…`: the one place the token appears. Print it once, to the operator only. */
  readonly url: string;
  readonly address: string;
  readonly port: number;
  /** Closes every event stream (after sending what the journal holds) and stops listening. Idempotent. */
  stop(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

const PAGE_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(data));
}

export function buildDashboardUrl(address: string, port: number, token: string): string {
  const host = isIPv6(address) ? `[${address}]` : address;
  return `http://${host}:${port}/?token=${token}`;
}

export async function startDashboard(o: DashboardOptions): Promise<DashboardServer> {
  const token = o.token ?? createDashboardToken();
  const address = o.address ?? DEFAULT_DASHBOARD_ADDRESS;
  const page = renderDashboardPage();
  const streams = new Set<EventStream>();
  let port = o.port ?? 0;
  const defaultRunId = o.defaultRunId ?? (() => findLatestRun(o.runsDir)?.runId);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const fromQuery = url.searchParams.get('token') ?? undefined;
    const queryOk = checkToken(fromQuery, token);
    if (!queryOk && !checkToken(parseCookie(req.headers.cookie, buildCookieName(port)), token)) {
      send(res, 401, 'text/plain; charset=utf-8', '401 unauthorized: open the URL ferry printed (it carries ?token=...)\n');
      return;
    }
    const cookie: Record<string, string> = queryOk ? { 'Set-Cookie': buildTokenCookie(port, token) } : {};
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', '405 method not allowed: the dashboard only reads\n', { Allow: 'GET, HEAD' });
      return;
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      send(res, 200, 'text/html; charset=utf-8', page, { ...cookie, 'Content-Security-Policy': PAGE_CSP });
      return;
    }
    if (path === '/api/runs') {
      sendJson(res, 200, { runs: listDashboardRuns(o.runsDir), defaultRunId: defaultRunId() ?? null });
      return;
    }
    const m = /^\/api\/runs\/([^/]+)(\/events|\/picture(?:\/([^/]+))?)?$/.exec(path);
    if (m === null) {
      send(res, 404, 'text/plain; charset=utf-8', '404 not found\n');
      return;
    }
    const runId = decodeURIComponent(m[1] ?? '');
    const run = readDashboardRun(o.runsDir, runId);
    if (run === undefined) {
      sendJson(res, 404, { error: { code: 'RUN_NOT_FOUND', message: `no run ${runId} (yet)` } });
      return;
    }
    if (m[2] === undefined) {
      sendJson(res, 200, { runId, runDir: run.runDir, plan: run.plan, view: readRunView(run) });
    } else if (m[2] === '/events') {
      if (req.method !== 'GET') {
        send(res, 405, 'text/plain; charset=utf-8', '405 method not allowed: GET the event stream\n', { Allow: 'GET' });
        return;
      }
      const stream = startEventStream(run, res, parseLastEventId(req, url.searchParams), o);
      streams.add(stream);
      void stream.closed.then(() => streams.delete(stream));
    } else if (m[3] === undefined) {
      sendJson(res, 200, Object.fromEntries(PICTURE_SIDES.map((side) => [side, existsSync(pictureFile(run.runDir, side))])));
    } else if ((PICTURE_SIDES as readonly string[]).includes(m[3])) {
      const svg = readPictureSvg(run.runDir, m[3] as PictureSide);
      if (svg === undefined) send(res, 404, 'text/plain; charset=utf-8', 'no picture yet\n');
      else send(res, 200, 'image/svg+xml; charset=utf-8', svg, { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'" });
    } else send(res, 404, 'text/plain; charset=utf-8', '404 not found: the picture is before or after\n');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      // Errors say what and where, never the request's URL (it may carry the token).
      const status = err instanceof FerryError && err.exitCode === 2 ? 400 : 500;
      const body = err instanceof FerryError ? { error: { code: err.code, message: err.message, hint: err.hint } } : { error: { code: 'DASHBOARD_INTERNAL', message: messageOf(err) } };
      if (!res.headersSent) sendJson(res, status, body);
      else res.end();
    }
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new FerryError('DASHBOARD_LISTEN_FAILED', `the dashboard cannot listen on ${address}:${port}: ${err.code ?? messageOf(err)}`, {
          hint: err.code === 'EADDRINUSE' ? 'choose another --port, or leave it out for a free one' : err.code === 'EADDRNOTAVAIL' ? `${address} is not an address of this machine: leave --address out (127.0.0.1)` : 'check --address and --port',
          subjects: { address, port: String(port) },
          exitCode: ExitCode.badInput, // nothing was started, nothing changed
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen({ port, host: address }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: buildDashboardUrl(address, port, token),
    address,
    port,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const s of streams) s.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
