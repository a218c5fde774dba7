import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildFlannelEtcdServers,
  renderFlanneldSysconfig,
  renderFlanneldUnit,
  renderKubeletSysconfig,
  renderKubeletUnit,
  renderKubeProxyUnit,
  renderNodeKubeProxySysconfig,
} from '../../../src/lab/domeos/node-files.ts';
import { renderApiserverSysconfig, renderApiserverUnit, renderControllerSysconfig, renderControllerUnit, renderMasterKubeProxySysconfig, renderSchedulerSysconfig } from '../../../src/lab/domeos/master-files.ts';
import { parseEnvironmentFile } from '../../../src/sysconfig/envfile.ts';
import { buildServiceArgv, parseUnitFile } from '../../../src/sysconfig/systemd-unit.ts';
import { mapArgvIntoRoot } from '../../../src/lab/paths.ts';

const ETCD = ['http://127.17.33.31:4012', 'http://127.17.33.32:4012', 'http://127.17.33.33:4012'];

function argvOf(unit: string, sysconfig: string): string[] {
  return buildServiceArgv(parseUnitFile(unit).service, parseEnvironmentFile(sysconfig));
}

describe('node files (start_node_centos.sh)', () => {
  const kubelet = renderKubeletSysconfig({ apiServer: 'http://127.17.33.30:8080', clusterDns: '127.16.40.1', clusterDomain: 'domeos.local', hostnameOverride: 'l-33-39' });

  test('/etc/sysconfig/kubelet, single-quoted, as the script echoes it', () => {
    assert.equal(
      kubelet,
      `# configure file for kubelet
# --api-servers
API_SERVERS='--api-servers=http://127.17.33.30:8080'
# --cluster-dns
CLUSTER_DNS='--cluster-dns=127.16.40.1'
# --cluster-domain
CLUSTER_DOMAIN='--cluster-domain=domeos.local'
# --root-dir
ROOT_DIR='--root-dir=/var/lib/kubelet'
# --hostname-override
HOSTNAME_OVERRIDE='--hostname-override=l-33-39'
# other parameters
KUBELET_OPTS='--max-pods=70 --pod-infra-container-image=pub.domeos.org/kubernetes/pause:latest'

`,
    );
  });

  test('kubelet.service expands to the kubelet`s command line ($KUBECONFIG unset → nothing)', () => {
    assert.deepEqual(argvOf(renderKubeletUnit(), kubelet), [
      '/usr/sbin/domeos/k8s/current/kubelet',
      '--api-servers=http://127.17.33.30:8080',
      '--cluster-dns=127.16.40.1',
      '--cluster-domain=domeos.local',
      '--root-dir=/var/lib/kubelet',
      '--hostname-override=l-33-39',
      '--max-pods=70',
      '--pod-infra-container-image=pub.domeos.org/kubernetes/pause:latest',
    ]);
    assert.equal(parseUnitFile(renderKubeletUnit()).service.restart, 'on-failure');
  });

  test('kube-proxy', () => {
    const text = renderNodeKubeProxySysconfig({ apiServer: 'http://127.17.33.30:8080' });
    assert.equal(text, "# configure file for kube-proxy\n# --master\nKUBE_MASTER='--master=http://127.17.33.30:8080'\n# other parameters\nKUBE_PROXY_OPTS='--masquerade-all=true --proxy-mode=iptables'\n\n");
    assert.deepEqual(argvOf(renderKubeProxyUnit(), text), ['/usr/sbin/domeos/k8s/current/kube-proxy', '--master=http://127.17.33.30:8080', '--masquerade-all=true', '--proxy-mode=iptables']);
  });

  test('flanneld: double quotes, http:// added where missing, Restart=always, and the etcd prefix is not a path', () => {
    assert.equal(buildFlannelEtcdServers(['127.0.0.1:4012', 'http://a:1', 'https://b:2']), 'http://127.0.0.1:4012,http://a:1,https://b:2');
    const text = renderFlanneldSysconfig({ etcdServers: ETCD, iface: '127.17.33.39' });
    assert.equal(text, `FLANNEL_ETCD="${ETCD.join(',')}"\nFLANNEL_ETCD_KEY="/flannel/network"\nFLANNEL_IFACE="127.17.33.39"\nFLANNEL_OPTIONS=""\n\n`);
    const unit = renderFlanneldUnit();
    assert.equal(parseUnitFile(unit).service.restart, 'always');
    const argv = argvOf(unit, text);
    assert.deepEqual(argv, ['/usr/sbin/domeos/flannel/current/flanneld', `-etcd-endpoints=${ETCD.join(',')}`, '-etcd-prefix=/flannel/network', '-iface=127.17.33.39']);
    assert.deepEqual(mapArgvIntoRoot('/lab/h', argv).slice(2), ['-etcd-prefix=/flannel/network', '-iface=127.17.33.39']);
  });
});

describe('master files (start_master_centos.sh 2017, insecure)', () => {
  test('/etc/sysconfig/kube-apiserver as the two appends write it, plus the lab’s --storage-backend=etcd3', () => {
    const text = renderApiserverSysconfig({ etcdServers: ETCD, serviceClusterIpRange: '127.16.0.0/13', insecureBindAddress: '127.17.33.30', insecurePort: 8080 });
    assert.equal(
      text,
      `# configure file for kube-apiserver

# --etcd-servers
ETCD_SERVERS='--etcd-servers=${ETCD.join(',')}'
# --service-cluster-ip-range
SERVICE_CLUSTER_IP_RANGE='--service-cluster-ip-range=127.16.0.0/13'
# other parameters
KUBE_APISERVER_OPTS=' --storage-backend=etcd3'


# --insecure-bind-address
INSECURE_BIND_ADDRESS='--insecure-bind-address=127.17.33.30'
# --insecure-port
INSECURE_PORT='--insecure-port=8080'

`,
    );
    assert.deepEqual(argvOf(renderApiserverUnit(), text), [
      '/usr/sbin/domeos/k8s/current/kube-apiserver',
      `--etcd-servers=${ETCD.join(',')}`,
      '--service-cluster-ip-range=127.16.0.0/13',
      '--insecure-bind-address=127.17.33.30',
      '--insecure-port=8080',
      '--storage-backend=etcd3',
    ]);
    assert.equal(parseUnitFile(renderApiserverUnit()).service.restart, 'always');
    const withPrefix = renderApiserverSysconfig({ etcdServers: ETCD, serviceClusterIpRange: '127.16.0.0/13', insecureBindAddress: 'h', insecurePort: 8080, etcdPrefix: '/domeos' });
    assert.equal(parseEnvironmentFile(withPrefix).get('KUBE_APISERVER_OPTS'), ' --etcd-prefix=/domeos/registry --storage-backend=etcd3');
  });

  test('kube-controller, kube-scheduler and the master`s kube-proxy', () => {
    const controller = renderControllerSysconfig({ masterURL: 'http://127.17.33.30:8080' });
    assert.equal(controller, "\n# --master\nKUBE_MASTER='--master=http://127.17.33.30:8080'\n\n# configure file for kube-controller-manager\n\n# other parameters\nKUBE_CONTROLLER_OPTS='--cloud-provider='\n\n");
    assert.deepEqual(argvOf(renderControllerUnit(), controller), ['/usr/sbin/domeos/k8s/current/kube-controller-manager', '--master=http://127.17.33.30:8080', '--cloud-provider=']);
    assert.equal(parseEnvironmentFile(renderSchedulerSysconfig({ masterURL: 'http://h:8080' })).get('KUBE_SCHEDULER_OPTS'), '');
    const proxy = parseEnvironmentFile(renderMasterKubeProxySysconfig({ masterURL: 'http://h:8080' }));
    assert.equal(proxy.get('KUBE_MASTER'), '--master=http://h:8080');
    assert.equal(proxy.get('KUBE_PROXY_OPTS'), '--masquerade-all=true --proxy-mode=iptables');
  });
});
