import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../src/errors.ts';
import { readFlagInValue, readKubeconfigServers, rewriteFlagInValue, rewriteKubeconfigServer } from '../../../src/sysconfig/rewrite.ts';
import { KUBELET_CONFIG } from '../../helpers/domeos-node-files.ts';

const code = (c: string) => (err: unknown) => err instanceof FerryError && err.code === c;

describe('rewriteFlagInValue / readFlagInValue', () => {
  test('the DomeOS one-flag values', () => {
    assert.deepEqual(rewriteFlagInValue('--api-servers=http://10.17.33.30:8080', '--api-servers', 'http://10.17.33.20:8080'), {
      value: '--api-servers=http://10.17.33.20:8080',
      changed: true,
      occurrences: 1,
    });
    assert.equal(readFlagInValue('--hostname-override=l-33-39', '--hostname-override'), 'l-33-39');
  });

  test('other flags and their spacing are kept', () => {
    const v = '--max-pods=70  --api-servers=http://a:1\t--kubeconfig=/etc/sysconfig/kubelet.config';
    assert.equal(rewriteFlagInValue(v, '--api-servers', 'http://b:2').value, '--max-pods=70  --api-servers=http://b:2\t--kubeconfig=/etc/sysconfig/kubelet.config');
    assert.equal(readFlagInValue(v, '--kubeconfig'), '/etc/sysconfig/kubelet.config');
    assert.equal(readFlagInValue(v, '--max'), undefined);
  });

  test('`--flag arg`, a single dash, and every occurrence', () => {
    assert.equal(rewriteFlagInValue('-master http://a:1 --x=1', 'master', 'http://b:2').value, '-master http://b:2 --x=1');
    const r = rewriteFlagInValue('--master=http://a:1 --master=http://c:3', '--master', 'http://b:2');
    assert.deepEqual(r, { value: '--master=http://b:2 --master=http://b:2', changed: true, occurrences: 2 });
    assert.equal(readFlagInValue('--master=a --master=b', '--master'), 'b');
  });

  test('missing flag: appended; same argument: unchanged', () => {
    assert.deepEqual(rewriteFlagInValue('', '--api-servers', 'http://b:2'), { value: '--api-servers=http://b:2', changed: true, occurrences: 0 });
    assert.equal(rewriteFlagInValue('--max-pods=70', '--api-servers', 'http://b:2').value, '--max-pods=70 --api-servers=http://b:2');
    assert.equal(rewriteFlagInValue('--master=http://b:2', '--master', 'http://b:2').changed, false);
  });

  test('an argument that would split into words is refused', () => {
    assert.throws(() => rewriteFlagInValue('--master=a', '--master', 'a b'), code('SYSCONFIG_VALUE_INVALID'));
    assert.throws(() => rewriteFlagInValue('--master=a', '--master', ''), code('SYSCONFIG_VALUE_INVALID'));
  });
});

describe('rewriteKubeconfigServer', () => {
  test('the DomeOS kubelet.config: only the server value changes', () => {
    const r = rewriteKubeconfigServer(KUBELET_CONFIG, 'https://10.17.33.20:6443');
    assert.equal(r.text, KUBELET_CONFIG.replace('server: https://10.17.33.30:6443', 'server: https://10.17.33.20:6443'));
    assert.deepEqual([r.changed, r.occurrences], [true, 1]);
    assert.deepEqual(readKubeconfigServers(r.text), ['https://10.17.33.20:6443']);
  });

  test('quotes, comments, list items, CRLF and several clusters', () => {
    const text = "clusters:\r\n- cluster:\r\n    server: 'https://a:1'  # old\r\n- cluster: {}\r\n  x:\r\n    - server: \"https://b:2\"\n    server:   https://c:3 # c\n";
    const r = rewriteKubeconfigServer(text, 'https://n:9');
    assert.equal(r.text, "clusters:\r\n- cluster:\r\n    server: 'https://n:9'  # old\r\n- cluster: {}\r\n  x:\r\n    - server: \"https://n:9\"\n    server:   https://n:9 # c\n");
    assert.equal(r.occurrences, 3);
  });

  test('already pointing there: unchanged; no server line: 0 occurrences', () => {
    assert.equal(rewriteKubeconfigServer('    server: https://a:1\n', 'https://a:1').changed, false);
    const r = rewriteKubeconfigServer('kind: Config\nserverless: x\nserver:x\n', 'https://a:1');
    assert.deepEqual([r.changed, r.occurrences, r.text], [false, 0, 'kind: Config\nserverless: x\nserver:x\n']);
  });

  test('an empty server gets a space after the colon', () => {
    assert.equal(rewriteKubeconfigServer('  server:\n', 'https://a:1').text, '  server: https://a:1\n');
  });
});
