import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdMember, Inventory } from '../../../src/inventory/types.ts';
import { buildLabListenAddresses, isLoopbackIPv4, validateLabInventory } from '../../../src/lab/setup/validate.ts';

function member(name: string, host: string, service = 'etcd'): EtcdMember {
  return {
    name,
    host,
    clientURL: `http://${host}:4012`,
    peerURL: `http://${host}:4010`,
    dataDir: '/var/lib/etcd',
    service,
    binary: '/usr/sbin/domeos/etcd/current/etcd',
    configFile: '/etc/sysconfig/etcd',
  };
}

function inventory(old: EtcdMember[], fresh: EtcdMember[] = [], access: Inventory['access'] = { mode: 'lab' }): Inventory {
  return { apiVersion: 'ferry/v1', name: 't', access, hosts: {}, etcd: { old, new: fresh } };
}

describe('validateLabInventory', () => {
  test('a loopback lab inventory passes', () => {
    assert.deepEqual(validateLabInventory(inventory([member('a', '127.20.0.1')], [member('b', '127.20.0.2')])), []);
  });

  test('every non-loopback host is reported with its path', () => {
    const problems = validateLabInventory(inventory([member('a', '10.0.0.1')], [member('b', 'etcd-b.example')]));
    assert.ok(problems.every((p) => p.code === 'LAB_NOT_LOOPBACK'));
    assert.deepEqual(
      problems.map((p) => p.path),
      ['etcd.old[0].host', 'etcd.new[0].host', 'etcd.old[0].peerURL', 'etcd.old[0].clientURL', 'etcd.new[0].peerURL', 'etcd.new[0].clientURL'],
    );
  });

  test('ssh access, duplicate ports and duplicate services are reported', () => {
    const ssh: Inventory['access'] = { mode: 'ssh', user: 'root', port: 22, keyFile: '/k', knownHosts: '/kh', sudo: false };
    const codes = validateLabInventory(inventory([member('a', '127.20.0.1'), member('b', '127.20.0.1')], [], ssh)).map((p) => p.code);
    assert.deepEqual(codes, ['LAB_ACCESS_NOT_LAB', 'LAB_PORT_CONFLICT', 'LAB_PORT_CONFLICT', 'LAB_SERVICE_CONFLICT']);
  });

  test('isLoopbackIPv4', () => {
    assert.equal(isLoopbackIPv4('127.0.0.1'), true);
    assert.equal(isLoopbackIPv4('127.255.255.254'), true);
    assert.equal(isLoopbackIPv4('127.256.0.1'), false);
    assert.equal(isLoopbackIPv4('128.0.0.1'), false);
    assert.equal(isLoopbackIPv4('localhost'), false);
  });

  test('buildLabListenAddresses lists each address:port once', () => {
    assert.deepEqual(buildLabListenAddresses(inventory([member('a', '127.20.0.1')], [member('b', '127.20.0.2')])), [
      { host: '127.20.0.1', port: 4010 },
      { host: '127.20.0.1', port: 4012 },
      { host: '127.20.0.2', port: 4010 },
      { host: '127.20.0.2', port: 4012 },
    ]);
  });
});
