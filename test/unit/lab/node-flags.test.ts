import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagStyle, parseFlags, splitCommaList } from '../../../src/lab/k8s/common/flags.ts';
import { parseGoDurationMs } from '../../../src/lab/k8s/common/go-duration.ts';
import { parseKubeletFlags } from '../../../src/lab/k8s/kubelet/flags.ts';
import { parseKubeProxyFlags } from '../../../src/lab/k8s/kube-proxy/flags.ts';
import { envNameOf, parseFlanneldFlags } from '../../../src/lab/k8s/flanneld/flags.ts';
import { buildApiserverTarget, normalizeServerURL } from '../../../src/lab/node-runtime/apiserver-target.ts';
import { parseKubeconfig } from '../../../src/lab/node-runtime/kubeconfig.ts';

describe('parseFlags', () => {
  const spec = { name: 'string', on: 'bool', 'api-servers': 'string' } as const;

  test('pflag: --k=v, --k v, bools, underscores, interspersed positionals, -- ends flags', () => {
    const r = parseFlags(['--name=a', 'pos', '--on', '--api_servers', 'http://x', '--', '--name=z'], spec, FlagStyle.pflag);
    assert.ok(r.ok);
    assert.deepEqual(Object.fromEntries(r.values), { name: 'a', on: 'true', 'api-servers': 'http://x' });
    assert.deepEqual(r.positional, ['pos', '--name=z']);
    const f = parseFlags(['--on=false', '--name=b', '--name=c'], spec, FlagStyle.pflag);
    assert.ok(f.ok);
    assert.equal(f.values.get('on'), 'false');
    assert.equal(f.values.get('name'), 'c', 'the last one wins');
  });

  test('pflag refuses unknown flags, single-dash words and missing values as the real kubelet does', () => {
    assert.deepEqual(parseFlags(['--bogus=1'], spec, FlagStyle.pflag), { ok: false, message: 'unknown flag: --bogus' });
    assert.equal(parseFlags(['-name=a'], spec, FlagStyle.pflag).ok, false);
    assert.deepEqual(parseFlags(['--name'], spec, FlagStyle.pflag), { ok: false, message: 'flag needs an argument: --name' });
    assert.equal(parseFlags(['--on=maybe'], spec, FlagStyle.pflag).ok, false);
  });

  test('go: -k=v, --k=v, -k v, bool -k; the first non-flag ends the flags; no underscore normalisation', () => {
    const r = parseFlags(['-name=a', '--on', '-api-servers', 'x', 'rest', '-name=b'], spec, FlagStyle.go);
    assert.ok(r.ok);
    assert.deepEqual(Object.fromEntries(r.values), { name: 'a', on: 'true', 'api-servers': 'x' });
    assert.deepEqual(r.positional, ['rest', '-name=b']);
    assert.deepEqual(parseFlags(['-api_servers=x'], spec, FlagStyle.go), { ok: false, message: 'flag provided but not defined: -api_servers' });
  });

  test('Go durations and comma lists', () => {
    assert.equal(parseGoDurationMs('10s'), 10_000);
    assert.equal(parseGoDurationMs('1m30s'), 90_000);
    assert.equal(parseGoDurationMs('500ms'), 500);
    assert.equal(parseGoDurationMs('1.5h'), 5_400_000);
    assert.equal(parseGoDurationMs('0'), 0);
    assert.equal(parseGoDurationMs('10'), undefined);
    assert.equal(parseGoDurationMs('10x'), undefined);
    assert.deepEqual(splitCommaList(' a, b,,c '), ['a', 'b', 'c']);
  });
});

describe('kubelet flags', () => {
  test('the flags DomeOS kubelet.service passes, defaults for the rest', () => {
    const r = parseKubeletFlags([
      '--api-servers=http://127.17.33.30:8080,http://127.17.33.20:8080',
      '--cluster-dns=127.16.40.1',
      '--cluster-domain=domeos.local',
      '--root-dir=/var/lib/kubelet',
      '--hostname-override=l-33-39',
      '--max-pods=70',
      '--pod-infra-container-image=pub.domeos.org/kubernetes/pause:latest',
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      apiServers: ['http://127.17.33.30:8080', 'http://127.17.33.20:8080'],
      hostnameOverride: 'l-33-39',
      clusterDns: '127.16.40.1',
      clusterDomain: 'domeos.local',
      rootDir: '/var/lib/kubelet',
      maxPods: 70,
      nodeStatusUpdateFrequencyMs: 10_000,
      version: false,
      help: false,
    });
    const d = parseKubeletFlags([]);
    assert.ok(d.ok);
    assert.equal(d.config.maxPods, 110);
    assert.equal(d.config.rootDir, '/var/lib/kubelet');
    assert.deepEqual(d.config.apiServers, []);
  });

  test('--node-status-update-frequency, --kubeconfig, --version, ignored real flags, bad values', () => {
    const r = parseKubeletFlags(['--node-status-update-frequency=2s', '--kubeconfig=/etc/sysconfig/kubelet.config', '--allow-privileged', '--v=2', '--version']);
    assert.ok(r.ok);
    assert.equal(r.config.nodeStatusUpdateFrequencyMs, 2_000);
    assert.equal(r.config.kubeconfig, '/etc/sysconfig/kubelet.config');
    assert.equal(r.config.version, true);
    assert.equal(parseKubeletFlags(['--max-pods=lots']).ok, false);
    assert.equal(parseKubeletFlags(['--node-status-update-frequency=10']).ok, false);
    assert.deepEqual(parseKubeletFlags(['--api-server=http://x']), { ok: false, message: 'unknown flag: --api-server' });
  });
});

describe('kube-proxy flags', () => {
  test('--master and DomeOS KUBE_PROXY_OPTS', () => {
    const r = parseKubeProxyFlags(['--master=http://127.17.33.30:8080', '--masquerade-all=true', '--proxy-mode=iptables']);
    assert.ok(r.ok);
    assert.deepEqual(r.config, { master: 'http://127.17.33.30:8080', proxyMode: 'iptables', masqueradeAll: true, version: false, help: false });
    assert.equal(parseKubeProxyFlags(['--proxy-mode=ipvs']).ok, false, '1.4 has no ipvs mode');
    assert.equal(parseKubeProxyFlags(['--kubeconfig=/k', '--cluster-cidr=x']).ok, true);
  });
});

describe('flanneld flags', () => {
  test('the flags of DomeOS flanneld.service, in Go flag syntax', () => {
    const r = parseFlanneldFlags(['-etcd-endpoints=http://127.17.33.31:4012,http://127.17.33.32:4012/', '-etcd-prefix=/flannel/network', '-iface=127.17.33.39']);
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      etcdEndpoints: ['http://127.17.33.31:4012', 'http://127.17.33.32:4012'],
      etcdPrefix: '/flannel/network',
      iface: '127.17.33.39',
      publicIP: '',
      subnetFile: '/run/flannel/subnet.env',
      ipMasq: false,
      version: false,
      help: false,
    });
  });

  test('defaults, FLANNELD_* environment fallbacks, --version, unknown flags', () => {
    const d = parseFlanneldFlags([]);
    assert.ok(d.ok);
    assert.deepEqual(d.config.etcdEndpoints, ['http://127.0.0.1:4001', 'http://127.0.0.1:2379']);
    assert.equal(d.config.etcdPrefix, '/coreos.com/network');
    assert.equal(envNameOf('etcd-endpoints'), 'FLANNELD_ETCD_ENDPOINTS');
    const e = parseFlanneldFlags(['-iface=eth0'], { FLANNELD_ETCD_PREFIX: '/x/', FLANNELD_IFACE: 'eth1' });
    assert.ok(e.ok);
    assert.equal(e.config.etcdPrefix, '/x');
    assert.equal(e.config.iface, 'eth0', 'the command line wins over the environment');
    const v = parseFlanneldFlags(['--version']);
    assert.ok(v.ok && v.config.version);
    assert.deepEqual(parseFlanneldFlags(['-etcd-servers=x']), { ok: false, message: 'flag provided but not defined: -etcd-servers' });
  });
});

describe('apiserver target', () => {
  test('the flag wins over the kubeconfig server; credentials and TLS come from the kubeconfig', () => {
    const kc = parseKubeconfig(`apiVersion: v1
kind: Config
current-context: federal-context
contexts:
- context: { cluster: horse-cluster, user: green-user }
  name: federal-context
users:
- name: green-user
  user: { username: admin, password: admin }
clusters:
- cluster:
    api-version: v1
    insecure-skip-tls-verify: true
    server: https://127.17.33.30:443/
  name: horse-cluster
`);
    assert.deepEqual(kc, { server: 'https://127.17.33.30:443', insecureSkipTlsVerify: true, auth: { username: 'admin', password: 'admin' } });
    assert.deepEqual(buildApiserverTarget(undefined, kc), { base: 'https://127.17.33.30:443', auth: { username: 'admin', password: 'admin' }, insecureSkipTlsVerify: true });
    assert.equal(buildApiserverTarget('http://127.17.33.20:8080/', kc)?.base, 'http://127.17.33.20:8080');
    assert.equal(buildApiserverTarget(undefined, undefined), undefined);
    assert.equal(normalizeServerURL('127.0.0.1:8080'), 'http://127.0.0.1:8080');
  });
});
