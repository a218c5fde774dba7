import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateInventory } from '../../../src/inventory/validate.ts';
import { DEFAULTS } from '../../../src/inventory/schema.ts';
import { found, labSample, problemsOf, sample } from './sample.ts';

const home = { homeDir: '/home/op' };

describe('validateInventory: defaults', () => {
  test('a minimal inventory validates and gets every default', () => {
    const { inventory, problems } = validateInventory(sample(), home);
    assert.deepEqual(problems, []);
    assert.ok(inventory);
    assert.deepEqual(inventory.access, {
      mode: 'ssh',
      user: 'root',
      port: 22,
      keyFile: '/home/op/.ssh/id_ed25519',
      knownHosts: '/home/op/.ssh/known_hosts',
      sudo: false,
    });
    assert.deepEqual(inventory.hosts, {});
    assert.deepEqual(inventory.etcd.old[0], {
      name: 'domeosEtcd0',
      host: '10.17.33.31',
      clientURL: 'http://10.17.33.31:4012',
      peerURL: 'http://10.17.33.31:4010',
      dataDir: '/var/lib/etcd',
      service: 'etcd',
      binary: '/usr/sbin/domeos/etcd/current/etcd',
      configFile: '/etc/sysconfig/etcd',
    });
    assert.equal(inventory.etcd.clusterToken, 'domeos-etcd-cluster');
    assert.equal(inventory.etcd.tls, undefined);
    assert.deepEqual(inventory.dns, { namespace: 'default', service: 'skydns-svc', controllers: ['kube2sky', 'skydns'], domain: 'domeos.local' });
    assert.equal(inventory.domeos, undefined);
    assert.equal(inventory.nodes?.length, 2);
  });

  test('member fields override etcd.defaults, which override the built-in defaults', () => {
    const raw = sample();
    raw.etcd.defaults = { clientPort: 2379, peerPort: 2380, dataDir: '/data/etcd', service: 'etcd3' };
    raw.etcd.new[1] = { name: 'domeosEtcd4', host: '10.17.33.22', dataDir: '/srv/etcd', peerURL: 'http://10.17.33.22:2390' };
    const { inventory } = validateInventory(raw, home);
    assert.ok(inventory);
    const m0 = inventory.etcd.new[0];
    const m1 = inventory.etcd.new[1];
    assert.equal(m0?.clientURL, 'http://10.17.33.21:2379');
    assert.equal(m0?.peerURL, 'http://10.17.33.21:2380');
    assert.equal(m0?.dataDir, '/data/etcd');
    assert.equal(m0?.service, 'etcd3');
    assert.equal(m0?.binary, DEFAULTS.etcd.binary);
    assert.equal(m1?.dataDir, '/srv/etcd');
    assert.equal(m1?.peerURL, 'http://10.17.33.22:2390');
    assert.equal(m1?.clientURL, 'http://10.17.33.22:2379');
  });

  test('~ in local paths expands to the home folder; remote paths and overrides keep what was written', () => {
    const raw = sample();
    raw.access = { mode: 'ssh', keyFile: '~/k', knownHosts: '/etc/ssh/known', user: 'deploy', sudo: true, port: 2200 };
    raw.hosts = { '10.17.33.21': { port: 2222, keyFile: '~/other' } };
    raw.etcd.tls = { ca: '~/ca.pem', cert: '~/c.pem', key: '~/k.pem' };
    for (const m of [...raw.etcd.old, ...raw.etcd.new]) {
      m.clientURL = `https://${String(m.host)}:4012`;
    }
    raw.domeos = { url: 'http://10.17.33.10:8080', cluster: 'c', credentialsFile: '~/.ferry/cred.yaml' };
    const { inventory, problems } = validateInventory(raw, home);
    assert.deepEqual(problems, []);
    assert.ok(inventory);
    assert.deepEqual(inventory.access, { mode: 'ssh', user: 'deploy', port: 2200, keyFile: '/home/op/k', knownHosts: '/etc/ssh/known', sudo: true });
    assert.deepEqual(inventory.hosts, { '10.17.33.21': { port: 2222, keyFile: '/home/op/other' } });
    assert.deepEqual(inventory.etcd.tls, { ca: '/home/op/ca.pem', cert: '/home/op/c.pem', key: '/home/op/k.pem' });
    assert.equal(inventory.domeos?.credentialsFile, '/home/op/.ferry/cred.yaml');
  });

  test('lab access keeps only mode and labDir', () => {
    const raw = labSample();
    raw.access = { mode: 'lab', labDir: '~/lab' };
    const { inventory, problems } = validateInventory(raw, home);
    assert.deepEqual(problems, []);
    assert.deepEqual(inventory?.access, { mode: 'lab', labDir: '/home/op/lab' });
  });

  test('dns fields default one by one', () => {
    const raw = sample();
    raw.dns = { domain: 'cluster.local' };
    const { inventory } = validateInventory(raw, home);
    assert.deepEqual(inventory?.dns, { namespace: 'default', service: 'skydns-svc', controllers: ['kube2sky', 'skydns'], domain: 'cluster.local' });
  });

  test('warnings alone still give an inventory; any error gives none', () => {
    const raw = sample();
    raw.etcd.new.push({ name: 'domeosEtcd6', host: '10.17.33.24' });
    const warned = validateInventory(raw, home);
    assert.deepEqual(warned.problems.map((p) => p.severity), ['warning']);
    assert.ok(warned.inventory);
    raw.name = 'Bad Name';
    assert.equal(validateInventory(raw, home).inventory, undefined);
  });
});

describe('validateInventory: shape problems', () => {
  test('a non-mapping or missing sections are reported at (root) or each missing key', () => {
    assert.deepEqual(found(null), ['error (root)']);
    assert.deepEqual(found([1]), ['error (root)']);
    assert.deepEqual(found({}), ['error access', 'error apiVersion', 'error etcd', 'error name']);
    const missing = problemsOf({}).find((p) => p.path === 'name');
    assert.match(missing?.message ?? '', /name is required but missing/);
    assert.match(missing?.hint ?? '', /lowercase letters, digits and dashes/);
  });

  test('unknown keys are errors at their own path, with the likely intended key', () => {
    const raw = sample() as unknown as Record<string, unknown>;
    raw.extra = 1;
    const s = raw as unknown as ReturnType<typeof sample>;
    s.access.keyfile = '~/k';
    s.etcd.new[2] = { name: 'domeosEtcd5', host: '10.17.33.23', peerUrl: 'http://10.17.33.23:4010' };
    s.hosts = { '10.17.33.21': { prot: 2 } };
    const problems = problemsOf(raw);
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.path}`),
      ['error access.keyfile', 'error etcd.new[2].peerUrl', 'error extra', 'error hosts["10.17.33.21"].prot'],
    );
    assert.match(problems[0]?.message ?? '', /unknown key keyfile \(did you mean keyFile\?\)/);
    assert.match(problems[1]?.message ?? '', /did you mean peerURL\?/);
    assert.match(problems[1]?.hint ?? '', /name, host, clientURL, peerURL/);
    assert.match(problems[3]?.message ?? '', /did you mean port\?/);
  });

  test('wrong types, values and formats name the field and show the value', () => {
    const raw = sample();
    raw.apiVersion = 'ferry/v2';
    raw.name = 'Domeos_Example';
    raw.access = { mode: 'shh' };
    raw.etcd.defaults = { clientPort: 70000, dataDir: 'var/lib/etcd' };
    raw.etcd.new[0] = { name: 'bad name', host: '10.17.33.256' };
    const problems = problemsOf(raw);
    assert.deepEqual(problems.map((p) => `${p.severity} ${p.path}`), [
      'error access.mode',
      'error apiVersion',
      'error etcd.defaults.clientPort',
      'error etcd.defaults.dataDir',
      'error etcd.new[0].host',
      'error etcd.new[0].name',
      'error name',
    ]);
    const byPath = new Map(problems.map((p) => [p.path, p]));
    assert.match(byPath.get('access.mode')?.message ?? '', /"shh" is not allowed; expected ssh or lab/);
    assert.match(byPath.get('apiVersion')?.message ?? '', /"ferry\/v2".*ferry\/v1/);
    assert.match(byPath.get('etcd.defaults.clientPort')?.message ?? '', /at most 65535, got 70000/);
    assert.match(byPath.get('etcd.defaults.dataDir')?.message ?? '', /"var\/lib\/etcd" is not an absolute path/);
    assert.match(byPath.get('etcd.new[0].host')?.message ?? '', /"10.17.33.256" is not an IP address/);
    assert.match(byPath.get('name')?.message ?? '', /"Domeos_Example"/);
    for (const p of problems) assert.ok(p.hint, `${p.path} has a hint`);
  });

  test('a string where a number belongs, and a mapping where a list belongs', () => {
    const raw = sample() as unknown as { access: Record<string, unknown>; etcd: Record<string, unknown> };
    raw.access.port = '22';
    raw.etcd.old = { name: 'x' };
    const problems = problemsOf(raw);
    assert.deepEqual(problems.map((p) => p.path), ['access.port', 'etcd.old']);
    assert.match(problems[0]?.message ?? '', /port must be a number, got "22"/);
    assert.match(problems[1]?.message ?? '', /old must be a list, got a mapping/);
  });
});

describe('validateInventory: all problems at once', () => {
  test('five different mistakes in five places give five problems, sorted by path', () => {
    const raw = sample();
    raw.name = 'UPPER';                                                      // shape
    delete raw.access.keyFile;                                               // ssh without keyFile
    raw.etcd.new[0] = { name: 'domeosEtcd0', host: '10.17.33.21' };          // duplicate name
    raw.etcd.new[1] = { name: 'domeosEtcd4', host: '10.17.33.22', clientURL: 'http://10.17.33.99:4012' }; // host mismatch
    raw.nodes?.push({ name: 'l-33-39', host: '10.17.33.41' });               // duplicate node name
    assert.deepEqual(found(raw), [
      'error access.keyFile',
      'error etcd.new[0].name',
      'error etcd.new[1].clientURL',
      'error name',
      'error nodes[2].name',
    ]);
  });

  test('a shape error in one member does not hide cross-field problems in it or elsewhere', () => {
    const raw = sample();
    raw.etcd.new[2] = { name: 'domeosEtcd5', host: '10.17.33.23', dataDir: 'relative', clientURL: 'http://10.17.33.24:4012', bogus: 1 };
    raw.master = { old: { host: '10.17.33.30', apiserver: 'http://10.17.33.30:8080' }, new: { host: '10.17.33.30', apiserver: 'http://10.17.33.30:8080' } };
    assert.deepEqual(found(raw), [
      'error etcd.new[2].bogus',
      'error etcd.new[2].clientURL',
      'error etcd.new[2].dataDir',
      'error master.new.host',
    ]);
  });

  test('array indexes sort as numbers', () => {
    const raw = sample();
    raw.nodes = Array.from({ length: 12 }, (_, i) => ({ name: `n${i}`, host: `10.17.34.${i}` }));
    raw.nodes[2] = { name: 'BAD', host: '10.17.34.2' };
    raw.nodes[10] = { name: 'BAD2', host: '10.17.34.10' };
    assert.deepEqual(found(raw), ['error nodes[2].name', 'error nodes[10].name']);
  });
});
