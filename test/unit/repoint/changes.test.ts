import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, FerryError } from '../../../src/errors.ts';
import { buildNodeChanges, normalizeEtcdList, normalizeMasterURL, NODE_FILES } from '../../../src/repoint/repoint-node.ts';
import { FLANNELD, KUBE_PROXY, KUBELET, KUBELET_CONFIG, KUBELET_HTTPS } from '../../helpers/domeos-node-files.ts';

const inputErr = (c: string) => (err: unknown) => err instanceof FerryError && err.code === c && err.exitCode === ExitCode.badInput;
const NEW_ETCD = ['http://10.17.33.21:4012', 'http://10.17.33.22:4012', 'http://10.17.33.23:4012'];
const files = { [NODE_FILES.kubelet]: KUBELET, [NODE_FILES.kubeProxy]: KUBE_PROXY, [NODE_FILES.flanneld]: FLANNELD };

describe('normalizeEtcdList', () => {
  test('adds http:// where the scheme is missing, keeps https, dedupes, splits commas', () => {
    assert.deepEqual(normalizeEtcdList(['10.17.33.21:4012,https://10.17.33.22:4012', ' 10.17.33.21:4012 ', 'http://10.17.33.23:4012/']), [
      'http://10.17.33.21:4012',
      'https://10.17.33.22:4012',
      'http://10.17.33.23:4012',
    ]);
  });

  test('reports every bad entry at once; empty is an error', () => {
    assert.throws(() => normalizeEtcdList(['10.0.0.1', 'ftp://x:1', 'http://ok:1', 'http://h:99999']), (err: unknown) => {
      assert.ok(inputErr('NODE_BAD_ETCD')(err));
      assert.match((err as Error).message, /"10\.0\.0\.1".*"ftp:\/\/x:1".*"http:\/\/h:99999"/);
      return true;
    });
    assert.throws(() => normalizeEtcdList([]), inputErr('NODE_BAD_ETCD'));
    assert.throws(() => normalizeEtcdList(['a:1,,b:2']), inputErr('NODE_BAD_ETCD'));
  });
});

describe('normalizeMasterURL', () => {
  test('http(s)://ip:port only', () => {
    assert.equal(normalizeMasterURL('HTTP://10.17.33.20:8080/'), 'http://10.17.33.20:8080');
    assert.equal(normalizeMasterURL('https://10.17.33.20:6443'), 'https://10.17.33.20:6443');
    for (const bad of ['10.17.33.20:8080', 'http://10.17.33.20', 'http://10.17.33.20:8080/api', 'http://u:p@h:1', 'tcp://h:1']) {
      assert.throws(() => normalizeMasterURL(bad), inputErr('NODE_BAD_MASTER'), bad);
    }
  });
});

describe('buildNodeChanges', () => {
  test('master + etcd: the three files, only the values changed, units in order', () => {
    const plan = buildNodeChanges(files, { master: 'http://10.17.33.20:8080', etcd: ['10.17.33.21:4012', '10.17.33.22:4012', '10.17.33.23:4012'] });
    assert.deepEqual(
      plan.files.map((f) => [f.path, f.after]),
      [
        [NODE_FILES.kubelet, KUBELET.replace('http://10.17.33.30:8080', 'http://10.17.33.20:8080')],
        [NODE_FILES.kubeProxy, KUBE_PROXY.replace('http://10.17.33.30:8080', 'http://10.17.33.20:8080')],
        [NODE_FILES.flanneld, FLANNELD.replace(/^FLANNEL_ETCD=".*"$/m, `FLANNEL_ETCD="${NEW_ETCD.join(',')}"`)],
      ],
    );
    assert.deepEqual(plan.units, ['flanneld', 'kubelet', 'kube-proxy']);
    assert.deepEqual(plan.changes.map((c) => `${c.key}: ${c.before} → ${c.after}`), [
      'API_SERVERS: --api-servers=http://10.17.33.30:8080 → --api-servers=http://10.17.33.20:8080',
      'KUBE_MASTER: --master=http://10.17.33.30:8080 → --master=http://10.17.33.20:8080',
      `FLANNEL_ETCD: http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012 → ${NEW_ETCD.join(',')}`,
    ]);
    assert.equal(plan.nodeName, 'l-33-39');
    assert.equal(plan.readyMasterURL, 'http://10.17.33.20:8080');
    assert.deepEqual(plan.warnings, []);
  });

  test('master only / etcd only touch only their files; etcd only checks Ready on the current master', () => {
    const m = buildNodeChanges(files, { master: 'http://10.17.33.20:8080' });
    assert.deepEqual([m.files.map((f) => f.path), m.units], [[NODE_FILES.kubelet, NODE_FILES.kubeProxy], ['kubelet', 'kube-proxy']]);
    const e = buildNodeChanges(files, { etcd: NEW_ETCD });
    assert.deepEqual([e.files.map((f) => f.path), e.units, e.readyMasterURL], [[NODE_FILES.flanneld], ['flanneld'], 'http://10.17.33.30:8080']);
  });

  test('already up to date: no files, no units', () => {
    const done = { [NODE_FILES.kubelet]: KUBELET, [NODE_FILES.kubeProxy]: KUBE_PROXY, [NODE_FILES.flanneld]: FLANNELD };
    const plan = buildNodeChanges(done, { master: 'http://10.17.33.30:8080', etcd: ['10.17.33.31:4012', '10.17.33.32:4012', '10.17.33.33:4012'] });
    assert.deepEqual([plan.files, plan.units, plan.changes], [[], [], []]);
  });

  test('https master: kubelet.config server rewritten too', () => {
    const https = { ...files, [NODE_FILES.kubelet]: KUBELET_HTTPS, [NODE_FILES.kubeletConfig]: KUBELET_CONFIG };
    const plan = buildNodeChanges(https, { master: 'https://10.17.33.20:6443' });
    const config = plan.files.find((f) => f.path === NODE_FILES.kubeletConfig);
    assert.equal(config?.after, KUBELET_CONFIG.replace('https://10.17.33.30:6443', 'https://10.17.33.20:6443'));
    assert.deepEqual(plan.units, ['kubelet', 'kube-proxy']);
    assert.throws(() => buildNodeChanges(files, { master: 'https://10.17.33.20:6443' }), inputErr('NODE_KUBECONFIG_MISSING'));
  });

  test('the flag is also rewritten where it hides in KUBELET_OPTS; a missing key is appended', () => {
    const kubelet = "KUBELET_OPTS='--max-pods=70 --api-servers=http://10.17.33.30:8080'\nHOSTNAME_OVERRIDE='--hostname-override=Node-1'\n";
    const plan = buildNodeChanges({ ...files, [NODE_FILES.kubelet]: kubelet }, { master: 'http://10.17.33.20:8080' });
    assert.equal(
      plan.files[0]?.after,
      "KUBELET_OPTS='--max-pods=70 --api-servers=http://10.17.33.20:8080'\nHOSTNAME_OVERRIDE='--hostname-override=Node-1'\nAPI_SERVERS='--api-servers=http://10.17.33.20:8080'\n",
    );
    assert.equal(plan.nodeName, 'node-1');
  });

  test('warns when systemd would read a rewritten line differently from bash', () => {
    const kubeProxy = "KUBE_MASTER='--master=http://10.17.33.30:8080' # old master\n";
    const plan = buildNodeChanges({ ...files, [NODE_FILES.kubeProxy]: kubeProxy }, { master: 'http://10.17.33.20:8080' });
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0] ?? '', /systemd reads KUBE_MASTER/);
  });

  test('bad input is refused before anything: nothing to do, bad master, missing files, unknown master', () => {
    assert.throws(() => buildNodeChanges(files, {}), inputErr('NODE_NOTHING_TO_DO'));
    assert.throws(() => buildNodeChanges(files, { master: '10.17.33.20:8080' }), inputErr('NODE_BAD_MASTER'));
    assert.throws(() => buildNodeChanges({ [NODE_FILES.kubelet]: KUBELET }, { etcd: NEW_ETCD }), inputErr('NODE_FILE_MISSING'));
    assert.throws(() => buildNodeChanges({}, { master: 'http://10.17.33.20:8080' }), inputErr('NODE_FILE_MISSING'));
    assert.throws(() => buildNodeChanges({ ...files, [NODE_FILES.kubelet]: "KUBELET_OPTS=''\n" }, { etcd: NEW_ETCD }), inputErr('NODE_MASTER_UNKNOWN'));
    assert.throws(
      () => buildNodeChanges({ ...files, [NODE_FILES.kubeProxy]: 'KUBE_MASTER="--master=$M"\n' }, { master: 'http://10.17.33.20:8080' }),
      (err: unknown) => inputErr('SYSCONFIG_UNSUPPORTED_SYNTAX')(err) && (err as FerryError).subjects['file'] === NODE_FILES.kubeProxy,
    );
  });
});

describe('normalizeMasterURL writes the host as the operator gave it', () => {
  test('no rewriting by the URL parser (an address with a leading zero, a short IPv4 form)', () => {
    assert.equal(normalizeMasterURL('http://010.17.33.20:8080'), 'http://010.17.33.20:8080');
    assert.equal(normalizeMasterURL('http://10.1:8080'), 'http://10.1:8080');
    assert.equal(normalizeMasterURL('http://[0:0::1]:8080'), 'http://[0:0::1]:8080');
  });
});
