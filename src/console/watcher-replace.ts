/**
 * Replacing the DomeOS watcher (runbook: "the watcher cannot be upgraded, only deleted and re-created"), decided
 * from what the console shows now, so that a run killed at any instant picks up where it stopped (pure):
 *
 *   the watcher runs against another apiserver → stop it (and wait for STOP) → delete it
 *   no watcher                                  → create it with the configuration read before it was stopped
 *   the watcher runs against the wanted one     → start it if STOP (and wait for RUNNING); done when RUNNING
 *
 * Which apiserver a watcher runs against is read from its containers' `--apiserver=` argument, which the console
 * writes at creation from the cluster's `api` (ClusterServiceImpl.addContainerEnv, docs/design/domeos.md §3.4).
 */
import type { WatcherConf } from './domeos-fields.ts';
import { sameApiField } from './cluster-endpoints.ts';
import type { WatcherInfo } from './types.ts';

/** What ferry keeps of a watcher to re-create it the same way: no args (the console writes them), no secrets. */
export interface SavedWatcher {
  readonly deployId: number;
  readonly state: string;
  readonly conf: WatcherConf;
}

export type WatcherMove =
  | { readonly kind: 'done'; readonly deployId: number }
  /** Ask it to stop unless it is STOPPING already, then wait until it is STOP. */
  | { readonly kind: 'stop'; readonly deployId: number }
  | { readonly kind: 'delete'; readonly deployId: number }
  | { readonly kind: 'create' }
  | { readonly kind: 'start'; readonly deployId: number; readonly version: number }
  /** It is on its way (DEPLOYING, UPDATING, …): wait until it is RUNNING. */
  | { readonly kind: 'wait-running'; readonly deployId: number };

interface VersionInfo {
  readonly version?: unknown;
  readonly labelSelectors?: unknown;
  readonly containerDrafts?: unknown;
}

function firstVersion(info: WatcherInfo): VersionInfo | undefined {
  const infos = info['versionSelectorInfos'];
  const first: unknown = Array.isArray(infos) ? infos[0] : undefined;
  return first !== null && typeof first === 'object' ? (first as VersionInfo) : undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The apiserver its containers were created with (`--apiserver=`), or undefined when the console does not show it. */
export function readWatcherApi(info: WatcherInfo): string | undefined {
  for (const draft of records(firstVersion(info)?.containerDrafts)) {
    const args = Array.isArray(draft['args']) ? (draft['args'] as unknown[]) : [];
    for (const arg of args) if (typeof arg === 'string' && arg.startsWith('--apiserver=')) return arg.slice('--apiserver='.length);
  }
  return undefined;
}

/** The `ClusterWatcherConf` that creates this watcher again: name, namespace, host env, images, node labels. */
export function buildWatcherConfFromInfo(info: WatcherInfo): WatcherConf {
  const version = firstVersion(info);
  return {
    name: info.name,
    description: text(info['description'], ''),
    namespace: text(info['namespace'], 'default') || 'default',
    hostEnv: text(info['hostEnv'], 'PROD') || 'PROD',
    containerDrafts: records(version?.containerDrafts).map((d) => ({
      registry: text(d['registry'], ''),
      image: text(d['image'], ''),
      tag: text(d['tag'], 'latest'),
      cpu: num(d['cpu']),
      mem: num(d['mem']),
    })),
    labelSelectors: records(version?.labelSelectors).map((s) => ({ name: text(s['name'], ''), content: text(s['content'], '') })),
  };
}

export function buildSavedWatcher(info: WatcherInfo): SavedWatcher {
  return { deployId: info.deployId, state: info.state, conf: buildWatcherConfFromInfo(info) };
}

/**
 * Whether the watcher runs against `wantApi`. When the console does not show the args, a watcher counts as the
 * wanted one unless its deployment is one ferry must replace (`staleIds`: the one found before, on apply).
 */
export function runsAgainst(info: WatcherInfo, wantApi: string, staleIds: readonly number[]): boolean {
  const api = readWatcherApi(info);
  return api === undefined ? !staleIds.includes(info.deployId) : sameApiField(api, wantApi);
}

/** States from which a watcher becomes RUNNING by itself. */
const ON_ITS_WAY = new Set(['DEPLOYING', 'UPDATING', 'UPSCALING', 'DOWNSCALING', 'BACKROLLING']);

/** The next move towards "a RUNNING watcher against `wantApi`", from what the console shows now. */
export function computeWatcherMove(current: WatcherInfo | undefined, wantApi: string, staleIds: readonly number[]): WatcherMove {
  if (current === undefined) return { kind: 'create' };
  const deployId = current.deployId;
  if (!runsAgainst(current, wantApi, staleIds)) return current.state === 'STOP' ? { kind: 'delete', deployId } : { kind: 'stop', deployId };
  if (current.state === 'RUNNING') return { kind: 'done', deployId };
  if (current.state === 'STOP') {
    const version = firstVersion(current)?.version;
    return { kind: 'start', deployId, version: typeof version === 'number' ? version : 1 };
  }
  if (ON_ITS_WAY.has(current.state)) return { kind: 'wait-running', deployId };
  // STOPPING, ERROR, ABORTED, …: bring it to STOP, then start it.
  return { kind: 'stop', deployId };
}
