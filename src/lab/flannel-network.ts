/**
 * The lab's flannel network: the runbook's 172.24.0.0/13 with SubnetLen 22 mapped to loopback (127.24.0.0/13), and
 * writing it into etcd through the v2 API as start_master_centos.sh does (`curl -XPUT
 * $first_etcd/v2/keys/flannel/network/config -d value=…`, domeos.md §2.3). A /13 holds only 511 leasable /22
 * subnets, so a lab with more hosts than that gets longer subnets (23, then 24), which fit every host.
 */
import { FerryError, messageOf } from '../errors.ts';
import { FLANNEL_CONFIG_KEY } from './etcd-seed.ts';

export const LAB_FLANNEL_NETWORK = '127.24.0.0/13';
const NETWORK_PREFIX_LENGTH = 13;
/** DomeOS's default --flannel-subnet-len. */
export const DEFAULT_FLANNEL_SUBNET_LEN = 22;
const MAX_SUBNET_LEN = 28;
const REQUEST_TIMEOUT_MS = 5_000;

/** The shortest subnet length from 22 on that leaves a subnet for each of `hostCount` hosts (flannel leases all but the first). */
export function computeLabFlannelSubnetLen(hostCount: number): number {
  for (let len = DEFAULT_FLANNEL_SUBNET_LEN; len < MAX_SUBNET_LEN; len++) {
    if (2 ** (len - NETWORK_PREFIX_LENGTH) - 1 >= hostCount) return len;
  }
  return MAX_SUBNET_LEN;
}

/** The config's value, spelled as the master script spells it. */
export function renderFlannelNetworkConfig(network: string, subnetLen: number): string {
  return `{"Network": "${network}", "SubnetLen": ${subnetLen}, "Backend": {"Type": "vxlan", "VNI": 1}}`;
}

export function buildLabFlannelConfig(hostCount: number): string {
  return renderFlannelNetworkConfig(LAB_FLANNEL_NETWORK, computeLabFlannelSubnetLen(hostCount));
}

/** PUT the config through the first etcd client URL that answers. */
export async function writeFlannelNetworkConfig(clientURLs: readonly string[], value: string, key: string = FLANNEL_CONFIG_KEY): Promise<void> {
  const problems: string[] = [];
  for (const url of clientURLs) {
    try {
      const res = await fetch(`${url}/v2/keys${key}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ value }).toString(),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (res.status === 200 || res.status === 201) return;
      problems.push(`${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200).trim()}`);
    } catch (err) {
      problems.push(`${url}: ${messageOf(err)}`);
    }
  }
  throw new FerryError('LAB_FLANNEL_CONFIG_FAILED', `cannot write ${key} through etcd's v2 API: ${problems.join('; ')}`, {
    hint: 'The lab starts etcd with -enable-v2; check the old cluster with `ferry lab status`.',
    retryable: true,
  });
}
