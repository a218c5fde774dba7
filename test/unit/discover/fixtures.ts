/** A discovery of the runbook's example environment (seed.yaml's addresses), healthy, for the pure-part tests. */
import type { Discovery, MemberFacts, MemberFiles } from '../../../src/discover/types.ts';

export function memberFiles(overrides: Partial<MemberFiles> = {}): MemberFiles {
  return {
    source: 'read',
    unitPath: '/lib/systemd/system/etcd.service',
    service: 'etcd',
    binary: '/usr/sbin/domeos/etcd/current/etcd',
    configFile: '/etc/sysconfig/etcd',
    dataDir: '/var/lib/etcd',
    clusterToken: 'domeos-etcd-cluster',
    serviceState: 'active',
    notes: [],
    ...overrides,
  };
}

export function member(i: number, overrides: Partial<MemberFacts> = {}): MemberFacts {
  const host = `10.17.33.${31 + i}`;
  return {
    id: String(1000 + i),
    name: `domeosEtcd${i}`,
    peerURLs: [`http://${host}:4010`],
    clientURLs: [`http://${host}:4012`],
    isLearner: false,
    host,
    isLeader: i === 0,
    version: '3.4.23',
    files: memberFiles({ sysconfigName: `domeosEtcd${i}` }),
    ...overrides,
  };
}

const ETCD_SERVERS = ['http://10.17.33.31:4012', 'http://10.17.33.32:4012', 'http://10.17.33.33:4012'];

export function discovery(overrides: Partial<Discovery> = {}): Discovery {
  return {
    name: 'domeos-example',
    access: { mode: 'ssh', user: 'root', port: 22, keyFile: '~/.ssh/id_ed25519', knownHosts: '~/.ssh/known_hosts', sudo: false },
    etcd: { endpoints: ['http://10.17.33.31:4012'], members: [member(1), member(0), member(2)], leader: 'domeosEtcd0' },
    master: {
      host: '10.17.33.30',
      units: ['flanneld', 'kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy'].map((name) => ({ name, unitPath: `/lib/systemd/system/${name}.service`, state: 'active' as const })),
      files: ['kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy', 'flanneld'].map((f) => ({ path: `/etc/sysconfig/${f}`, present: true })),
      apiserverFlags: { etcdServers: ETCD_SERVERS, serviceClusterIpRange: '172.16.0.0/13', insecureBindAddress: '0.0.0.0', insecurePort: 8080 },
      flannelEtcd: ETCD_SERVERS,
      masterFlags: { 'kube-controller': 'http://10.17.33.30:8080', 'kube-scheduler': 'http://10.17.33.30:8080', 'kube-proxy': 'http://10.17.33.30:8080' },
      kubeVersion: 'v1.4.7',
    },
    apiserver: { url: 'http://10.17.33.30:8080', source: 'sysconfig', version: 'v1.4.7' },
    nodes: [
      { name: 'l-33-40', ready: 'True', internalIP: '10.17.33.40' },
      { name: 'l-33-39', ready: 'True', internalIP: '10.17.33.39' },
      { name: 'l-33-41', ready: 'True', internalIP: '10.17.33.41' },
    ],
    dns: {
      namespace: 'default',
      service: 'skydns-svc',
      clusterIP: '172.16.40.1',
      controllers: [
        { name: 'kube2sky', kind: 'ReplicationController', base: 'kube2sky', role: 'kube2sky', replicas: 1, args: ['--etcd-server=http://10.17.33.31:4012', '--domain=domeos.local', '--kube_master_url=http://10.17.33.30:8080'] },
        { name: 'skydns', kind: 'ReplicationController', base: 'skydns', role: 'skydns', replicas: 1, args: [`--machines=${ETCD_SERVERS.join(',')}`, '--domain=domeos.local', '--addr=0.0.0.0:53'] },
      ],
      domain: 'domeos.local',
    },
    console: { url: 'http://10.17.33.10:8080', cluster: 'domeos-example', id: 7, api: '10.17.33.30:8080', etcd: `${ETCD_SERVERS.join(',')},` },
    at: '2026-11-27T05:45:00.000Z',
    ...overrides,
  };
}
