/**
 * The lab's flannel network: the runbook's 172.24.0.0/13 with SubnetLen 22 mapped to loopback (127.24.0.0/13), and
 * writing it into etcd through the v2 API as start_master_centos.sh does (`curl -XPUT
 * $first_etcd/v2/keys/flannel/network/config -d value=…`, docs/design/domeos.md §2.3). A /13 holds only 511 leasable /22
 * subnets, so a lab with more hosts than that gets longer subnets (23, then 24), which fit every host. Tests give
 * their own network (LabK8sOptions.flannelNetwork).
 */
import { FerryError, inputError, messageOf } from '../../errors.ts';
import { FLANNEL_CONFIG_KEY } from './etcd-seed.ts';
import { formatCidr, networkAddress, parseCidr } from './ipv4.ts';
import { sendLabRequest, type LabClientTls } from './tls.ts';

export const LAB_FLANNEL_NETWORK = '127.24.0.0/13';
const LAB_NETWORK_PREFIX_LENGTH = 13;
/** DomeOS's default --flannel-subnet-len. */
export const DEFAULT_FLANNEL_SUBNET_LEN = 22;
const MAX_SUBNET_LEN = 28;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * The shortest subnet length from 22 on (and longer than the network's prefix) that leaves a subnet for each of
 * `hostCount` hosts (flannel leases all but the first).
 */
export function computeLabFlannelSubnetLen(hostCount: number, networkPrefixLength: number = LAB_NETWORK_PREFIX_LENGTH): number {
  for (let len = Math.max(DEFAULT_FLANNEL_SUBNET_LEN, networkPrefixLength + 1); len < MAX_SUBNET_LEN; len++) {
    if (2 ** (len - networkPrefixLength) - 1 >= hostCount) return len;
  }
  return MAX_SUBNET_LEN;
}

/** The config's value, spelled as the master script spells it. */
export function renderFlannelNetworkConfig(network: string, subnetLen: number): string {
  return `{"Network": "${network}", "SubnetLen": ${subnetLen}, "Backend": {"Type": "vxlan", "VNI": 1}}`;
}

/** The config for `hostCount` hosts on `network` (default 127.24.0.0/13). Throws an input error for a bad CIDR. */
export function buildLabFlannelConfig(hostCount: number, network: string = LAB_FLANNEL_NETWORK): string {
  const cidr = parseCidr(network);
  if (cidr === undefined || cidr.prefixLength > 24 || cidr.ip >>> 24 !== 127) {
    throw inputError('LAB_BAD_NETWORK', `the lab flannel network "${network}" must be a 127.x.y.z/N block with N at most 24`, { hint: 'e.g. 127.24.0.0/13' });
  }
  return renderFlannelNetworkConfig(formatCidr(networkAddress(cidr), cidr.prefixLength), computeLabFlannelSubnetLen(hostCount, cidr.prefixLength));
}

/** PUT the config through the first etcd client URL that answers. */
export async function writeFlannelNetworkConfig(clientURLs: readonly string[], value: string, key: string = FLANNEL_CONFIG_KEY, tls?: LabClientTls): Promise<void> {
  const problems: string[] = [];
  for (const url of clientURLs) {
    try {
      const res = await sendLabRequest(`${url}/v2/keys${key}`, {
        method: 'PUT',
        body: new URLSearchParams({ value }).toString(),
        timeoutMs: REQUEST_TIMEOUT_MS,
        ...(tls !== undefined ? { tls } : {}),
      });
      if (res.status === 200 || res.status === 201) return;
      problems.push(`${url}: HTTP ${res.status} ${res.text.slice(0, 200).trim()}`);
    } catch (err) {
      problems.push(`${url}: ${messageOf(err)}`);
    }
  }
  throw new FerryError('LAB_FLANNEL_CONFIG_FAILED', `cannot write ${key} through etcd's v2 API: ${problems.join('; ')}`, {
    hint: 'The lab starts etcd with -enable-v2; check the old cluster with `ferry lab status`.',
    retryable: true,
  });
}
