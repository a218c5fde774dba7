/**
 * kube2sky's command line (pure), for both images DomeOS used (docs/design/domeos.md §4): 0.4 (Kubernetes 1.1's kube2sky,
 * Go `flag`: `-etcd-server`, one URL) and 0.8 (domeos/kube2sky, pflag without name normalisation:
 * `--etcd_servers` comma list, `--etcd_prefix`, basic auth). Names are taken exactly as those programs define them
 * — `etcd-server` with a dash, the others with underscores; `--etcd-servers` is unknown — plus glog's flags.
 * `-flag=v`, `--flag=v` and `--flag v` are accepted; an unknown flag or a bad duration is a usage error (exit 2).
 */
import { FlagStyle, parseFlags, splitCommaList, type FlagSpec } from '../common/flags.ts';
import { parseGoDurationMs } from '../common/go-duration.ts';

export const DEFAULT_KUBE2SKY_DOMAIN = 'cluster.local';
export const DEFAULT_ETCD_SERVER = 'http://127.0.0.1:4001';
/** `--etcd_mutation_timeout` default: kube2sky crashes after retrying one etcd mutation this long. */
export const DEFAULT_MUTATION_TIMEOUT_MS = 10_000;

export interface Kube2skyConfig {
  readonly domain: string;
  /** Without trailing slashes; `--etcd_servers` entries, then `--etcd-server` (default http://127.0.0.1:4001). */
  readonly etcdServers: readonly string[];
  /** `--etcd_prefix` as given ('' when absent). */
  readonly etcdPrefix: string;
  readonly mutationTimeoutMs: number;
  readonly kubeMasterURL?: string;
  readonly kubecfgFile?: string;
  readonly kubeUsername?: string;
  readonly kubePassword?: string;
  readonly kubeInsecureCert: boolean;
  readonly help: boolean;
}

export const KUBE2SKY_FLAGS: FlagSpec = {
  domain: 'string',
  etcd_mutation_timeout: 'string',
  'etcd-server': 'string',
  etcd_servers: 'string',
  etcd_prefix: 'string',
  etcd_cafile: 'string',
  etcd_certfile: 'string',
  etcd_keyfile: 'string',
  etcd_quorum_read: 'bool',
  kubecfg_file: 'string',
  kube_master_url: 'string',
  kube_username: 'string',
  kube_password: 'string',
  kube_insecure_cert: 'bool',
  help: 'bool',
  h: 'bool',
  // glog
  v: 'string',
  vmodule: 'string',
  logtostderr: 'bool',
  alsologtostderr: 'bool',
  log_dir: 'string',
  stderrthreshold: 'string',
  log_backtrace_at: 'string',
};

export type Kube2skyFlagsResult = { readonly ok: true; readonly config: Kube2skyConfig } | { readonly ok: false; readonly message: string };

export function parseKube2skyFlags(args: readonly string[]): Kube2skyFlagsResult {
  const parsed = parseFlags(args, KUBE2SKY_FLAGS, FlagStyle.go);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  const timeoutText = v.get('etcd_mutation_timeout');
  const mutationTimeoutMs = timeoutText === undefined ? DEFAULT_MUTATION_TIMEOUT_MS : parseGoDurationMs(timeoutText);
  // time.ParseDuration takes a sign; a negative timeout has always been refused here.
  if (mutationTimeoutMs === undefined || mutationTimeoutMs < 0) return { ok: false, message: `invalid value "${timeoutText ?? ''}" for flag -etcd_mutation_timeout: parse error` };
  const servers = splitCommaList(v.get('etcd_servers'));
  const single = v.get('etcd-server');
  if (single !== undefined && single !== '' && !servers.includes(single)) servers.push(single);
  if (servers.length === 0) servers.push(DEFAULT_ETCD_SERVER);
  const opt = (name: string): string | undefined => {
    const value = v.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const masterURL = opt('kube_master_url');
  const kubecfg = opt('kubecfg_file');
  const username = opt('kube_username');
  const password = opt('kube_password');
  return {
    ok: true,
    config: {
      domain: v.get('domain') ?? DEFAULT_KUBE2SKY_DOMAIN,
      etcdServers: servers.map((s) => s.replace(/\/+$/, '')),
      etcdPrefix: v.get('etcd_prefix') ?? '',
      mutationTimeoutMs,
      ...(masterURL !== undefined ? { kubeMasterURL: masterURL } : {}),
      ...(kubecfg !== undefined ? { kubecfgFile: kubecfg } : {}),
      ...(username !== undefined ? { kubeUsername: username } : {}),
      ...(password !== undefined ? { kubePassword: password } : {}),
      kubeInsecureCert: v.get('kube_insecure_cert') === 'true',
      help: v.get('help') === 'true' || v.get('h') === 'true',
    },
  };
}

/** os.ExpandEnv: `$NAME` and `${NAME}` replaced by the variable's value, '' when unset. */
export function expandEnv(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? '');
}

/**
 * kube2sky's expandKubeMasterURL: the URL after env expansion, which must have a scheme and a host
 * (`invalid --kube_master_url specified …` otherwise). Returned without a trailing slash.
 */
export function parseKubeMasterURL(raw: string, env: Readonly<Record<string, string>>): { ok: true; url: string } | { ok: false; message: string } {
  const expanded = expandEnv(raw, env);
  let url: URL;
  try {
    url = new URL(expanded);
  } catch {
    return { ok: false, message: `invalid --kube_master_url specified ${raw}` };
  }
  if (!/^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) || url.host === '' || url.host === ':') return { ok: false, message: `invalid --kube_master_url specified ${raw}` };
  return { ok: true, url: `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')}` };
}
