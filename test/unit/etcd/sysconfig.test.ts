import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEtcdSysconfig, renderEtcdSysconfig, renderEtcdUnit, type EtcdSysconfigParams } from '../../../src/etcd/sysconfig.ts';
import { isFerryError } from '../../../src/errors.ts';
import { buildServiceArgv, parseUnitFile } from '../../../src/sysconfig/systemd-unit.ts';
import { parseEnvironmentFile } from '../../../src/sysconfig/envfile.ts';

const params: EtcdSysconfigParams = {
  name: 'domeosEtcd3',
  peerURL: 'http://10.17.33.21:4010',
  clientURL: 'http://10.17.33.21:4012',
  initialCluster: [
    { name: 'domeosEtcd0', peerURL: 'http://10.17.33.31:4010' },
    { name: 'domeosEtcd3', peerURL: 'http://10.17.33.21:4010' },
  ],
  state: 'existing',
  token: 'domeos-etcd-cluster',
  dataDir: '/var/lib/etcd',
  opts: '-enable-v2',
};

describe('renderEtcdSysconfig', () => {
  test('renders the DomeOS single-quoted, single-dash format', () => {
    assert.equal(
      renderEtcdSysconfig(params),
      [
        '# configure file for etcd (written by ferry)',
        '# The member name is in MEMBER_NAME, not ETCD_NAME: etcd 3.4 refuses to start when ETCD_NAME is in its',
        '# environment and -name is also given, and systemd passes these variables to the process.',
        "MEMBER_NAME='-name domeosEtcd3'",
        "INITIAL_ADVERTISE_PEER_URLS='-initial-advertise-peer-urls http://10.17.33.21:4010'",
        "LISTEN_PEER_URLS='-listen-peer-urls http://10.17.33.21:4010'",
        "ADVERTISE_CLIENT_URLS='-advertise-client-urls http://10.17.33.21:4012'",
        "LISTEN_CLIENT_URLS='-listen-client-urls http://10.17.33.21:4012'",
        "INITIAL_CLUSTER_TOKEN='-initial-cluster-token domeos-etcd-cluster'",
        "INITIAL_CLUSTER='-initial-cluster domeosEtcd0=http://10.17.33.31:4010,domeosEtcd3=http://10.17.33.21:4010'",
        "INITIAL_CLUSTER_STATE='-initial-cluster-state existing'",
        "DATA_DIR='-data-dir /var/lib/etcd'",
        "ETCD_OPTS='-enable-v2'",
        '',
      ].join('\n'),
    );
    assert.match(renderEtcdSysconfig({ ...params, opts: undefined }), /^ETCD_OPTS=''$/m);
  });

  test('round trip through parseEtcdSysconfig', () => {
    const parsed = parseEtcdSysconfig(renderEtcdSysconfig(params));
    assert.equal(parsed.name, 'domeosEtcd3');
    assert.equal(parsed.initialAdvertisePeerURLs, params.peerURL);
    assert.equal(parsed.listenPeerURLs, params.peerURL);
    assert.equal(parsed.advertiseClientURLs, params.clientURL);
    assert.equal(parsed.listenClientURLs, params.clientURL);
    assert.equal(parsed.initialClusterToken, params.token);
    assert.deepEqual(parsed.initialCluster, params.initialCluster);
    assert.equal(parsed.initialClusterState, 'existing');
    assert.equal(parsed.dataDir, '/var/lib/etcd');
    assert.equal(parsed.opts, '-enable-v2');
  });

  test('parses a DomeOS start_etcd.sh file (ETCD_NAME, 0.0.0.0 listeners, --flag=value tolerated)', () => {
    const text = [
      "ETCD_NAME='-name domeosEtcd0'",
      "INITIAL_ADVERTISE_PEER_URLS='-initial-advertise-peer-urls http://10.17.33.31:4010'",
      "LISTEN_PEER_URLS='-listen-peer-urls http://0.0.0.0:4010'",
      "LISTEN_CLIENT_URLS='--listen-client-urls=http://0.0.0.0:4012'",
      "INITIAL_CLUSTER_STATE='-initial-cluster-state new'",
      "ETCD_OPTS=''",
    ].join('\n');
    const parsed = parseEtcdSysconfig(text);
    assert.equal(parsed.name, 'domeosEtcd0');
    assert.equal(parsed.listenPeerURLs, 'http://0.0.0.0:4010');
    assert.equal(parsed.listenClientURLs, 'http://0.0.0.0:4012');
    assert.equal(parsed.initialClusterState, 'new');
    assert.equal(parsed.dataDir, undefined);
    assert.equal(parsed.initialCluster, undefined);
  });

  test('refuses values that would break the quoting or split into words', () => {
    for (const bad of [{ name: "a'b" }, { name: 'a b' }, { dataDir: '' }, { opts: "x'y" }, { token: 'a\nb' }]) {
      assert.throws(() => renderEtcdSysconfig({ ...params, ...bad }), (e: unknown) => isFerryError(e) && e.code === 'ETCD_SYSCONFIG_INVALID_VALUE');
    }
  });
});

describe('renderEtcdUnit', () => {
  test('the unit plus the sysconfig expand to the exact etcd argv (as systemd would)', () => {
    const unitText = renderEtcdUnit({ binary: '/usr/sbin/domeos/etcd/current/etcd', configFile: '/etc/sysconfig/etcd' });
    const unit = parseUnitFile(unitText, 'etcd.service');
    assert.deepEqual(unit.service.environmentFiles, [{ path: '/etc/sysconfig/etcd', optional: false }]);
    assert.equal(unit.service.restart, 'on-failure');
    assert.equal(unit.service.restartSecMs, 1000);
    const argv = buildServiceArgv(unit.service, parseEnvironmentFile(renderEtcdSysconfig(params)));
    assert.deepEqual(argv, [
      '/usr/sbin/domeos/etcd/current/etcd',
      '-name', 'domeosEtcd3',
      '-initial-advertise-peer-urls', 'http://10.17.33.21:4010',
      '-listen-peer-urls', 'http://10.17.33.21:4010',
      '-advertise-client-urls', 'http://10.17.33.21:4012',
      '-listen-client-urls', 'http://10.17.33.21:4012',
      '-initial-cluster-token', 'domeos-etcd-cluster',
      '-initial-cluster', 'domeosEtcd0=http://10.17.33.31:4010,domeosEtcd3=http://10.17.33.21:4010',
      '-initial-cluster-state', 'existing',
      '-data-dir', '/var/lib/etcd',
      '-enable-v2',
    ]);
    const noOpts = buildServiceArgv(unit.service, parseEnvironmentFile(renderEtcdSysconfig({ ...params, opts: '' })));
    assert.equal(noOpts.at(-1), '/var/lib/etcd');
  });

  test('no variable the unit passes to etcd collides with etcd 3.4 ETCD_<FLAG> environment variables', () => {
    const vars = [...parseEnvironmentFile(renderEtcdSysconfig(params)).keys()];
    assert.ok(!vars.includes('ETCD_NAME'));
    assert.deepEqual(vars.filter((v) => v.startsWith('ETCD_')), ['ETCD_OPTS']); // not a flag: etcd only warns
  });
});

describe('buildListenURL', () => {
  test('follows a wildcard listener of the old member, on the new member port and scheme', async () => {
    const { buildListenURL } = await import('../../../src/etcd/sysconfig.ts');
    assert.equal(buildListenURL('http://10.17.33.21:4012', 'http://0.0.0.0:4012'), 'http://0.0.0.0:4012');
    assert.equal(buildListenURL('https://10.17.33.21:2379', 'http://0.0.0.0:4012,http://127.0.0.1:4012'), 'https://0.0.0.0:2379');
    assert.equal(buildListenURL('http://127.17.33.21:4012', 'http://127.17.33.31:4012'), 'http://127.17.33.21:4012');
    assert.equal(buildListenURL('http://127.17.33.21:4012', undefined), 'http://127.17.33.21:4012');
    assert.equal(buildListenURL('http://127.17.33.21:4012', 'not a url'), 'http://127.17.33.21:4012');
  });
});
