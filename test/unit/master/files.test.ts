import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildNewMasterFile, replaceAddress } from '../../../src/master/files.ts';

const apiserver = [
  "ETCD_SERVERS='--etcd-servers=http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012'",
  "SERVICE_CLUSTER_IP_RANGE='--service-cluster-ip-range=172.16.0.0/13'",
  "KUBE_APISERVER_OPTS='--etcd-prefix=/registry --advertise-address=10.17.33.30'",
  "INSECURE_BIND_ADDRESS='--insecure-bind-address=10.17.33.30'",
  "INSECURE_PORT='--insecure-port=8080'",
  '',
].join('\n');
const input = { oldHost: '10.17.33.30', newHost: '10.17.33.20', etcd: ['http://10.17.33.21:4012', 'http://10.17.33.22:4012', 'http://10.17.33.23:4012'] };

describe('cloning the master config', () => {
  test('kube-apiserver: all-new etcd list, new addresses, every other byte kept', () => {
    const r = buildNewMasterFile('/etc/sysconfig/kube-apiserver', apiserver, input);
    assert.equal(
      r.text,
      [
        "ETCD_SERVERS='--etcd-servers=http://10.17.33.21:4012,http://10.17.33.22:4012,http://10.17.33.23:4012'",
        "SERVICE_CLUSTER_IP_RANGE='--service-cluster-ip-range=172.16.0.0/13'",
        "KUBE_APISERVER_OPTS='--etcd-prefix=/registry --advertise-address=10.17.33.20'",
        "INSECURE_BIND_ADDRESS='--insecure-bind-address=10.17.33.20'",
        "INSECURE_PORT='--insecure-port=8080'",
        '',
      ].join('\n'),
    );
    assert.deepEqual(r.changes.map((c) => c.key), ['ETCD_SERVERS', 'KUBE_APISERVER_OPTS', 'INSECURE_BIND_ADDRESS']);
  });

  test('a master-only migration keeps the etcd list', () => {
    const r = buildNewMasterFile('/etc/sysconfig/kube-apiserver', apiserver, { oldHost: input.oldHost, newHost: input.newHost });
    assert.match(r.text, /--etcd-servers=http:\/\/10\.17\.33\.31:4012/);
    assert.match(r.text, /--insecure-bind-address=10\.17\.33\.20/);
  });

  test('flanneld: double quotes kept, FLANNEL_ETCD set, FLANNEL_IFACE moved', () => {
    const text = 'FLANNEL_ETCD="http://10.17.33.31:4012"\r\nFLANNEL_ETCD_KEY="/flannel/network"\r\nFLANNEL_IFACE="10.17.33.30"\r\nFLANNEL_OPTIONS=""\r\n';
    const r = buildNewMasterFile('/etc/sysconfig/flanneld', text, input);
    assert.equal(r.text, 'FLANNEL_ETCD="http://10.17.33.21:4012,http://10.17.33.22:4012,http://10.17.33.23:4012"\r\nFLANNEL_ETCD_KEY="/flannel/network"\r\nFLANNEL_IFACE="10.17.33.20"\r\nFLANNEL_OPTIONS=""\r\n');
  });

  test('kube-controller: KUBE_MASTER follows the master', () => {
    const r = buildNewMasterFile('/etc/sysconfig/kube-controller', "KUBE_MASTER='--master=http://10.17.33.30:8080'\nKUBE_CONTROLLER_OPTS='--cloud-provider='\n", input);
    assert.equal(r.text, "KUBE_MASTER='--master=http://10.17.33.20:8080'\nKUBE_CONTROLLER_OPTS='--cloud-provider='\n");
  });

  test('an address is replaced only as a whole address', () => {
    assert.equal(replaceAddress('10.17.33.30 110.17.33.30 10.17.33.301 10.17.33.30:8080', '10.17.33.30', '10.17.33.20'), '10.17.33.20 110.17.33.30 10.17.33.301 10.17.33.20:8080');
    assert.equal(replaceAddress('http://10.17.33.30/x', '10.17.33.30', 'h'), 'http://h/x');
  });
});
