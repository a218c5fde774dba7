/** Discovery's pure readers: unit and sysconfig files → facts, container args → DNS facts, flags. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isSameEndpointSet, normalizeEndpoint, readArgvFlag } from '../../../src/discover/argv-flags.ts';
import { buildDnsFacts, findDnsControllers, listControllerBases } from '../../../src/discover/dns-facts.ts';
import { buildMemberFiles, computeMemberHost, pickURL } from '../../../src/discover/etcd-facts.ts';
import { buildApiserverFlags, computeApiserverURL, parseFlannelEtcd } from '../../../src/discover/master-facts.ts';
import { buildCommandLine, parseUnitSummary } from '../../../src/discover/unit-facts.ts';
import { renderEtcdSysconfig, renderEtcdUnit } from '../../../src/etcd/sysconfig.ts';
import { renderApiserverSysconfig, renderApiserverUnit } from '../../../src/lab/domeos/master-files.ts';
import type { ReplicationController } from '../../../src/kube/objects.ts';

/** /etc/sysconfig/etcd exactly as DomeOS's start_etcd.sh writes it (docs/design/domeos.md §2.4: ETCD_NAME, `-flag value`). */
const DOMEOS_ETCD = [
  "ETCD_NAME='-name domeosEtcd1'",
  "INITIAL_ADVERTISE_PEER_URLS='-initial-advertise-peer-urls http://10.17.33.32:4010'",
  "LISTEN_PEER_URLS='-listen-peer-urls http://0.0.0.0:4010'",
  "ADVERTISE_CLIENT_URLS='-advertise-client-urls http://10.17.33.32:4012'",
  "LISTEN_CLIENT_URLS='-listen-client-urls http://0.0.0.0:4012'",
  "INITIAL_CLUSTER_TOKEN='-initial-cluster-token domeos-etcd-cluster'",
  "INITIAL_CLUSTER='-initial-cluster domeosEtcd0=http://10.17.33.31:4010,domeosEtcd1=http://10.17.33.32:4010'",
  "INITIAL_CLUSTER_STATE='-initial-cluster-state new'",
  "DATA_DIR='-data-dir /data/etcd'",
  "ETCD_OPTS=''",
  '',
].join('\n');
const DOMEOS_ETCD_UNIT = [
  '[Unit]',
  'Description=etcd',
  '[Service]',
  'EnvironmentFile=-/etc/sysconfig/etcd',
  'ExecStart=/usr/sbin/domeos/etcd/current/etcd $ETCD_NAME $INITIAL_ADVERTISE_PEER_URLS $LISTEN_PEER_URLS \\',
  '  $ADVERTISE_CLIENT_URLS $LISTEN_CLIENT_URLS $INITIAL_CLUSTER_TOKEN $INITIAL_CLUSTER $INITIAL_CLUSTER_STATE $DATA_DIR $ETCD_OPTS',
  'Restart=on-abnormal',
  '',
].join('\n');

describe('argv flags', () => {
  test('--flag=value, --flag value, one dash, last wins, a flag is not a value', () => {
    assert.equal(readArgvFlag(['--domain=a', '--domain', 'b'], 'domain'), 'b');
    assert.equal(readArgvFlag(['-name', 'x'], 'name'), 'x');
    assert.equal(readArgvFlag(['--machines', '--domain=a'], 'machines'), undefined);
    assert.equal(readArgvFlag(['--domainx=a'], 'domain'), undefined);
  });

  test('endpoint lists compare as sets of normalized URLs', () => {
    assert.equal(normalizeEndpoint('10.0.0.1:4012/'), 'http://10.0.0.1:4012');
    assert.ok(isSameEndpointSet(['http://a:1', 'http://b:2/'], ['b:2', 'HTTP://A:1']));
    assert.ok(!isSameEndpointSet(['http://a:1'], ['http://a:1', 'http://b:2']));
  });
});

describe('member files → facts', () => {
  test("DomeOS's start_etcd.sh layout: unit and sysconfig give service, binary, config file, data dir, token, name", () => {
    const files = buildMemberFiles({
      service: 'etcd',
      unit: { path: '/lib/systemd/system/etcd.service', text: DOMEOS_ETCD_UNIT },
      sysconfig: { path: '/etc/sysconfig/etcd', text: DOMEOS_ETCD },
      serviceState: 'active',
    });
    assert.deepEqual(files, {
      source: 'read',
      unitPath: '/lib/systemd/system/etcd.service',
      service: 'etcd',
      binary: '/usr/sbin/domeos/etcd/current/etcd',
      configFile: '/etc/sysconfig/etcd',
      dataDir: '/data/etcd',
      clusterToken: 'domeos-etcd-cluster',
      sysconfigName: 'domeosEtcd1',
      serviceState: 'active',
      notes: [],
    });
  });

  test("the files ferry writes (MEMBER_NAME) read the same way", () => {
    const sysconfig = renderEtcdSysconfig({
      name: 'new0', peerURL: 'http://10.0.0.21:4010', clientURL: 'http://10.0.0.21:4012', initialCluster: [{ name: 'new0', peerURL: 'http://10.0.0.21:4010' }],
      state: 'existing', token: 't1', dataDir: '/var/lib/etcd',
    });
    const unit = renderEtcdUnit({ binary: '/opt/etcd/bin/etcd', configFile: '/etc/etcd.env' });
    const files = buildMemberFiles({ service: 'etcd', unit: { path: '/etc/systemd/system/etcd.service', text: unit }, sysconfig: { path: '/etc/etcd.env', text: sysconfig } });
    assert.equal(files.binary, '/opt/etcd/bin/etcd');
    assert.equal(files.configFile, '/etc/etcd.env');
    assert.equal(files.sysconfigName, 'new0');
    assert.equal(files.clusterToken, 't1');
    assert.equal(files.dataDir, '/var/lib/etcd');
  });

  test('without a unit: the sysconfig alone; ETCD_* variables count when no flag is given', () => {
    const files = buildMemberFiles({ service: 'etcd', sysconfig: { path: '/etc/sysconfig/etcd', text: 'ETCD_DATA_DIR=/srv/etcd\nETCD_NAME=m1\n' } });
    assert.equal(files.source, 'read');
    assert.equal(files.dataDir, '/srv/etcd');
    assert.equal(files.sysconfigName, 'm1');
    assert.equal(files.service, undefined);
    assert.equal(files.binary, undefined);
  });

  test('a unit that runs a shell, or a relative data dir, is noted and left to the defaults', () => {
    const shell = '[Service]\nEnvironmentFile=/etc/sysconfig/etcd\nExecStart=/bin/sh -c "exec etcd $DATA_DIR"\n';
    const viaShell = buildMemberFiles({ service: 'etcd', unit: { path: '/etc/systemd/system/etcd.service', text: shell }, sysconfig: { path: '/etc/sysconfig/etcd', text: "DATA_DIR='-data-dir /d'\n" } });
    assert.equal(viaShell.binary, undefined);
    assert.deepEqual(viaShell.notes, ['etcd.service runs /bin/sh, not an etcd binary: binary left at the default']);
    const relative = buildMemberFiles({ service: 'etcd', sysconfig: { path: '/etc/sysconfig/etcd', text: "DATA_DIR='-data-dir data'\n" } });
    assert.equal(relative.dataDir, undefined);
    assert.deepEqual(relative.notes, ['the data dir data is not an absolute path: dataDir left at the default']);
  });

  test('nothing found: source missing', () => {
    assert.deepEqual(buildMemberFiles({ service: 'etcd' }), { source: 'missing', notes: [] });
  });

  test('a member is on its peer URL host; pickURL prefers the URL on that host', () => {
    assert.equal(computeMemberHost(['http://10.0.0.31:4010'], ['http://0.0.0.0:4012']), '10.0.0.31');
    assert.equal(computeMemberHost([], []), undefined);
    assert.equal(pickURL(['http://127.0.0.1:4012', 'http://10.0.0.31:4012'], '10.0.0.31'), 'http://10.0.0.31:4012');
    assert.equal(pickURL(['http://a:1'], 'b'), 'http://a:1');
  });
});

describe('master files → facts', () => {
  const sysconfig = renderApiserverSysconfig({
    etcdServers: ['http://10.17.33.31:4012', 'http://10.17.33.32:4012'],
    serviceClusterIpRange: '172.16.0.0/13',
    etcdPrefix: '/domeos',
    insecureBindAddress: '0.0.0.0',
    insecurePort: 8080,
  });

  test("kube-apiserver's flags come from its unit's ExecStart expanded with /etc/sysconfig/kube-apiserver", () => {
    const unit = parseUnitSummary(renderApiserverUnit(), 'kube-apiserver.service');
    assert.ok(unit.ok);
    const flags = buildApiserverFlags(buildCommandLine(unit.unit, sysconfig));
    assert.deepEqual(flags, {
      etcdServers: ['http://10.17.33.31:4012', 'http://10.17.33.32:4012'],
      etcdPrefix: '/domeos/registry',
      serviceClusterIpRange: '172.16.0.0/13',
      insecureBindAddress: '0.0.0.0',
      insecurePort: 8080,
    });
    // Without the unit, the variables in file order give the same flags.
    assert.deepEqual(buildApiserverFlags(buildCommandLine(undefined, sysconfig)), flags);
  });

  test('the apiserver URL: --apiserver, else the bind address and port (a wildcard means the master), else <master>:8080', () => {
    const flags = buildApiserverFlags(buildCommandLine(undefined, sysconfig));
    assert.deepEqual(computeApiserverURL(undefined, flags, '10.17.33.30'), { url: 'http://10.17.33.30:8080', source: 'sysconfig' });
    assert.deepEqual(computeApiserverURL(undefined, { insecureBindAddress: '10.1.1.1', insecurePort: 8888 }, '10.17.33.30'), { url: 'http://10.1.1.1:8888', source: 'sysconfig' });
    assert.deepEqual(computeApiserverURL(undefined, { insecureBindAddress: '127.0.0.1' }, '10.17.33.30'), { url: 'http://10.17.33.30:8080', source: 'sysconfig' });
    assert.deepEqual(computeApiserverURL(undefined, { insecurePort: 0, securePort: 6443 }, '10.17.33.30'), { url: 'https://10.17.33.30:6443', source: 'sysconfig' });
    assert.deepEqual(computeApiserverURL(undefined, undefined, '10.17.33.30'), { url: 'http://10.17.33.30:8080', source: 'default' });
    assert.deepEqual(computeApiserverURL('http://api:8080/', flags, '10.17.33.30'), { url: 'http://api:8080', source: 'option' });
  });

  test("flanneld's FLANNEL_ETCD (double quotes) is a list", () => {
    assert.deepEqual(parseFlannelEtcd('FLANNEL_ETCD="http://a:4012,http://b:4012"\nFLANNEL_IFACE="10.0.0.1"\n'), ['http://a:4012', 'http://b:4012']);
    assert.equal(parseFlannelEtcd('FLANNEL_IFACE="x"\n'), undefined);
  });

  test('a unit file that cannot be parsed is reported, not thrown', () => {
    const r = parseUnitSummary('[Service]\nthis is not a setting\n', 'x.service');
    assert.equal(r.ok, false);
  });
});

describe('DNS controllers', () => {
  const rc = (name: string, image: string, args: string[], replicas = 1): ReplicationController => ({
    metadata: { name },
    spec: { replicas, template: { spec: { containers: [{ name: 'c', image, args }] } } },
  });

  test('found by image (a renamed skydns-v10 too), kube2sky first; base names for dns.controllers; domain from skydns', () => {
    const controllers = findDnsControllers(
      [
        rc('skydns-v10', 'pub.domeos.org/domeos/skydns:1.5', ['--machines=http://a:4012', '--domain=domeos.local.']),
        rc('web', 'nginx', []),
        rc('kube2sky', 'pub.domeos.org/domeos/kube2sky:0.4', ['--etcd-server=http://a:4012', '--domain=other.local'], 2),
      ],
      [],
    );
    assert.deepEqual(controllers.map((c) => [c.name, c.base, c.role, c.replicas]), [
      ['kube2sky', 'kube2sky', 'kube2sky', 2],
      ['skydns-v10', 'skydns', 'skydns', 1],
    ]);
    assert.deepEqual(listControllerBases(controllers), ['kube2sky', 'skydns']);
    const facts = buildDnsFacts('default', { metadata: { name: 'skydns-svc' }, spec: { clusterIP: '172.16.40.1' } }, controllers);
    assert.deepEqual({ ...facts, controllers: facts.controllers.length }, { namespace: 'default', service: 'skydns-svc', clusterIP: '172.16.40.1', controllers: 2, domain: 'domeos.local' });
  });

  test('Deployments count; no service and no domain are left undefined', () => {
    const dep = { metadata: { name: 'skydns' }, spec: { template: { spec: { containers: [{ image: 'x/skydns:1.5', args: [] }] } } } };
    const controllers = findDnsControllers([], [dep]);
    assert.equal(controllers[0]?.kind, 'Deployment');
    assert.deepEqual(buildDnsFacts('kube-system', undefined, controllers).domain, undefined);
  });
});
