import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { found, labSample, problemsOf, sample } from './sample.ts';

function one(raw: unknown) {
  const problems = problemsOf(raw);
  assert.equal(problems.length, 1, JSON.stringify(problems, null, 1));
  return problems[0] as NonNullable<(typeof problems)[0]>;
}

describe('etcd URLs', () => {
  test('a URL host that differs from the member host is an error naming both', () => {
    const raw = sample();
    raw.etcd.new[0] = { name: 'domeosEtcd3', host: '10.17.33.21', clientURL: 'http://10.17.33.22:4012' };
    const p = one(raw);
    assert.equal(p.path, 'etcd.new[0].clientURL');
    assert.equal(p.severity, 'error');
    assert.match(p.message, /clientURL host 10.17.33.22 differs from member host 10.17.33.21/);
    assert.match(p.hint ?? '', /http:\/\/10.17.33.21:4012/);
  });

  test('URLs that do not parse, with another scheme, a path, a query or credentials are errors', () => {
    const raw = sample();
    raw.etcd.old[0] = { name: 'domeosEtcd0', host: '10.17.33.31', clientURL: '10.17.33.31:4012', peerURL: 'ftp://10.17.33.31:4010' };
    raw.etcd.old[1] = { name: 'domeosEtcd1', host: '10.17.33.32', clientURL: 'http://10.17.33.32:4012/', peerURL: 'http://10.17.33.32:4010?x=1' };
    raw.etcd.old[2] = { name: 'domeosEtcd2', host: '10.17.33.33', clientURL: 'http://root:s3cret@10.17.33.33:4012', peerURL: 'http://10.17.33.33:99999' };
    const problems = problemsOf(raw);
    assert.deepEqual(problems.map((p) => `${p.severity} ${p.path}`), [
      'error etcd.old[0].clientURL',
      'error etcd.old[0].peerURL',
      'error etcd.old[1].clientURL',
      'error etcd.old[1].peerURL',
      'error etcd.old[2].clientURL',
      'error etcd.old[2].peerURL',
    ]);
    assert.match(problems[0]?.message ?? '', /"10.17.33.31:4012" is not a URL/);
    assert.match(problems[0]?.hint ?? '', /http:\/\/10.17.33.31:4012/);
    assert.match(problems[1]?.message ?? '', /has scheme ftp/);
    assert.match(problems[2]?.message ?? '', /path or query \(\/\)/);
    assert.match(problems[3]?.message ?? '', /path or query \(\?x=1\)/);
    assert.match(problems[4]?.message ?? '', /user name or password/);
    assert.ok(!JSON.stringify(problems).includes('s3cret'), 'the password is never shown');
    assert.match(problems[5]?.message ?? '', /not a valid URL/);
  });

  test('a URL without a port is allowed, with a warning', () => {
    const raw = sample();
    raw.etcd.new[0] = { name: 'domeosEtcd3', host: '10.17.33.21', clientURL: 'http://10.17.33.21' };
    const p = one(raw);
    assert.equal(p.path, 'etcd.new[0].clientURL');
    assert.equal(p.severity, 'warning');
    assert.match(p.message, /no port, so it means port 80/);
  });

  test('the same URL twice, or one host:port used by two URLs, is an error', () => {
    const raw = sample();
    raw.etcd.new[0] = { name: 'domeosEtcd3', host: '10.17.33.21', peerURL: 'http://10.17.33.21:4012' };
    let p = one(raw);
    assert.equal(p.path, 'etcd.new[0].peerURL');
    assert.match(p.message, /uses 10.17.33.21:4012, which this member's clientURL/);

    const again = sample();
    again.etcd.new[0] = { name: 'domeosEtcd3', host: '10.17.33.21', clientURL: 'http://10.17.33.21:4010' };
    p = one(again);
    assert.equal(p.path, 'etcd.new[0].peerURL');
    assert.match(p.message, /\(from the default port\)/);

    // An etcd member on the master's machine, listening on the apiserver's port.
    const onMaster = sample();
    onMaster.etcd.new[0] = { name: 'domeosEtcd3', host: '10.17.33.20', clientURL: 'http://10.17.33.20:8080' };
    p = one(onMaster);
    assert.equal(p.path, 'master.new.apiserver');
    assert.match(p.message, /which etcd.new\[0\].clientURL/);
  });

  test('two members of one side on a host: one error, not a cascade of URL clashes', () => {
    const raw = sample();
    raw.etcd.new[1] = { name: 'domeosEtcd4', host: '10.17.33.21' };
    const p = one(raw);
    assert.equal(p.path, 'etcd.new[1].host');
    assert.match(p.message, /host 10.17.33.21 already runs etcd.new\[0\]/);
  });

  test('equal default ports are reported once, at etcd.defaults', () => {
    const raw = sample();
    raw.etcd.defaults = { peerPort: 4012 };
    const p = one(raw);
    assert.equal(p.path, 'etcd.defaults.peerPort');
    assert.match(p.message, /both 4012/);
  });
});

describe('etcd members', () => {
  test('a name used twice across old and new is an error at the later one', () => {
    const raw = sample();
    raw.etcd.new[2] = { name: 'domeosEtcd1', host: '10.17.33.23' };
    const p = one(raw);
    assert.equal(p.path, 'etcd.new[2].name');
    assert.match(p.message, /"domeosEtcd1" is also the name of etcd.old\[1\]/);
  });

  test('a new member on an old member\'s host is an error', () => {
    const raw = sample();
    raw.etcd.new[0] = { name: 'domeosEtcd3', host: '10.17.33.31' };
    const p = one(raw);
    assert.equal(p.path, 'etcd.new[0].host');
    assert.match(p.message, /^10.17.33.31 is also an old member's host \(etcd.old\[0\]\); ferry moves members to NEW machines/);
    assert.ok(p.hint);
  });

  test('empty old or new is an error', () => {
    const raw = sample();
    raw.etcd.old = [];
    raw.etcd.new = [];
    assert.deepEqual(found(raw), ['error etcd.new', 'error etcd.old']);
  });

  test('an even target size is a warning; more than 7 members is a warning', () => {
    const raw = sample();
    raw.etcd.new.push({ name: 'domeosEtcd6', host: '10.17.33.24' });
    const p = one(raw);
    assert.equal(p.path, 'etcd.new');
    assert.equal(p.severity, 'warning');
    assert.match(p.message, /a cluster of 4 tolerates no more failures than 3/);

    const big = sample();
    big.etcd.old = Array.from({ length: 9 }, (_, i) => ({ name: `old${i}`, host: `10.17.35.${i + 1}` }));
    const q = one(big);
    assert.deepEqual([q.severity, q.path], ['warning', 'etcd.old']);
    assert.match(q.message, /9 members/);
  });
});

describe('etcd TLS', () => {
  test('cert without key and key without cert are errors', () => {
    const raw = sample();
    raw.etcd.tls = { cert: '~/c.pem' };
    assert.deepEqual(found(raw), ['warning etcd.tls', 'error etcd.tls.key']);
    raw.etcd.tls = { key: '~/k.pem' };
    assert.deepEqual(found(raw), ['warning etcd.tls', 'error etcd.tls.cert']);
  });

  test('https client URLs without tls.ca warn; tls with http client URLs warns', () => {
    const raw = sample();
    raw.etcd.old[0] = { name: 'domeosEtcd0', host: '10.17.33.31', clientURL: 'https://10.17.33.31:4012' };
    const p = one(raw);
    assert.deepEqual([p.severity, p.path], ['warning', 'etcd.tls.ca']);
    raw.etcd.tls = { ca: '/ca.pem' };
    const q = one(raw);
    assert.deepEqual([q.severity, q.path], ['warning', 'etcd.tls']);
    assert.match(q.message, /5 client URL\(s\) use http/);
  });
});

describe('master and nodes', () => {
  test('the master must move to another host, and apiserver must be an http(s) URL', () => {
    const raw = sample();
    raw.master = { old: { host: '10.17.33.30', apiserver: 'http://10.17.33.30:8080' }, new: { host: '10.17.33.30', apiserver: '10.17.33.30:8080' } };
    assert.deepEqual(found(raw), ['error master.new.apiserver', 'error master.new.host']);
  });

  test('duplicate node names and hosts are errors', () => {
    const raw = sample();
    raw.nodes = [
      { name: 'l-33-39', host: '10.17.33.39' },
      { name: 'l-33-39', host: '10.17.33.40' },
      { name: 'l-33-41', host: '10.17.33.39' },
    ];
    assert.deepEqual(found(raw), ['error nodes[1].name', 'error nodes[2].host']);
  });
});

describe('access and hosts', () => {
  test('ssh access without keyFile is an error at access.keyFile', () => {
    const raw = sample();
    raw.access = { mode: 'ssh', user: 'root' };
    const p = one(raw);
    assert.deepEqual([p.severity, p.path], ['error', 'access.keyFile']);
  });

  test('lab access needs loopback addresses everywhere', () => {
    const raw = labSample();
    raw.etcd.new[1] = { name: 'domeosEtcd4', host: '10.17.33.22' };
    raw.nodes = [{ name: 'l-33-39', host: 'node39.example' }];
    raw.master = { old: { host: '127.17.33.30', apiserver: 'http://10.17.33.30:8080' }, new: { host: '127.17.33.20', apiserver: 'http://127.17.33.20:8080' } };
    raw.domeos = { url: 'http://10.17.33.10:8080', cluster: 'c' };
    const problems = problemsOf(raw);
    assert.deepEqual(problems.map((p) => `${p.severity} ${p.path}`), [
      'error domeos.url',
      'error etcd.new[1].host',
      'error master.old.apiserver',
      'error nodes[0].host',
    ]);
    for (const p of problems) {
      assert.match(p.hint ?? '', /use 127.x.y.z addresses \(see examples\/lab-seed.yaml\)/);
    }
    assert.match(problems[1]?.message ?? '', /host 10.17.33.22 is not a loopback address/);
  });

  test('lab access ignores ssh fields and host overrides, with warnings', () => {
    const raw = labSample();
    raw.access = { mode: 'lab', keyFile: '~/k' };
    raw.hosts = { '127.17.33.21': { port: 2222 } };
    assert.deepEqual(found(raw), ['warning access.keyFile', 'warning hosts']);
  });

  test('an override for an address no host uses is a warning', () => {
    const raw = sample();
    raw.hosts = { '10.17.33.21': { port: 2222 }, '10.17.33.99': { user: 'x' } };
    const p = one(raw);
    assert.deepEqual([p.severity, p.path], ['warning', 'hosts["10.17.33.99"]']);
    assert.match(p.message, /10.17.33.99/);
  });
});

describe('every problem explains itself', () => {
  test('each has a message showing a value and a hint', () => {
    const raw = sample();
    raw.etcd.new[0] = { name: 'domeosEtcd0', host: '10.17.33.31', clientURL: 'http://10.17.33.9:4012' };
    raw.etcd.tls = { cert: '/c' };
    raw.nodes = [{ name: 'a', host: '10.17.33.39' }, { name: 'a', host: '10.17.33.39' }];
    const problems = problemsOf(raw);
    assert.ok(problems.length >= 5);
    for (const p of problems) {
      assert.ok(p.hint && p.hint.length > 5, `${p.path} has a hint`);
      assert.match(p.message, /[0-9"/]/, `${p.path} shows the offending value: ${p.message}`);
    }
  });
});
