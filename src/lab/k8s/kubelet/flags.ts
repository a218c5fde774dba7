/**
 * kubelet 1.4's command line (pure): the flags DomeOS's kubelet.service passes (docs/design/domeos.md §2.2) and the ones the
 * stand-in acts on; other flags of the real 1.4 kubelet are accepted and ignored, anything else is refused as
 * the real one refuses it (`unknown flag`, exit 2).
 */
import { FlagStyle, parseFlags, parsePositiveInt, splitCommaList, type FlagSpec } from '../common/flags.ts';
import { parseGoDurationMs } from '../common/go-duration.ts';

export interface KubeletConfig {
  /** `--api-servers`: the 1.4 kubelet talks to the first one. */
  readonly apiServers: readonly string[];
  readonly kubeconfig?: string;
  readonly hostnameOverride?: string;
  readonly clusterDns?: string;
  readonly clusterDomain?: string;
  /** Default /var/lib/kubelet. */
  readonly rootDir: string;
  /** Default 110 (the 1.4 default). */
  readonly maxPods: number;
  /** Default 10 s. */
  readonly nodeStatusUpdateFrequencyMs: number;
  readonly version: boolean;
  readonly help: boolean;
}

const ACTED_ON: FlagSpec = {
  'api-servers': 'string',
  kubeconfig: 'string',
  'hostname-override': 'string',
  'cluster-dns': 'string',
  'cluster-domain': 'string',
  'root-dir': 'string',
  'max-pods': 'string',
  'node-status-update-frequency': 'string',
  'pod-infra-container-image': 'string',
  version: 'bool',
  help: 'bool',
};

/** Flags of the real 1.4 kubelet that the stand-in accepts without acting on them. */
const IGNORED: FlagSpec = {
  address: 'string',
  port: 'string',
  'read-only-port': 'string',
  'healthz-port': 'string',
  'healthz-bind-address': 'string',
  'cadvisor-port': 'string',
  'allow-privileged': 'bool',
  logtostderr: 'bool',
  'alsologtostderr': 'bool',
  v: 'string',
  'log-dir': 'string',
  'cgroup-root': 'string',
  'cgroup-driver': 'string',
  'docker-endpoint': 'string',
  'container-runtime': 'string',
  'network-plugin': 'string',
  'network-plugin-dir': 'string',
  'register-node': 'bool',
  'register-schedulable': 'bool',
  'require-kubeconfig': 'bool',
  'node-labels': 'string',
  'node-ip': 'string',
  config: 'string',
  'manifest-url': 'string',
  'resolv-conf': 'string',
  'image-gc-high-threshold': 'string',
  'image-gc-low-threshold': 'string',
  'minimum-container-ttl-duration': 'string',
  'maximum-dead-containers': 'string',
  'maximum-dead-containers-per-container': 'string',
  'serialize-image-pulls': 'bool',
  'eviction-hard': 'string',
  'kube-reserved': 'string',
  'system-reserved': 'string',
  'runtime-cgroups': 'string',
  'kubelet-cgroups': 'string',
  'system-cgroups': 'string',
  'enable-server': 'bool',
  'sync-frequency': 'string',
  'cloud-provider': 'string',
  'hairpin-mode': 'string',
  'non-masquerade-cidr': 'string',
};

export const KUBELET_FLAGS: FlagSpec = { ...IGNORED, ...ACTED_ON };

export type KubeletFlagsResult = { readonly ok: true; readonly config: KubeletConfig } | { readonly ok: false; readonly message: string };

export function parseKubeletFlags(args: readonly string[]): KubeletFlagsResult {
  const parsed = parseFlags(args, KUBELET_FLAGS, FlagStyle.pflag);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  let maxPods = 110;
  const maxPodsText = v.get('max-pods');
  if (maxPodsText !== undefined) {
    const n = parsePositiveInt(maxPodsText);
    if (n === undefined) return { ok: false, message: `invalid argument "${maxPodsText}" for --max-pods: strconv.ParseInt: parsing "${maxPodsText}": invalid syntax` };
    maxPods = n;
  }
  let nodeStatusUpdateFrequencyMs = 10_000;
  const freqText = v.get('node-status-update-frequency');
  if (freqText !== undefined) {
    const ms = parseGoDurationMs(freqText);
    if (ms === undefined || ms <= 0) return { ok: false, message: `invalid argument "${freqText}" for --node-status-update-frequency: time: invalid duration ${freqText}` };
    nodeStatusUpdateFrequencyMs = ms;
  }
  const opt = (name: string): string | undefined => {
    const value = v.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    ok: true,
    config: {
      apiServers: splitCommaList(v.get('api-servers')),
      ...(opt('kubeconfig') !== undefined ? { kubeconfig: opt('kubeconfig') } : {}),
      ...(opt('hostname-override') !== undefined ? { hostnameOverride: opt('hostname-override') } : {}),
      ...(opt('cluster-dns') !== undefined ? { clusterDns: opt('cluster-dns') } : {}),
      ...(opt('cluster-domain') !== undefined ? { clusterDomain: opt('cluster-domain') } : {}),
      rootDir: opt('root-dir') ?? '/var/lib/kubelet',
      maxPods,
      nodeStatusUpdateFrequencyMs,
      version: v.get('version') === 'true',
      help: v.get('help') === 'true',
    },
  };
}
