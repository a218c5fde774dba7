/**
 * flanneld 0.5.5's command line (pure): Go `flag` syntax (`-etcd-endpoints=…`, `--etcd-endpoints …`), the glog
 * flags every Go program of the time had, and flannel's `FLANNELD_<FLAG>` environment variables for flags not given
 * on the command line (flagutil.SetFlagsFromEnv). An unknown flag is refused (`flag provided but not defined`,
 * exit 2).
 */
import { FlagStyle, parseFlags, splitCommaList, type FlagSpec } from '../common/flags.ts';

export const DEFAULT_ETCD_ENDPOINTS = 'http://127.0.0.1:4001,http://127.0.0.1:2379';
export const DEFAULT_ETCD_PREFIX = '/coreos.com/network';

export interface FlanneldConfig {
  readonly etcdEndpoints: readonly string[];
  /** Without a trailing slash. */
  readonly etcdPrefix: string;
  /** `-etcd-cafile`, `-etcd-certfile`, `-etcd-keyfile` (paths as given). */
  readonly etcdCaFile?: string;
  readonly etcdCertFile?: string;
  readonly etcdKeyFile?: string;
  /** An interface name or address; '' for the default route's. */
  readonly iface: string;
  readonly publicIP: string;
  readonly subnetFile: string;
  readonly ipMasq: boolean;
  readonly version: boolean;
  readonly help: boolean;
}

export const FLANNELD_FLAGS: FlagSpec = {
  'etcd-endpoints': 'string',
  'etcd-prefix': 'string',
  'etcd-keyfile': 'string',
  'etcd-certfile': 'string',
  'etcd-cafile': 'string',
  iface: 'string',
  'public-ip': 'string',
  'subnet-file': 'string',
  'subnet-dir': 'string',
  'ip-masq': 'bool',
  listen: 'string',
  remote: 'string',
  'remote-keyfile': 'string',
  'remote-certfile': 'string',
  'remote-cafile': 'string',
  networks: 'string',
  help: 'bool',
  version: 'bool',
  // glog
  v: 'string',
  vmodule: 'string',
  logtostderr: 'bool',
  alsologtostderr: 'bool',
  log_dir: 'string',
  stderrthreshold: 'string',
  log_backtrace_at: 'string',
};

export type FlanneldFlagsResult = { readonly ok: true; readonly config: FlanneldConfig } | { readonly ok: false; readonly message: string };

/** `etcd-endpoints` → `FLANNELD_ETCD_ENDPOINTS`. */
export function envNameOf(flag: string): string {
  return `FLANNELD_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export function parseFlanneldFlags(args: readonly string[], env: Readonly<Record<string, string>> = {}): FlanneldFlagsResult {
  const parsed = parseFlags(args, FLANNELD_FLAGS, FlagStyle.go);
  if (!parsed.ok) return parsed;
  const get = (name: string): string | undefined => parsed.values.get(name) ?? env[envNameOf(name)];
  const prefix = (get('etcd-prefix') ?? DEFAULT_ETCD_PREFIX).replace(/\/+$/, '');
  return {
    ok: true,
    config: {
      etcdEndpoints: splitCommaList(get('etcd-endpoints') ?? DEFAULT_ETCD_ENDPOINTS).map((e) => e.replace(/\/+$/, '')),
      etcdPrefix: prefix === '' ? '/' : prefix,
      ...optional('etcdCaFile', get('etcd-cafile')),
      ...optional('etcdCertFile', get('etcd-certfile')),
      ...optional('etcdKeyFile', get('etcd-keyfile')),
      iface: get('iface') ?? '',
      publicIP: get('public-ip') ?? '',
      subnetFile: get('subnet-file') ?? '/run/flannel/subnet.env',
      ipMasq: get('ip-masq') === 'true',
      version: parsed.values.get('version') === 'true',
      help: parsed.values.get('help') === 'true',
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}
