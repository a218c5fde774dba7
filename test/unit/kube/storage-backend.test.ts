import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStorageBackendNote, resolveStorageBackend } from '../../../src/kube/storage-backend.ts';
import { renderStoresNote } from '../../../src/etcd/stores.ts';

const FILE = '/etc/sysconfig/kube-apiserver';

test('the flag, wherever it stands in the sysconfig, wins; its last occurrence counts', () => {
  assert.deepEqual(resolveStorageBackend(["--etcd-servers=http://a:4012", ' --etcd-prefix=/x --storage-backend=etcd3'], FILE, 'v1.4.7'), { backend: 'etcd3', source: `--storage-backend=etcd3 in ${FILE}` });
  assert.equal(resolveStorageBackend(['--storage-backend=etcd3 --storage-backend=etcd2'], FILE, 'v1.6.0')?.backend, 'etcd2');
});

test('without the flag: etcd2 before Kubernetes 1.6 (DomeOS’s 1.4.7 to 1.5.5), etcd3 from 1.6', () => {
  assert.equal(resolveStorageBackend([], FILE, 'v1.4.7')?.backend, 'etcd2');
  assert.equal(resolveStorageBackend([], FILE, 'v1.5.5')?.backend, 'etcd2');
  assert.equal(resolveStorageBackend([], FILE, 'v1.6.0')?.backend, 'etcd3');
  assert.match(resolveStorageBackend([], FILE, 'v1.4.7')?.source ?? '', /default of Kubernetes v1\.4\.7/);
  assert.equal(resolveStorageBackend([], FILE, 'unknown'), undefined);
  assert.match(renderStorageBackendNote({ backend: 'etcd2', source: 'x' }), /v2 store .* v2 dump/);
});

test('the stores note names both stores’ contents, or why one could not be read', () => {
  assert.equal(
    renderStoresNote({ v3: { keys: 49, revision: '50' }, v2: { served: true, keys: 1, dirs: 2, index: '8' } }).split('. ')[0],
    'etcd stores: v3 holds 49 keys (revision 50); v2 holds 1 key in 2 dirs (index 8)',
  );
  assert.match(renderStoresNote({ v3: { error: 'boom' }, v2: { served: false } }), /v3: could not be counted \(boom\); the v2 API is not served/);
});
