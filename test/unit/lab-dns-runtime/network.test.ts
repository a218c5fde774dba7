import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFerryError } from '../../../src/errors.ts';
import { buildLabFlannelConfig } from '../../../src/lab/setup/flannel-network.ts';
import { buildLabNetwork } from '../../../src/lab/setup/lab-network.ts';

test('lab network: the runbook`s ranges on loopback by default; a test`s own ranges', () => {
  assert.deepEqual(buildLabNetwork({}), { serviceClusterIpRange: '127.16.0.0/13', clusterDns: '127.16.40.1', flannelNetwork: '127.24.0.0/13' });
  assert.deepEqual(buildLabNetwork({ serviceClusterIpRange: '127.40.0.0/13', clusterDns: '127.40.40.1', flannelNetwork: '127.48.0.0/13' }), {
    serviceClusterIpRange: '127.40.0.0/13',
    clusterDns: '127.40.40.1',
    flannelNetwork: '127.48.0.0/13',
  });
});

test('lab network: every problem at once, as one input error', () => {
  const bad = (o: Parameters<typeof buildLabNetwork>[0], re: RegExp) =>
    assert.throws(() => buildLabNetwork(o), (e: unknown) => isFerryError(e) && e.code === 'LAB_BAD_NETWORK' && re.test(e.message));
  bad({ serviceClusterIpRange: '10.0.0.0/13', clusterDns: '10.0.40.1' }, /service cluster IP range "10\.0\.0\.0\/13"/);
  bad({ serviceClusterIpRange: '127.40.0.0/13' }, /cluster DNS 127\.16\.40\.1 must be an address of the service range/);
  bad({ serviceClusterIpRange: '127.40.0.0/13', clusterDns: '127.40.0.1' }, /other than its first/);
  bad({ flannelNetwork: '127.16.0.0/12' }, /overlap/);
  bad({ clusterDns: 'dns' }, /not an IPv4 address/);
});

test('flannel config on a test`s network: subnet length fits the hosts', () => {
  assert.equal(buildLabFlannelConfig(7, '127.48.0.0/13'), '{"Network": "127.48.0.0/13", "SubnetLen": 22, "Backend": {"Type": "vxlan", "VNI": 1}}');
  assert.equal(buildLabFlannelConfig(7, '127.48.0.0/20'), '{"Network": "127.48.0.0/20", "SubnetLen": 23, "Backend": {"Type": "vxlan", "VNI": 1}}');
  assert.throws(() => buildLabFlannelConfig(7, '10.0.0.0/8'), (e: unknown) => isFerryError(e) && e.code === 'LAB_BAD_NETWORK');
});
