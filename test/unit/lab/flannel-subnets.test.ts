import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, parseIPv4 } from '../../../src/lab/setup/ipv4.ts';
import {
  buildLeaseName,
  buildLeaseValue,
  buildSubnetEnvValue,
  chooseSubnet,
  computeFreeSubnets,
  isLeasable,
  parseFlannelConfig,
  parseLeaseName,
  parseLeasePublicIP,
} from '../../../src/lab/k8s/flanneld/subnets.ts';
import { parseSubnetEnv, renderDockerOpts, renderSubnetEnv } from '../../../src/lab/k8s/flanneld/subnet-file.ts';
import { buildLabFlannelConfig, computeLabFlannelSubnetLen } from '../../../src/lab/setup/flannel-network.ts';
import { FLANNEL_CONFIG } from '../../../src/lab/setup/etcd-seed.ts';

const ip = (s: string): number => parseIPv4(s) as number;

describe('flannel network config', () => {
  test('the lab config: 127.24.0.0/13, SubnetLen 22; subnets from the second to the last', () => {
    const r = parseFlannelConfig('{"Network": "127.24.0.0/13", "SubnetLen": 22, "Backend": {"Type": "vxlan", "VNI": 1}}');
    assert.ok(r.ok);
    assert.equal(r.config.subnetLen, 22);
    assert.equal(r.config.backendType, 'vxlan');
    assert.equal(formatIPv4(r.config.subnetMin), '127.24.4.0');
    assert.equal(formatIPv4(r.config.subnetMax), '127.31.252.0');
  });

  test('defaults and refusals', () => {
    const d = parseFlannelConfig('{"Network": "10.1.0.0/16"}');
    assert.ok(d.ok);
    assert.equal(d.config.subnetLen, 24, 'flannel defaults SubnetLen to 24 under a /24');
    assert.equal(d.config.backendType, 'udp');
    assert.equal(parseFlannelConfig('nope').ok, false);
    assert.equal(parseFlannelConfig('{"Network": "10.1.0.0"}').ok, false);
    assert.equal(parseFlannelConfig('{"Network": "10.1.0.0/16", "SubnetLen": 16}').ok, false);
  });

  test('the lab writes the seed`s config for up to 511 hosts and longer subnets beyond', () => {
    assert.equal(buildLabFlannelConfig(5), FLANNEL_CONFIG);
    assert.equal(computeLabFlannelSubnetLen(511), 22);
    assert.equal(computeLabFlannelSubnetLen(512), 23);
    assert.equal(computeLabFlannelSubnetLen(1002), 23);
    assert.equal(computeLabFlannelSubnetLen(1026), 24);
  });
});

describe('subnet choice', () => {
  const cfg = (() => {
    const r = parseFlannelConfig('{"Network": "127.24.0.0/13", "SubnetLen": 22}');
    assert.ok(r.ok);
    return r.config;
  })();

  test('free subnets skip leased ones and stop at 100 candidates', () => {
    const leased = new Set([ip('127.24.4.0'), ip('127.24.12.0')]);
    const free = computeFreeSubnets(cfg, leased);
    assert.equal(free.length, 100);
    assert.deepEqual(free.slice(0, 3).map(formatIPv4), ['127.24.8.0', '127.24.16.0', '127.24.20.0']);
  });

  test('out of subnets when every subnet is leased', () => {
    const small = parseFlannelConfig('{"Network": "10.0.0.0/22", "SubnetLen": 24}');
    assert.ok(small.ok);
    const all = new Set([ip('10.0.1.0'), ip('10.0.2.0'), ip('10.0.3.0')]);
    assert.deepEqual(computeFreeSubnets(small.config, all), []);
    assert.equal(chooseSubnet([]), undefined);
  });

  test('a random pick among the candidates', () => {
    const free = [1, 2, 3, 4];
    assert.equal(chooseSubnet(free, () => 0), 1);
    assert.equal(chooseSubnet(free, () => 0.99), 4);
    assert.equal(chooseSubnet(free, () => 0.5), 3);
  });

  test('lease names, values and leasability', () => {
    assert.equal(buildLeaseName(ip('127.24.4.0'), 22), '127.24.4.0-22');
    assert.deepEqual(parseLeaseName('127.24.4.0-22'), { subnet: ip('127.24.4.0'), len: 22 });
    assert.equal(parseLeaseName('config'), undefined);
    const value = buildLeaseValue('127.17.33.39', 'vxlan');
    const parsed = JSON.parse(value) as { PublicIP: string; BackendType: string; BackendData: { VtepMAC: string } };
    assert.equal(parsed.PublicIP, '127.17.33.39');
    assert.equal(parsed.BackendType, 'vxlan');
    assert.match(parsed.BackendData.VtepMAC, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.equal(buildLeaseValue('127.17.33.39', 'vxlan'), value, 'stable per host');
    assert.equal(parseLeasePublicIP(value), '127.17.33.39');
    assert.equal(parseLeasePublicIP('garbage'), undefined);
    assert.equal(isLeasable(cfg, ip('127.24.4.0'), 22), true);
    assert.equal(isLeasable(cfg, ip('127.24.0.0'), 22), false, 'the first subnet is never leased');
    assert.equal(isLeasable(cfg, ip('127.24.4.0'), 24), false);
    assert.equal(isLeasable(cfg, ip('127.24.5.0'), 22), false);
    assert.equal(buildSubnetEnvValue(ip('127.24.4.0'), 22), '127.24.4.1/22');
  });
});

describe('subnet.env and docker options', () => {
  test('what flanneld and mk-docker-opts.sh write', () => {
    const env = { network: '127.24.0.0/13', subnet: '127.24.4.1/22', mtu: 1450, ipMasq: false };
    assert.equal(renderSubnetEnv(env), 'FLANNEL_NETWORK=127.24.0.0/13\nFLANNEL_SUBNET=127.24.4.1/22\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n');
    assert.equal(
      renderDockerOpts(env),
      'DOCKER_OPT_BIP="--bip=127.24.4.1/22"\nDOCKER_OPT_IPMASQ="--ip-masq=true"\nDOCKER_OPT_MTU="--mtu=1450"\nDOCKER_NETWORK_OPTIONS=" --bip=127.24.4.1/22 --ip-masq=true --mtu=1450"\n',
    );
    assert.deepEqual(parseSubnetEnv(renderSubnetEnv(env)), env);
    assert.equal(parseSubnetEnv('FLANNEL_NETWORK=x\n'), undefined);
  });
});
