import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateInventory } from '../../../src/inventory/validate.ts';
import { found, labSample, problemsOf, sample } from './sample.ts';

const home = { homeDir: '/home/op' };

describe('inventory: domeos', () => {
  test('defaults: the host is the URL host, the service domeos, the health timeout 60 s; no commands', () => {
    const raw = sample();
    raw.domeos = { url: 'http://10.17.33.10:8080', cluster: 'c' };
    const { inventory, problems } = validateInventory(raw, home);
    assert.deepEqual(problems, []);
    assert.deepEqual(inventory?.domeos, { url: 'http://10.17.33.10:8080', cluster: 'c', host: '10.17.33.10', service: 'domeos', healthTimeoutMs: 60_000 });
  });

  test('every field given: kept as written, commands as argv, seconds to ms, ~ expanded', () => {
    const raw = sample();
    raw.domeos = {
      url: 'https://console.example:8443/domeos',
      cluster: 'prod',
      credentialsFile: '~/.ferry/cred.yaml',
      host: '10.17.33.11',
      service: 'domeos-server',
      stopCommand: ['docker', 'stop', 'domeos'],
      startCommand: ['docker', 'start', 'domeos'],
      healthTimeoutSeconds: 120,
    };
    const { inventory, problems } = validateInventory(raw, home);
    assert.deepEqual(problems, []);
    assert.deepEqual(inventory?.domeos, {
      url: 'https://console.example:8443/domeos',
      cluster: 'prod',
      credentialsFile: '/home/op/.ferry/cred.yaml',
      host: '10.17.33.11',
      service: 'domeos-server',
      stopCommand: ['docker', 'stop', 'domeos'],
      startCommand: ['docker', 'start', 'domeos'],
      healthTimeoutMs: 120_000,
    });
  });

  test('a host name URL gives that host name as the default host', () => {
    const raw = sample();
    raw.domeos = { url: 'http://Console.Example:8080', cluster: 'c' };
    assert.equal(validateInventory(raw, home).inventory?.domeos?.host, 'console.example');
  });

  test('bad fields are reported at their paths, each with a hint', () => {
    const raw = sample();
    raw.domeos = {
      url: 'http://10.17.33.10:8080',
      cluster: 'c',
      host: '10.17.33.300',
      service: 'dome os',
      stopCommand: [],
      startCommand: 'docker start domeos',
      healthTimeoutSeconds: 0,
    };
    const problems = problemsOf(raw);
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.path}`),
      ['error domeos.healthTimeoutSeconds', 'error domeos.host', 'error domeos.service', 'error domeos.startCommand', 'error domeos.stopCommand'],
    );
    for (const p of problems) assert.ok((p.hint ?? '').length > 5, `${p.path} has a hint: ${JSON.stringify(p)}`);
    const byPath = new Map(problems.map((p) => [p.path, p]));
    assert.match(byPath.get('domeos.stopCommand')?.hint ?? '', /\[docker, stop, domeos\]/);
    assert.match(byPath.get('domeos.startCommand')?.hint ?? '', /\[docker, start, domeos\]/);
    assert.match(byPath.get('domeos.host')?.message ?? '', /10\.17\.33\.300/);
  });

  test('an empty word in a command and an unknown key are errors', () => {
    const raw = sample();
    raw.domeos = { url: 'http://10.17.33.10:8080', cluster: 'c', stopCommand: ['docker', ''], healthTimeout: 5 };
    assert.deepEqual(found(raw), ['error domeos.healthTimeout', 'error domeos.stopCommand[1]']);
  });

  test('lab access: domeos.host must be loopback too', () => {
    const raw = labSample();
    raw.domeos = { url: 'http://127.17.33.10:8080', cluster: 'c', host: '10.17.33.10' };
    const problems = problemsOf(raw);
    assert.deepEqual(problems.map((p) => `${p.severity} ${p.path}`), ['error domeos.host']);
    assert.match(problems[0]?.message ?? '', /not a loopback address/);
    raw.domeos = { url: 'http://127.17.33.10:8080', cluster: 'c' };
    const ok = validateInventory(raw, home);
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.inventory?.domeos?.host, '127.17.33.10');
  });

  test("a host override for the console's host applies to something (no warning)", () => {
    const raw = sample();
    raw.domeos = { url: 'http://10.17.33.10:8080', cluster: 'c' };
    raw.hosts = { '10.17.33.10': { port: 2222 } };
    assert.deepEqual(found(raw), []);
    raw.domeos = { url: 'http://10.17.33.10:8080', cluster: 'c', host: '10.17.33.12' };
    raw.hosts = { '10.17.33.12': { port: 2222 } };
    assert.deepEqual(found(raw), []);
  });
});
