/**
 * The master side of discovery, pure: the flags kube-apiserver runs with (its unit's ExecStart expanded with
 * /etc/sysconfig/kube-apiserver, docs/design/domeos.md §2.3), the apiserver URL they imply, and the etcd list flanneld uses.
 */
import { formatHostPort } from '../inventory/urls.ts';
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';
import { parsePort, readArgvFlag, splitList } from './argv-flags.ts';
import type { ApiserverFacts, ApiserverFlags } from './types.ts';

export function buildApiserverFlags(argv: readonly string[]): ApiserverFlags {
  const flag = (name: string): string | undefined => {
    const v = readArgvFlag(argv, name);
    return v === undefined || v === '' ? undefined : v;
  };
  const etcdServers = splitList(flag('etcd-servers'));
  const etcdPrefix = flag('etcd-prefix');
  const range = flag('service-cluster-ip-range');
  const insecureBindAddress = flag('insecure-bind-address');
  const insecurePort = parsePort(flag('insecure-port') ?? flag('port'));
  const securePort = parsePort(flag('secure-port'));
  const bindAddress = flag('bind-address');
  return {
    ...(etcdServers.length > 0 ? { etcdServers } : {}),
    ...(etcdPrefix !== undefined ? { etcdPrefix } : {}),
    ...(range !== undefined ? { serviceClusterIpRange: range } : {}),
    ...(insecureBindAddress !== undefined ? { insecureBindAddress } : {}),
    ...(insecurePort !== undefined ? { insecurePort } : {}),
    ...(securePort !== undefined ? { securePort } : {}),
    ...(bindAddress !== undefined ? { bindAddress } : {}),
  };
}

/** A wildcard or loopback bind address is not how other machines reach the master: use its host instead. */
function reachableHost(bind: string | undefined, masterHost: string): string {
  if (bind === undefined || bind === '0.0.0.0' || bind === '::' || bind === '[::]' || bind === '') return masterHost;
  if (/^127\./.test(bind) && !/^127\./.test(masterHost)) return masterHost;
  return bind.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The apiserver URL: `--apiserver` when given; else from the flags (the insecure port DomeOS uses, 8080 when the
 * flags name none; https on the secure port when the insecure one is off); else `http://<master>:8080`.
 */
export function computeApiserverURL(option: string | undefined, flags: ApiserverFlags | undefined, masterHost: string): Pick<ApiserverFacts, 'url' | 'source'> {
  if (option !== undefined) return { url: option.replace(/\/+$/, ''), source: 'option' };
  if (flags === undefined) return { url: `http://${formatHostPort(masterHost, 8080)}`, source: 'default' };
  if (flags.insecurePort === 0 && flags.securePort !== undefined && flags.securePort !== 0) {
    return { url: `https://${formatHostPort(reachableHost(flags.bindAddress, masterHost), flags.securePort)}`, source: 'sysconfig' };
  }
  const port = flags.insecurePort !== undefined && flags.insecurePort !== 0 ? flags.insecurePort : 8080;
  return { url: `http://${formatHostPort(reachableHost(flags.insecureBindAddress, masterHost), port)}`, source: 'sysconfig' };
}

/** FLANNEL_ETCD of /etc/sysconfig/flanneld as a list (DomeOS writes a comma list of http:// URLs). */
export function parseFlannelEtcd(text: string): string[] | undefined {
  const value = parseEnvironmentFile(text).get('FLANNEL_ETCD');
  return value === undefined ? undefined : splitList(value);
}
