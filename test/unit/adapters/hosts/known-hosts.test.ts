import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildKnownHostsName, computeFingerprint, computeHostKeyAlgorithms, computeHostKeyVerdict, findHostKeys,
  matchesKnownHostsName, parseKnownHosts,
} from '../../../../src/adapters/hosts/known-hosts.ts';

/** A syntactically valid SSH public key blob: string type, then a 32-byte "key". */
function fakeKeyBlob(type = 'ssh-ed25519'): Buffer {
  const typeBytes = Buffer.from(type);
  const body = randomBytes(32);
  const blob = Buffer.alloc(4 + typeBytes.length + 4 + body.length);
  blob.writeUInt32BE(typeBytes.length, 0);
  typeBytes.copy(blob, 4);
  blob.writeUInt32BE(body.length, 4 + typeBytes.length);
  body.copy(blob, 8 + typeBytes.length);
  return blob;
}

function line(hosts: string, blob: Buffer, type = 'ssh-ed25519', marker = ''): string {
  return `${marker}${marker === '' ? '' : ' '}${hosts} ${type} ${blob.toString('base64')} comment here`;
}

/** ssh-keygen is only used to cross-check against OpenSSH itself; those tests are skipped without it. */
const noKeygen = spawnSync('ssh-keygen', ['-?']).error !== undefined;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-known-hosts-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parseKnownHosts', () => {
  test('reads markers, skips comments and reports broken lines', () => {
    const a = fakeKeyBlob();
    const text = [
      '# comment',
      '',
      line('h1,h2', a),
      line('*', a, 'ssh-ed25519', '@revoked'),
      line('*.example', a, 'ssh-ed25519', '@cert-authority'),
      'h3 ssh-ed25519 not!base64',
      `h4 ssh-rsa ${a.toString('base64')}`, // type field disagrees with the blob
      '@bogus h5 ssh-ed25519 AAAA',
      'onlyhost',
    ].join('\n');
    const parsed = parseKnownHosts(text);
    assert.deepEqual(parsed.entries.map((e) => [e.line, e.marker, e.hosts]), [
      [3, undefined, 'h1,h2'],
      [4, 'revoked', '*'],
      [5, 'cert-authority', '*.example'],
    ]);
    assert.deepEqual(parsed.invalidLines, [6, 7, 8, 9]);
  });
});

describe('matchesKnownHostsName', () => {
  test('plain lists, wildcards, negation, case', () => {
    assert.equal(matchesKnownHostsName('a,b,c', 'b'), true);
    assert.equal(matchesKnownHostsName('a,b,c', 'd'), false);
    assert.equal(matchesKnownHostsName('10.0.0.*', '10.0.0.7'), true);
    assert.equal(matchesKnownHostsName('10.0.0.?', '10.0.0.17'), false);
    assert.equal(matchesKnownHostsName('*.lan,!db.lan', 'db.lan'), false);
    assert.equal(matchesKnownHostsName('*.lan,!db.lan', 'web.lan'), true);
    assert.equal(matchesKnownHostsName('Web.LAN', 'web.lan'), true);
    assert.equal(matchesKnownHostsName('a.b', 'axb'), false, 'a dot is not a wildcard');
  });

  test('[host]:port for non-22 ports', () => {
    assert.equal(buildKnownHostsName('10.0.0.1', 22), '10.0.0.1');
    assert.equal(buildKnownHostsName('10.0.0.1', 2222), '[10.0.0.1]:2222');
    assert.equal(matchesKnownHostsName('[10.0.0.1]:2222', buildKnownHostsName('10.0.0.1', 2222)), true);
    assert.equal(matchesKnownHostsName('10.0.0.1', buildKnownHostsName('10.0.0.1', 2222)), false);
  });

  test('hashed names agree with ssh-keygen -H', { skip: noKeygen }, () => {
    const blob = fakeKeyBlob();
    const file = path.join(tmp, 'hashed');
    fs.writeFileSync(file, `${line('[10.1.2.3]:2222', blob)}\n${line('db.lan', blob)}\n`);
    const result = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const hashed = parseKnownHosts(fs.readFileSync(file, 'utf8')).entries;
    assert.equal(hashed.length, 2);
    assert.ok(hashed.every((e) => e.hosts.startsWith('|1|')));
    assert.equal(matchesKnownHostsName(hashed[0]?.hosts ?? '', '[10.1.2.3]:2222'), true);
    assert.equal(matchesKnownHostsName(hashed[0]?.hosts ?? '', '10.1.2.3'), false);
    assert.equal(matchesKnownHostsName(hashed[1]?.hosts ?? '', 'DB.lan'.toLowerCase()), true);
    assert.equal(findHostKeys(fs.readFileSync(file, 'utf8'), 'db.lan', 22).keys.length, 1);
  });
});

describe('findHostKeys + computeHostKeyVerdict', () => {
  const good = fakeKeyBlob();
  const other = fakeKeyBlob();
  const bad = fakeKeyBlob();
  const text = [
    line('[10.0.0.1]:2222,web', good),
    line('10.0.0.2', other),
    line('*', bad, 'ssh-ed25519', '@revoked'),
    line('[10.0.0.1]:2222', bad),
    line('*', other, 'ssh-ed25519', '@cert-authority'),
  ].join('\n');

  test('a listed key is known', () => {
    const verdict = computeHostKeyVerdict(findHostKeys(text, '10.0.0.1', 2222), good);
    assert.equal(verdict.kind, 'known');
  });

  test('a host with no listed key is unknown; cert-authority lines are ignored', () => {
    assert.equal(computeHostKeyVerdict(findHostKeys(text, '10.0.0.9', 22), other).kind, 'unknown');
    assert.equal(computeHostKeyVerdict(findHostKeys(text, '10.0.0.1', 22), good).kind, 'unknown', 'port 22 is another name');
  });

  test('a different key for a listed host is a mismatch', () => {
    const verdict = computeHostKeyVerdict(findHostKeys(text, '10.0.0.1', 2222), other);
    assert.equal(verdict.kind, 'mismatch');
    assert.deepEqual(verdict.kind === 'mismatch' ? verdict.expected.map((e) => e.line) : [], [1, 4]);
  });

  test('a revoked key is refused even when also listed as known', () => {
    const verdict = computeHostKeyVerdict(findHostKeys(text, '10.0.0.1', 2222), bad);
    assert.equal(verdict.kind, 'revoked');
  });

  test('known key types are offered first', () => {
    const rsaOnly = line('h', fakeKeyBlob('ssh-rsa'), 'ssh-rsa');
    const algorithms = computeHostKeyAlgorithms(findHostKeys(rsaOnly, 'h', 22));
    assert.deepEqual(algorithms?.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519']);
    assert.equal(new Set(algorithms).size, algorithms?.length);
    assert.equal(computeHostKeyAlgorithms(findHostKeys('', 'h', 22)), undefined);
  });
});

describe('computeFingerprint', () => {
  test('matches ssh-keygen -l', { skip: noKeygen }, () => {
    const keyFile = path.join(tmp, 'key');
    assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]).status, 0);
    const pub = fs.readFileSync(`${keyFile}.pub`, 'utf8').split(' ');
    const listed = spawnSync('ssh-keygen', ['-l', '-f', `${keyFile}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1];
    assert.equal(computeFingerprint(Buffer.from(pub[1] ?? '', 'base64')), listed);
  });
});
