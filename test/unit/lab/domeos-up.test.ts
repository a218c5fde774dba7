/** The lab's DomeOS console (src/lab/setup/domeos-up.ts) and its checks in validateLabInventory: pure parts. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdMember, Inventory } from '../../../src/inventory/types.ts';
import { planLabDomeos, renderDomeosUnit, renderLabCredentials } from '../../../src/lab/setup/domeos-up.ts';
import { buildServiceArgv, parseUnitFile } from '../../../src/sysconfig/systemd-unit.ts';
import { buildLabListenAddresses, validateLabInventory } from '../../../src/lab/setup/validate.ts';
import type { FerryError } from '../../../src/errors.ts';

function member(name: string, host: string): EtcdMember {
  return { name, host, clientURL: `http://${host}:4012`, peerURL: `http://${host}:4010`, dataDir: '/var/lib/etcd', service: 'etcd', binary: '/usr/sbin/domeos/etcd/current/etcd', configFile: '/etc/sysconfig/etcd' };
}

function inventory(domeos: Partial<NonNullable<Inventory['domeos']>> = {}, withMaster = true): Inventory {
  return {
    apiVersion: 'ferry/v1',
    name: 't',
    access: { mode: 'lab' },
    hosts: {},
    etcd: { old: [member('a', '127.29.9.31'), member('b', '127.29.9.32')], new: [member('c', '127.29.9.21')] },
    ...(withMaster ? { master: { old: { host: '127.29.9.30', apiserver: 'http://127.29.9.30:8080' }, new: { host: '127.29.9.20', apiserver: 'http://127.29.9.20:8080' } } } : {}),
    domeos: { url: 'http://127.29.9.10:8080', cluster: 'my cluster', host: '127.29.9.10', service: 'domeos', healthTimeoutMs: 60_000, ...domeos },
  };
}

describe('lab DomeOS console', () => {
  test('plan: the old apiserver and old etcd in the console formats, listening on the URL', () => {
    assert.deepEqual(planLabDomeos(inventory()), {
      host: '127.29.9.10',
      service: 'domeos',
      listen: { host: '127.29.9.10', port: 8080 },
      url: 'http://127.29.9.10:8080',
      clusterName: 'my cluster',
      clusterApi: '127.29.9.30:8080',
      clusterEtcd: 'http://127.29.9.31:4012,http://127.29.9.32:4012,',
    });
    const { domeos: _d, ...without } = inventory();
    assert.equal(planLabDomeos(without), undefined);
    assert.throws(() => planLabDomeos(inventory({}, false)), (e: FerryError) => e.code === 'LAB_DOMEOS_NEEDS_MASTER' && e.exitCode === 2);
  });

  test('the unit runs the installed stand-in with its state file in the root; the supervisor splits it back exactly', () => {
    const plan = planLabDomeos(inventory({ cluster: 'a "quoted" $name' }));
    assert.ok(plan !== undefined);
    const unit = parseUnitFile(renderDomeosUnit(plan), 'domeos.service');
    assert.deepEqual(buildServiceArgv(unit.service, new Map()), [
      '/usr/sbin/domeos/server/domeos-server',
      '--state-file=/var/lib/domeos/state.json',
      '--listen=127.29.9.10:8080',
      '--server-url=http://127.29.9.10:8080',
      '--cluster-name=a "quoted" $name',
      '--cluster-api=127.29.9.30:8080',
      '--cluster-etcd=http://127.29.9.31:4012,http://127.29.9.32:4012,',
    ]);
    assert.equal(unit.service.restart, 'on-failure');
  });

  test('the login file is YAML with the DomeOS default account', () => {
    assert.match(renderLabCredentials(), /^username: admin$/m);
    assert.match(renderLabCredentials(), /^password: admin$/m);
  });

  test('validation: loopback console host and URL, a plain http URL at the root, no port clash, a master', () => {
    assert.deepEqual(validateLabInventory(inventory()), []);
    const codes = (inv: Inventory) => validateLabInventory(inv).map((p) => `${p.code} ${p.path}`);
    assert.deepEqual(codes(inventory({ host: '10.0.0.10' })), ['LAB_NOT_LOOPBACK domeos.host']);
    assert.deepEqual(codes(inventory({ url: 'http://10.0.0.10:8080' })), ['LAB_NOT_LOOPBACK domeos.url']);
    assert.deepEqual(codes(inventory({ url: 'http://127.29.9.10:8080/domeos' })), ['LAB_BAD_URL domeos.url']);
    assert.deepEqual(codes(inventory({ url: 'https://127.29.9.10:8443' })), ['LAB_BAD_URL domeos.url']);
    assert.deepEqual(codes(inventory({ url: 'http://127.29.9.10' })), ['LAB_BAD_URL domeos.url']);
    assert.deepEqual(codes(inventory({ url: 'http://127.29.9.31:4012' })), ['LAB_PORT_CONFLICT domeos.url']);
    assert.deepEqual(codes(inventory({ url: 'http://127.29.9.30:8080' })), ['LAB_PORT_CONFLICT domeos.url']);
    assert.deepEqual(codes(inventory({}, false)), ['LAB_DOMEOS_NEEDS_MASTER domeos']);
  });

  test('lab up checks the console address is free, with the members’', () => {
    assert.ok(buildLabListenAddresses(inventory()).some((a) => a.host === '127.29.9.10' && a.port === 8080));
  });
});
