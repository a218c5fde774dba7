/**
 * The HTTP side of the apiserver stand-in: routing, bodies, content negotiation, Status errors, watch streams, and
 * one log line per request (`GET /api/v1/nodes 200 3ms`, never a body).
 */
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { parse as parseYaml } from 'yaml';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ApiserverContext, ResourceRequest } from './context.ts';
import { buildApiGroupList, buildApiResourceList, buildApiVersions, buildVersionInfo } from './discovery.ts';
import type { HealthCheck } from './health.ts';
import { renderHealth } from './health.ts';
import type { JsonObject } from './json.ts';
import { parseTableAccept, renderReply, renderWatchObject } from './render.ts';
import type { RenderOptions } from './render.ts';
import { handleResourceRequest } from './resource-handlers.ts';
import { findResource } from './resources.ts';
import type { ResourceSpec } from './resources.ts';
import { readList } from './registry.ts';
import { matchesFilter, parseObjectFilter } from './selectors.ts';
import { buildEndpointSlices } from './endpoint-slices.ts';
import { parseRoute } from './routes.ts';
import { parseProtobufDeleteOptions } from './protobuf-delete-options.ts';
import type { Route } from './routes.ts';
import { ApiError, StatusReason, badRequest, buildStatusBody, internalError, methodNotAllowed, notFound, pathNotFound } from './status.ts';
import { parseIncludeObject } from './tables.ts';
import { serveWatch } from './watch.ts';
import type { WatchSink } from './watch.ts';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ApiserverHttpOptions {
  readonly host: string;
  readonly port: number;
  readonly checks: readonly HealthCheck[];
  readonly log: (line: string) => void;
  /** Serve https with this certificate and key (PEM contents), instead of plain http. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The request body: JSON (every patch type is JSON too) or YAML. Protobuf, which kubectl's typed clients send for
 * some writes (`kubectl create namespace`), is refused with 415: the stand-in has no protobuf schemas. The one
 * exception is the DeleteOptions of a DELETE (kubectl drain), read by protobuf-delete-options.ts.
 */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, StatusReason.badRequest, 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type.includes('protobuf')) {
    if (req.method === 'DELETE') return parseProtobufDeleteOptions(bytes);
    throw new ApiError(415, StatusReason.unsupportedMediaType, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
  }
  try {
    return type === 'application/yaml' ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw badRequest(`the body of the request is not ${type === 'application/yaml' ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

function buildWatchSink(res: ServerResponse, req: ResourceRequest, render: RenderOptions, ctx: ApiserverContext): WatchSink {
  const write = (line: JsonObject): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify(line)}\n`);
  };
  return {
    start() {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
    },
    send(type, object) {
      write({ type, object: renderWatchObject(req.spec, object, { ...render, now: ctx.now() }) });
    },
    sendError(status) {
      write({ type: 'ERROR', object: status });
    },
    end() {
      if (!res.writableEnded) res.end();
    },
    onClose(fn) {
      if (res.closed || res.destroyed) fn();
      else res.once('close', fn);
    },
  };
}

async function handleResourceRoute(ctx: ApiserverContext, route: Extract<Route, { kind: 'resource' }>, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const spec = findResource(route.resource);
  if (spec === undefined || (route.namespace !== undefined && !spec.namespaced)) throw pathNotFound();
  const method = req.method ?? 'GET';
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
  const request: ResourceRequest = {
    method,
    spec,
    namespace: route.namespace,
    name: route.name,
    subresource: route.subresource,
    query: url.searchParams,
    contentType: req.headers['content-type'],
    body: hasBody ? await readBody(req) : undefined,
  };
  const render: RenderOptions = { table: parseTableAccept(req.headers.accept), includeObject: parseIncludeObject(url.searchParams.get('includeObject')), now: ctx.now() };
  const watchParam = url.searchParams.get('watch');
  if (method === 'GET' && route.subresource === undefined && (route.watchPath || watchParam === 'true' || watchParam === '1')) {
    if (spec.storagePath === undefined) throw methodNotAllowed();
    await serveWatch(ctx, request, buildWatchSink(res, request, render, ctx));
    return;
  }
  if (route.watchPath) throw pathNotFound();
  const reply = await handleResourceRequest(ctx, request);
  sendJson(res, reply.code, renderReply(reply, render));
}

/** GET on the EndpointSlice view (endpoint-slices.ts). */
async function handleEndpointSlices(ctx: ApiserverContext, target: Extract<Route, { kind: 'endpointSlices' }>, url: URL): Promise<JsonObject> {
  const filter = parseObjectFilter(url.searchParams.get('labelSelector'), url.searchParams.get('fieldSelector'));
  const { items, revision } = await readList(ctx, findResource('endpoints') as ResourceSpec, target.namespace);
  const slices = items.flatMap(buildEndpointSlices).filter((s) => matchesFilter(filter, s));
  if (target.name === undefined) {
    return { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: revision }, items: slices };
  }
  const found = slices.find((s) => s.metadata.name === target.name);
  if (found === undefined || target.namespace === undefined) throw notFound('endpointslices.discovery.k8s.io', target.name);
  return found;
}

async function route(ctx: ApiserverContext, opts: ApiserverHttpOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://apiserver');
  const target = parseRoute(url.pathname);
  if (target.kind === 'resource') return handleResourceRoute(ctx, target, url, req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
  switch (target.kind) {
    case 'version':
      return sendJson(res, 200, buildVersionInfo(ctx.version));
    case 'health': {
      const results = await Promise.all(opts.checks.map(async (c) => ({ name: c.name, ok: await c.run() })));
      const report = renderHealth([{ name: 'ping', ok: true }, ...results], { check: target.check, verbose: url.searchParams.has('verbose') });
      return sendText(res, report.code, report.body);
    }
    case 'api':
      return sendJson(res, 200, buildApiVersions(ctx.serverAddress));
    case 'apis':
      return sendJson(res, 200, buildApiGroupList());
    case 'apiV1':
      return sendJson(res, 200, buildApiResourceList());
    case 'endpointSlices':
      return sendJson(res, 200, await handleEndpointSlices(ctx, target, url));
    case 'notFound':
      throw pathNotFound();
  }
}

/** Listens on host:port; resolves once listening. */
export async function startApiserverHttp(ctx: ApiserverContext, opts: ApiserverHttpOptions): Promise<Server> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      opts.log(`${req.method} ${req.url} ${res.statusCode} ${ms}ms`);
    });
    route(ctx, opts, req, res).catch((err: unknown) => {
      const apiErr = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
      if (!(err instanceof ApiError)) process.stderr.write(`${new Date().toISOString()} ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (res.headersSent) {
        // A watch already streaming: say why in the stream, then end it.
        if (!res.writableEnded) res.end(`${JSON.stringify({ type: 'ERROR', object: buildStatusBody(apiErr) })}\n`);
        return;
      }
      req.resume();
      sendJson(res, apiErr.code, buildStatusBody(apiErr));
    });
  };
  // The real apiserver's secure port also serves anonymous requests (1.4 without an authorizer), so a client
  // certificate is not required here; --client-ca-file is accepted but not enforced.
  const server: Server = opts.tls === undefined ? createServer(handler) : createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler);
  // Watches last up to an hour: no request timeout; idle keep-alive connections close after a minute.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
