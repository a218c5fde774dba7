/**
 * Acquiring a host's subnet lease the way flannel 0.5.5 does: a lease already held by this host's PublicIP is
 * reused; else the subnet from the last subnet.env is taken again if nobody holds it; else a random free subnet is
 * created with prevExist=false (so two hosts racing for one subnet cannot both get it) — up to 10 tries.
 */
import { FerryError } from '../../../errors.ts';
import { formatCidr } from '../../setup/ipv4.ts';
import type { AgentLogger } from '../../node-runtime/agent-log.ts';
import type { EtcdV2Client } from '../common/etcd-v2.ts';
import { buildLeaseName, buildLeaseValue, chooseSubnet, computeFreeSubnets, isLeasable, parseLeaseName, parseLeasePublicIP, type FlannelNetworkConfig } from './subnets.ts';

/** flannel's subnet TTL. */
export const LEASE_TTL_SECONDS = 86_400;
const REGISTER_RETRIES = 10;

export interface Lease {
  readonly subnet: number;
  readonly len: number;
  /** Full key, `<prefix>/subnets/<a.b.c.d-len>`. */
  readonly key: string;
  readonly value: string;
}

export interface AcquireLeaseOptions {
  readonly etcd: EtcdV2Client;
  readonly prefix: string;
  readonly config: FlannelNetworkConfig;
  readonly publicIP: string;
  /** The subnet of the last subnet.env, if any. */
  readonly previous?: { readonly subnet: number; readonly len: number };
  readonly log: AgentLogger;
  readonly signal: AbortSignal;
  readonly random?: () => number;
}

interface HeldLease {
  readonly subnet: number;
  readonly len: number;
  readonly publicIP: string | undefined;
}

async function readLeases(o: AcquireLeaseOptions): Promise<HeldLease[]> {
  const dir = await o.etcd.get(`${o.prefix}/subnets`, {}, o.signal);
  const out: HeldLease[] = [];
  for (const node of dir?.nodes ?? []) {
    const parsed = parseLeaseName(node.key.slice(node.key.lastIndexOf('/') + 1));
    if (parsed !== undefined) out.push({ ...parsed, publicIP: parseLeasePublicIP(node.value) });
  }
  return out;
}

export async function acquireLease(o: AcquireLeaseOptions): Promise<Lease> {
  const value = buildLeaseValue(o.publicIP, o.config.backendType);
  const lease = (subnet: number, len: number): Lease => ({ subnet, len, key: `${o.prefix}/subnets/${buildLeaseName(subnet, len)}`, value });
  for (let attempt = 0; attempt < REGISTER_RETRIES; attempt++) {
    const held = await readLeases(o);
    const own = held.find((l) => l.publicIP === o.publicIP && isLeasable(o.config, l.subnet, l.len));
    if (own !== undefined) {
      const l = lease(own.subnet, own.len);
      if ((await o.etcd.renew(l.key, value, LEASE_TTL_SECONDS, o.signal)) === 'renewed') {
        o.log.info(`Found lease (${formatCidr(own.subnet, own.len)}) for current IP (${o.publicIP}), reusing`);
        return l;
      }
      continue;
    }
    const taken = new Set(held.map((l) => l.subnet));
    const prev = o.previous;
    if (prev !== undefined && isLeasable(o.config, prev.subnet, prev.len) && !taken.has(prev.subnet)) {
      const l = lease(prev.subnet, prev.len);
      if ((await o.etcd.create(l.key, value, LEASE_TTL_SECONDS, o.signal)) === 'created') {
        o.log.info(`Found previously leased subnet (${formatCidr(prev.subnet, prev.len)}), reusing`);
        return l;
      }
      continue;
    }
    const subnet = chooseSubnet(computeFreeSubnets(o.config, taken), o.random);
    if (subnet === undefined) {
      throw new FerryError('LAB_FLANNEL_OUT_OF_SUBNETS', 'out of subnets', { retryable: true, hint: 'The flannel network has no free subnet of SubnetLen left for this host.' });
    }
    const l = lease(subnet, o.config.subnetLen);
    if ((await o.etcd.create(l.key, value, LEASE_TTL_SECONDS, o.signal)) === 'created') {
      o.log.info(`Allocated lease (${formatCidr(subnet, o.config.subnetLen)}) to current node (${o.publicIP})`);
      return l;
    }
  }
  throw new FerryError('LAB_FLANNEL_LEASE_FAILED', `failed to acquire a subnet lease after ${REGISTER_RETRIES} attempts (other hosts took the subnets it tried)`, { retryable: true });
}
