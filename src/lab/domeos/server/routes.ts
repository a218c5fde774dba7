/**
 * The REST routes the stand-in serves (docs/design/domeos.md §3.3, §3.4), each a handler returning the envelope's `result`.
 * Paths and query parameters are those of `ClusterController` and `DeploymentController`.
 */
import { DomeosApiError } from './envelope.ts';
import type { DomeosStore } from './store.ts';
import { renderDeployment, renderWatcherInfo } from './watcher.ts';

export interface RouteInput {
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
}

type Handler = (store: DomeosStore, input: RouteInput, params: readonly string[]) => unknown;

function intParam(raw: string | null | undefined, name: string): number {
  const n = Number(raw);
  if (raw === null || raw === undefined || raw === '' || !Number.isInteger(n)) throw new DomeosApiError('PARAM_ERROR', `${name} is not legal`);
  return n;
}

const ROUTES: ReadonlyArray<readonly [string, RegExp, Handler]> = [
  ['GET', /^\/api\/cluster$/, (s) => s.listClusters()],
  ['PUT', /^\/api\/cluster$/, (s, i) => s.updateCluster(i.body)],
  ['GET', /^\/api\/cluster\/(\d+)$/, (s, _i, p) => s.getCluster(intParam(p[0], 'id'))],
  ['GET', /^\/api\/cluster\/(\d+)\/watcher\/status$/, (s, _i, p) => renderWatcherInfo(s.watcherOf(intParam(p[0], 'id')))],
  ['POST', /^\/api\/cluster\/(\d+)\/watcher\/create$/, (s, i, p) => renderDeployment(s.createWatcher(intParam(p[0], 'id'), i.body))],
  ['GET', /^\/api\/deploy\/id\/(\d+)$/, (s, _i, p) => renderDeployment(s.getDeployment(intParam(p[0], 'deployId')))],
  [
    'DELETE',
    /^\/api\/deploy\/id\/(\d+)$/,
    (s, _i, p) => {
      s.deleteDeployment(intParam(p[0], 'deployId'));
      return null;
    },
  ],
  [
    'POST',
    /^\/api\/deploy\/action\/start$/,
    (s, i) => {
      const q = i.url.searchParams;
      const replicas = intParam(q.get('replicas') ?? '1', 'replicas');
      if (replicas < 1) throw new DomeosApiError('PARAM_ERROR', 'replicas must be positive');
      return renderDeployment(s.startDeployment(intParam(q.get('deployId'), 'deployId'), intParam(q.get('version'), 'version')));
    },
  ],
  ['POST', /^\/api\/deploy\/action\/stop$/, (s, i) => renderDeployment(s.stopDeployment(intParam(i.url.searchParams.get('deployId'), 'deployId')))],
];

/** The handler's result, or undefined when no route matches (the server answers 404). */
export function routeRequest(store: DomeosStore, input: RouteInput): { result: unknown } | undefined {
  for (const [method, pattern, handler] of ROUTES) {
    if (method !== input.method) continue;
    const match = pattern.exec(input.url.pathname);
    if (match !== null) return { result: handler(store, input, match.slice(1)) };
  }
  return undefined;
}
