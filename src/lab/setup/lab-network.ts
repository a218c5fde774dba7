/**
 * A lab's network ranges (pure): the service cluster IP range (the apiserver's --service-cluster-ip-range), the
 * cluster DNS address in it (the kubelets' --cluster-dns, the DNS service's cluster IP) and the flannel network.
 * The defaults are the runbook's 172.16/13, 172.16.40.1 and 172.24/13 mapped to loopback; tests running labs side
 * by side give their own. Every address stays on 127.0.0.0/8 so nothing leaves this machine.
 */
import { inputError } from '../../errors.ts';
import { LAB_FLANNEL_NETWORK } from './flannel-network.ts';
import { blockSize, cidrContains, formatCidr, networkAddress, parseCidr, parseIPv4, type Cidr } from './ipv4.ts';
import { LAB_SERVICE_CLUSTER_IP_RANGE } from './master-up.ts';
import { LAB_CLUSTER_DNS } from './nodes-up.ts';
import type { LabNetworkState } from './state.ts';

export interface LabNetworkOptions {
  /** Default 127.16.0.0/13. */
  readonly serviceClusterIpRange?: string;
  /** Default 127.16.40.1; must lie in the service range (not its first address, the `kubernetes` service's). */
  readonly clusterDns?: string;
  /** Default 127.24.0.0/13. */
  readonly flannelNetwork?: string;
}

function isLoopbackBlock(c: Cidr): boolean {
  return c.prefixLength >= 8 && networkAddress(c) >>> 24 === 127;
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, networkAddress(b)) || cidrContains(b, networkAddress(a));
}

/** The ranges with defaults filled in; an input error naming every problem. */
export function buildLabNetwork(o: LabNetworkOptions): LabNetworkState {
  const problems: string[] = [];
  const rangeText = o.serviceClusterIpRange ?? LAB_SERVICE_CLUSTER_IP_RANGE;
  const dnsText = o.clusterDns ?? LAB_CLUSTER_DNS;
  const flannelText = o.flannelNetwork ?? LAB_FLANNEL_NETWORK;
  const range = parseCidr(rangeText);
  const flannel = parseCidr(flannelText);
  const dns = parseIPv4(dnsText);
  if (range === undefined || !isLoopbackBlock(range) || range.prefixLength > 28) problems.push(`service cluster IP range "${rangeText}" must be a 127.x.y.z/N block with N from 8 to 28`);
  if (flannel === undefined || !isLoopbackBlock(flannel) || flannel.prefixLength > 24) problems.push(`flannel network "${flannelText}" must be a 127.x.y.z/N block with N from 8 to 24`);
  if (dns === undefined) problems.push(`cluster DNS "${dnsText}" is not an IPv4 address`);
  else if (range !== undefined) {
    const first = networkAddress(range);
    if (!cidrContains(range, dns) || dns === first || dns === first + 1 || dns === first + blockSize(range.prefixLength) - 1) {
      problems.push(`cluster DNS ${dnsText} must be an address of the service range ${rangeText} other than its first (the kubernetes service's)`);
    }
  }
  if (range !== undefined && flannel !== undefined && overlaps(range, flannel)) problems.push(`the service range ${rangeText} and the flannel network ${flannelText} overlap`);
  if (problems.length > 0 || range === undefined || flannel === undefined) {
    throw inputError('LAB_BAD_NETWORK', `the lab's network options are not usable: ${problems.join('; ')}`, { hint: 'e.g. service range 127.16.0.0/13, cluster DNS 127.16.40.1, flannel network 127.24.0.0/13' });
  }
  return {
    serviceClusterIpRange: formatCidr(networkAddress(range), range.prefixLength),
    clusterDns: dnsText.trim(),
    flannelNetwork: formatCidr(networkAddress(flannel), flannel.prefixLength),
  };
}
