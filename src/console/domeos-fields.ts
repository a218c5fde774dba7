/**
 * The formats the DomeOS console stores a cluster's endpoints in (docs/design/domeos.md §3.3): `api` is `ip:port` without a
 * scheme for http (`CommonUtil.fullUrl` prepends `http://`) and `https://ip:port` for https; `etcd` is a comma list
 * of `http://` URLs with the trailing comma the UI's `_formartCluster` sends. Pure.
 */
import { inputError } from '../errors.ts';
import { parseEndpointURL, type HttpURL } from '../inventory/urls.ts';

function parseUrl(raw: string, what: string): HttpURL {
  const r = parseEndpointURL(raw.trim(), 'any', 'http://10.17.33.20:8080', { schemeOptional: true });
  if (r.ok) return r.url;
  if (r.reason.startsWith('has scheme')) throw inputError('CONSOLE_BAD_URL', `${what} "${raw}" must use http or https`, { hint: 'Give it as http://ip:port or https://ip:port.' });
  throw inputError('CONSOLE_BAD_URL', `${what} "${raw}" is not a URL`, { hint: 'Give it as http://ip:port (or https://ip:port).' });
}

/** `http://10.17.33.20:8080` → `10.17.33.20:8080`; `https://10.17.33.20:6443` → `https://10.17.33.20:6443`. */
export function buildApiField(apiserverURL: string): string {
  const url = parseUrl(apiserverURL, 'apiserver URL');
  return url.scheme === 'https' ? `https://${url.hostPort}` : url.hostPort;
}

/** `['http://a:4012', 'b:4012']` → `http://a:4012,http://b:4012,`. */
export function buildEtcdField(urls: readonly string[]): string {
  if (urls.length === 0) throw inputError('CONSOLE_BAD_URL', 'the etcd list is empty', { hint: 'Give at least one etcd client URL.' });
  return urls
    .map((raw) => {
      const url = parseUrl(raw, 'etcd client URL');
      // The scheme's default port is left out, as the UI sends it.
      const port = url.explicitPort && url.port !== (url.scheme === 'https' ? 443 : 80) ? `:${url.port}` : '';
      return `${url.scheme}://${url.host.includes(':') ? `[${url.host}]` : url.host}${port}`;
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
