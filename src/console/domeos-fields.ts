/**
 * The formats the DomeOS console stores a cluster's endpoints in (domeos.md §3.3): `api` is `ip:port` without a
 * scheme for http (`CommonUtil.fullUrl` prepends `http://`) and `https://ip:port` for https; `etcd` is a comma list
 * of `http://` URLs with the trailing comma the UI's `_formartCluster` sends. Pure.
 */
import { inputError } from '../errors.ts';

function parseUrl(raw: string, what: string): URL {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  try {
    return new URL(withScheme);
  } catch {
    throw inputError('CONSOLE_BAD_URL', `${what} "${raw}" is not a URL`, { hint: 'Give it as http://ip:port (or https://ip:port).' });
  }
}

/** `http://10.17.33.20:8080` → `10.17.33.20:8080`; `https://10.17.33.20:6443` → `https://10.17.33.20:6443`. */
export function buildApiField(apiserverURL: string): string {
  const url = parseUrl(apiserverURL, 'apiserver URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw inputError('CONSOLE_BAD_URL', `apiserver URL "${apiserverURL}" must use http or https`, { hint: 'Give it as http://ip:port or https://ip:port.' });
  }
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const hostPort = `${url.hostname}:${port}`;
  return url.protocol === 'https:' ? `https://${hostPort}` : hostPort;
}

/** `['http://a:4012', 'b:4012']` → `http://a:4012,http://b:4012,`. */
export function buildEtcdField(urls: readonly string[]): string {
  if (urls.length === 0) throw inputError('CONSOLE_BAD_URL', 'the etcd list is empty', { hint: 'Give at least one etcd client URL.' });
  return urls
    .map((raw) => {
      const url = parseUrl(raw, 'etcd client URL');
      const port = url.port !== '' ? `:${url.port}` : '';
      return `${url.protocol}//${url.hostname}${port}`;
    })
    .map((u) => `${u},`)
    .join('');
}

export interface WatcherConf {
  name: string;
  description: string;
  namespace: string;
  hostEnv: string;
  containerDrafts: Array<{ registry: string; image: string; tag: string; cpu: number; mem: number }>;
  labelSelectors: Array<{ name: string; content: string }>;
}

/** A `ClusterWatcherConf` with the UI's defaults (`createWatcherCtr.js`); override any field. */
export function buildWatcherConf(overrides: Partial<WatcherConf> & { name: string }): WatcherConf {
  return {
    description: '',
    namespace: 'default',
    hostEnv: 'PROD',
    containerDrafts: [{ registry: 'https://pub.domeos.org', image: 'kube_event_watcher', tag: 'v0.1.0', cpu: 0, mem: 0 }],
    labelSelectors: [],
    ...overrides,
  };
}
