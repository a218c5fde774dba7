/**
 * kube-proxy 1.4's command line (pure): DomeOS passes `--master=<apiserver>`, `--masquerade-all=true
 * --proxy-mode=iptables` and, for HTTPS, `--kubeconfig` (docs/design/domeos.md §2.2). Other flags of the 1.4 kube-proxy are
 * accepted and ignored; anything else is an unknown flag (exit 2), as with the real one.
 */
import { FlagStyle, parseFlags, type FlagSpec } from '../common/flags.ts';

export interface KubeProxyConfig {
  readonly master?: string;
  readonly kubeconfig?: string;
  /** `userspace`, `iptables` or '' (the 1.4 default: try iptables). */
  readonly proxyMode: string;
  readonly masqueradeAll: boolean;
  readonly hostnameOverride?: string;
  readonly version: boolean;
  readonly help: boolean;
}

export const KUBE_PROXY_FLAGS: FlagSpec = {
  master: 'string',
  kubeconfig: 'string',
  'proxy-mode': 'string',
  'masquerade-all': 'bool',
  'hostname-override': 'string',
  version: 'bool',
  help: 'bool',
  // accepted, not acted on
  'bind-address': 'string',
  'cluster-cidr': 'string',
  'healthz-port': 'string',
  'healthz-bind-address': 'string',
  'iptables-sync-period': 'string',
  'iptables-min-sync-period': 'string',
  'iptables-masquerade-bit': 'string',
  'udp-timeout': 'string',
  'conntrack-max': 'string',
  'conntrack-max-per-core': 'string',
  'conntrack-tcp-timeout-established': 'string',
  'oom-score-adj': 'string',
  'proxy-port-range': 'string',
  'resource-container': 'string',
  'cleanup-iptables': 'bool',
  'kube-api-qps': 'string',
  'kube-api-burst': 'string',
  'config-sync-period': 'string',
  v: 'string',
  logtostderr: 'bool',
  alsologtostderr: 'bool',
  'log-dir': 'string',
};

const PROXY_MODES = new Set(['', 'userspace', 'iptables']);

export type KubeProxyFlagsResult = { readonly ok: true; readonly config: KubeProxyConfig } | { readonly ok: false; readonly message: string };

export function parseKubeProxyFlags(args: readonly string[]): KubeProxyFlagsResult {
  const parsed = parseFlags(args, KUBE_PROXY_FLAGS, FlagStyle.pflag);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  const proxyMode = v.get('proxy-mode') ?? '';
  if (!PROXY_MODES.has(proxyMode)) return { ok: false, message: `invalid argument "${proxyMode}" for --proxy-mode: must be 'userspace' or 'iptables'` };
  const opt = (name: string): string | undefined => {
    const value = v.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    ok: true,
    config: {
      ...(opt('master') !== undefined ? { master: opt('master') } : {}),
      ...(opt('kubeconfig') !== undefined ? { kubeconfig: opt('kubeconfig') } : {}),
      ...(opt('hostname-override') !== undefined ? { hostnameOverride: opt('hostname-override') } : {}),
      proxyMode,
      masqueradeAll: v.get('masquerade-all') === 'true',
      version: v.get('version') === 'true',
      help: v.get('help') === 'true',
    },
  };
}
