/**
 * The files a node's flannel leaves behind (pure): `/run/flannel/subnet.env`, written by flanneld itself, and
 * `/run/flannel/docker`, written by the unit's `ExecStartPost=mk-docker-opts.sh -k DOCKER_NETWORK_OPTIONS -d
 * /run/flannel/docker` (docs/design/domeos.md §2.2), which the lab's flanneld writes too since the supervisor runs
 * ExecStart= only. Docker reads the latter; the lab's kubelet reads the former to give pods their addresses.
 */
import { parseEnvironmentFile } from '../../../sysconfig/envfile.ts';

export const SUBNET_FILE = '/run/flannel/subnet.env';
export const DOCKER_OPTS_FILE = '/run/flannel/docker';
/** vxlan's MTU on a 1500-byte link. */
export const VXLAN_MTU = 1450;

export interface SubnetEnv {
  /** `FLANNEL_NETWORK`, e.g. `127.24.0.0/13`. */
  readonly network: string;
  /** `FLANNEL_SUBNET`: the lease's first address with its length, e.g. `127.24.4.1/22`. */
  readonly subnet: string;
  readonly mtu: number;
  readonly ipMasq: boolean;
}

export function renderSubnetEnv(env: SubnetEnv): string {
  return `FLANNEL_NETWORK=${env.network}\nFLANNEL_SUBNET=${env.subnet}\nFLANNEL_MTU=${env.mtu}\nFLANNEL_IPMASQ=${env.ipMasq}\n`;
}

/** The values of a subnet.env; undefined when it lacks FLANNEL_SUBNET. */
export function parseSubnetEnv(text: string): Partial<SubnetEnv> & { readonly subnet: string } | undefined {
  const vars = parseEnvironmentFile(text);
  const subnet = vars.get('FLANNEL_SUBNET');
  if (subnet === undefined || subnet === '') return undefined;
  const network = vars.get('FLANNEL_NETWORK');
  const mtu = Number(vars.get('FLANNEL_MTU'));
  const ipMasq = vars.get('FLANNEL_IPMASQ');
  return {
    subnet,
    ...(network !== undefined ? { network } : {}),
    ...(Number.isInteger(mtu) && mtu > 0 ? { mtu } : {}),
    ...(ipMasq === 'true' || ipMasq === 'false' ? { ipMasq: ipMasq === 'true' } : {}),
  };
}

/**
 * What `mk-docker-opts.sh -k DOCKER_NETWORK_OPTIONS` writes for this subnet.env: the individual options, then the
 * combined key (docker masquerades when flannel does not).
 */
export function renderDockerOpts(env: SubnetEnv): string {
  const bip = `--bip=${env.subnet}`;
  const ipMasq = `--ip-masq=${!env.ipMasq}`;
  const mtu = `--mtu=${env.mtu}`;
  return [
    `DOCKER_OPT_BIP="${bip}"`,
    `DOCKER_OPT_IPMASQ="${ipMasq}"`,
    `DOCKER_OPT_MTU="${mtu}"`,
    `DOCKER_NETWORK_OPTIONS=" ${bip} ${ipMasq} ${mtu}"`,
    '',
  ].join('\n');
}
