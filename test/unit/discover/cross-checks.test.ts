/** The cross-checks discover prints as warnings, and its option checks. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeCrossChecks } from '../../../src/discover/cross-checks.ts';
import { buildDiscoverInput, buildInventoryName } from '../../../src/discover/input.ts';
import { FerryError } from '../../../src/errors.ts';
import { discovery, member, memberFiles } from './fixtures.ts';

describe('cross-checks', () => {
  test('a healthy, consistent cluster gives none', () => {
    assert.deepEqual(computeCrossChecks(discovery()), []);
  });

  test("the apiserver's --etcd-servers, flanneld, the DNS pods and the DomeOS record are compared with the live members", () => {
    const base = discovery();
    const d = discovery({
      master: { ...base.master, apiserverFlags: { etcdServers: ['http://10.17.33.31:4012'] }, flannelEtcd: ['10.17.33.31:4012', '10.17.33.32:4012', '10.17.33.33:4012'] },
      dns: {
        ...(base.dns ?? { namespace: 'default', controllers: [] }),
        controllers: [
          { name: 'kube2sky', kind: 'ReplicationController', base: 'kube2sky', role: 'kube2sky', replicas: 1, args: ['--etcd-server=http://10.9.9.9:4012', '--kube_master_url=http://10.17.33.99:8080'] },
          { name: 'skydns-v10', kind: 'ReplicationController', base: 'skydns', role: 'skydns', replicas: 1, args: ['--machines=http://10.17.33.31:4012'] },
        ],
      },
      console: { url: 'http://10.17.33.10:8080', cluster: 'c', id: 1, api: '10.17.33.99:8080', etcd: 'http://10.17.33.31:4012,' },
    });
    const warnings = computeCrossChecks(d);
    assert.deepEqual(warnings, [
      "kube-apiserver's --etcd-servers on the master 10.17.33.30 (http://10.17.33.31:4012) differs from the live etcd members (http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012)",
      'RC default/kube2sky --etcd-server=http://10.9.9.9:4012 is not one of the live etcd members',
      'RC default/kube2sky --kube_master_url=http://10.17.33.99:8080 is not the apiserver http://10.17.33.30:8080',
      'RC default/skydns-v10 --machines (http://10.17.33.31:4012) differs from the live etcd members (http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012)',
      'the DomeOS record of cluster c has api 10.17.33.99:8080, not the apiserver http://10.17.33.30:8080',
      'the DomeOS record of cluster c (etcd) (http://10.17.33.31:4012) differs from the live etcd members (http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012)',
    ]);
  });

  test('members and hosts that did not answer, learners, unstarted members, odd files, no leader', () => {
    const d = discovery({
      etcd: {
        endpoints: ['http://10.17.33.31:4012'],
        members: [
          member(0, { isLeader: false, statusError: 'connect ECONNREFUSED' }),
          member(1, { files: { source: 'unreachable', reason: 'HOST_CONNECT_TIMEOUT', notes: [] } }),
          member(2, { files: memberFiles({ sysconfigName: 'other', clusterToken: 'x', notes: ['the data dir d is not an absolute path: dataDir left at the default'] }) }),
          { ...member(3), name: '', isLearner: true, clientURLs: [], isLeader: false },
        ],
      },
    });
    assert.deepEqual(computeCrossChecks(d), [
      'the etcd members do not agree on a leader (an election may be under way): run discover again in a moment',
      'member domeosEtcd0 did not answer on http://10.17.33.31:4012: connect ECONNREFUSED',
      "could not read member domeosEtcd1's files on 10.17.33.32 (HOST_CONNECT_TIMEOUT): its dataDir, service, binary and configFile are etcd.defaults, check them",
      'member domeosEtcd2 on 10.17.33.33: the data dir d is not an absolute path: dataDir left at the default',
      'member domeosEtcd2: /etc/sysconfig/etcd on 10.17.33.33 names the member other; is another etcd running there?',
      'the unstarted member http://10.17.33.34:4010 was added but never started: left out of etcd.old; a migration may be half done (ferry status)',
      'the unstarted member http://10.17.33.34:4010 is a learner: a migration may be in progress (ferry status); finish or roll it back before planning a new one',
      "the members' sysconfig files name different cluster tokens (domeos-etcd-cluster, x): etcd.clusterToken is the first member's",
    ]);
  });

  test('master units, files, versions; nodes not Ready; no DNS', () => {
    const base = discovery();
    const d = discovery({
      master: {
        ...base.master,
        units: [{ name: 'kube-apiserver', unitPath: '/lib/systemd/system/kube-apiserver.service', state: 'active' }, { name: 'kube-scheduler', unitPath: '/x', state: 'failed' }, { name: 'flanneld', state: 'unknown' }],
        files: [{ path: '/etc/sysconfig/flanneld', present: false }],
        masterFlags: { 'kube-proxy': 'http://127.0.0.1:8080' },
        kubeVersion: 'v1.4.7',
      },
      apiserver: { url: 'http://10.17.33.30:8080', source: 'sysconfig', version: 'v1.5.5' },
      nodes: [{ name: 'a', ready: 'False', internalIP: '1.1.1.1' }, { name: 'b', ready: 'Unknown', internalIP: '1.1.1.2' }, { name: 'c', ready: 'True', internalIP: '1.1.1.3' }],
      dns: undefined,
    });
    assert.deepEqual(computeCrossChecks(d), [
      '/etc/sysconfig/flanneld is missing on the master 10.17.33.30',
      'kube-scheduler is failed on the master 10.17.33.30',
      'unit flanneld not found on the master 10.17.33.30',
      'kube-proxy on the master 10.17.33.30 talks to --master=http://127.0.0.1:8080, not to the apiserver http://10.17.33.30:8080',
      'the apiserver runs v1.5.5 but the installed kube-apiserver is v1.4.7 on the master 10.17.33.30: restarted since an upgrade?',
      '2 node(s) not Ready: a (NotReady), b (Unknown)',
      'no DNS add-on (kube2sky / skydns) found in the namespaces default and kube-system: the dns section is left out',
    ]);
  });
});

describe('options', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof FerryError);
      assert.equal(err.exitCode, 2);
      return err.code;
    }
    return 'no error';
  };

  test('every bad option is an input error with its own code', () => {
    const ok = { etcd: 'http://10.0.0.1:4012', master: '10.0.0.30', sshKey: '~/.ssh/id' };
    assert.equal(code(() => buildDiscoverInput({ master: '10.0.0.30', lab: true })), 'DISCOVER_ETCD_REQUIRED');
    assert.equal(code(() => buildDiscoverInput({ ...ok, etcd: '10.0.0.1:4012' })), 'DISCOVER_ETCD_URL_INVALID');
    assert.equal(code(() => buildDiscoverInput({ etcd: ok.etcd, lab: true })), 'DISCOVER_MASTER_REQUIRED');
    assert.equal(code(() => buildDiscoverInput({ ...ok, master: 'http://10.0.0.30:8080' })), 'DISCOVER_MASTER_INVALID');
    assert.equal(code(() => buildDiscoverInput({ ...ok, apiserver: '10.0.0.30:8080' })), 'DISCOVER_APISERVER_URL_INVALID');
    assert.equal(code(() => buildDiscoverInput({ ...ok, lab: true })), 'DISCOVER_ACCESS_CONFLICT');
    assert.equal(code(() => buildDiscoverInput({ etcd: ok.etcd, master: ok.master, labDir: '/x' })), 'DISCOVER_ACCESS_CONFLICT');
    assert.equal(code(() => buildDiscoverInput({ etcd: ok.etcd, master: ok.master })), 'DISCOVER_SSH_KEY_REQUIRED');
    assert.equal(code(() => buildDiscoverInput({ ...ok, sshPort: '99999' })), 'DISCOVER_SSH_PORT_INVALID');
    assert.equal(code(() => buildDiscoverInput({ ...ok, sshUser: 'a b' })), 'DISCOVER_SSH_USER_INVALID');
    assert.equal(code(() => buildDiscoverInput({ ...ok, console: 'http://10.0.0.10:8080' })), 'DISCOVER_CONSOLE_INCOMPLETE');
    assert.equal(code(() => buildDiscoverInput({ ...ok, consoleCluster: 'c' })), 'DISCOVER_CONSOLE_INCOMPLETE');
    assert.equal(code(() => buildDiscoverInput({ ...ok, console: 'console:8080', consoleCluster: 'c' })), 'DISCOVER_CONSOLE_URL_INVALID');
    assert.equal(code(() => buildDiscoverInput({ ...ok, name: 'Bad Name' })), 'DISCOVER_NAME_INVALID');
    assert.equal(code(() => buildDiscoverInput({ ...ok, output: 'text' })), 'CLI_USAGE');
  });

  test('good options: ssh defaults, several etcd URLs, the console', () => {
    const input = buildDiscoverInput({
      etcd: 'http://10.0.0.1:4012/, http://10.0.0.2:4012',
      master: '10.0.0.30',
      sshKey: '~/.ssh/id',
      console: 'http://10.0.0.10:8080',
      consoleCluster: 'prod',
      consoleCredentials: '~/c.yaml',
    });
    assert.deepEqual(input, {
      etcd: ['http://10.0.0.1:4012', 'http://10.0.0.2:4012'],
      master: '10.0.0.30',
      access: { mode: 'ssh', user: 'root', port: 22, keyFile: '~/.ssh/id', knownHosts: '~/.ssh/known_hosts', sudo: false },
      console: { url: 'http://10.0.0.10:8080', cluster: 'prod', credentialsFile: '~/c.yaml' },
      format: 'yaml',
      force: false,
    });
  });

  test('the name: --name, else the console cluster made a valid name, else "discovered"', () => {
    assert.equal(buildInventoryName({ name: 'x' }, 'Prod Cluster'), 'x');
    assert.equal(buildInventoryName({}, 'Prod Cluster_1'), 'prod-cluster-1');
    assert.equal(buildInventoryName({}, '集群'), 'discovered');
    assert.equal(buildInventoryName({}, undefined), 'discovered');
  });
});
