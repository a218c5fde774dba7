import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentLogger } from '../../../src/lab/node-runtime/agent-log.ts';
import { ServiceDnsSync } from '../../../src/lab/k8s/kube2sky/sync.ts';

function memoryLogger(): AgentLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (t) => lines.push(t), info: (m) => lines.push(`I ${m}`), warn: (m) => lines.push(`W ${m}`), error: (m) => lines.push(`E ${m}`), flush: () => Promise.resolve() };
}

/** etcd v2 keys in memory; `down` makes every call fail as an unreachable cluster would. */
class FakeEtcd {
  readonly keys = new Map<string, string>();
  readonly calls: string[] = [];
  down = false;

  async set(key: string, value: string): Promise<void> {
    this.calls.push(`set ${key}`);
    if (this.down) throw new Error('client: etcd cluster is unavailable or misconfigured');
    this.keys.set(key, value);
  }

  async delete(key: string): Promise<'deleted' | 'missing'> {
    this.calls.push(`delete ${key}`);
    if (this.down) throw new Error('client: etcd cluster is unavailable or misconfigured');
    let found = false;
    for (const k of [...this.keys.keys()]) {
      if (k === key || k.startsWith(`${key}/`)) {
        this.keys.delete(k);
        found = true;
      }
    }
    return found ? 'deleted' : 'missing';
  }

  hosts(): string[] {
    return [...this.keys.values()].map((v) => (JSON.parse(v) as { host: string }).host).sort();
  }
}

const service = (name: string, clusterIP: string, rv = '1') => ({
  metadata: { name, namespace: 'default', resourceVersion: rv },
  spec: { clusterIP, ports: [{ port: 80, protocol: 'TCP' }] },
});

async function settle(sync: ServiceDnsSync): Promise<void> {
  for (let i = 0; i < 200 && !sync.idle; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(sync.idle, 'the sync settles');
}

function makeSync(etcd: FakeEtcd, mutationTimeoutMs = 10_000) {
  const fatal: string[] = [];
  const controller = new AbortController();
  const sync = new ServiceDnsSync({ etcd, domain: 'domeos.local.', pathPrefix: 'skydns', mutationTimeoutMs, log: memoryLogger(), signal: controller.signal, onFatal: (m) => fatal.push(m) });
  return { sync, fatal, controller };
}

describe('kube2sky service sync', () => {
  test('list, add, update, delete, relist', async () => {
    const etcd = new FakeEtcd();
    const { sync } = makeSync(etcd);
    sync.onSync([service('kubernetes', '127.16.0.1'), service('headless', 'None')]);
    await settle(sync);
    assert.deepEqual(etcd.hosts(), ['127.16.0.1']);

    sync.onEvent('ADDED', service('web', '127.16.0.5'));
    await settle(sync);
    assert.deepEqual(etcd.hosts(), ['127.16.0.1', '127.16.0.5']);

    // A change that does not touch the records writes nothing.
    const before = etcd.calls.length;
    sync.onEvent('MODIFIED', service('web', '127.16.0.5', '7'));
    await settle(sync);
    assert.equal(etcd.calls.length, before);

    // A new cluster IP replaces the name's records.
    sync.onEvent('MODIFIED', service('web', '127.16.0.6', '8'));
    await settle(sync);
    assert.deepEqual(etcd.hosts(), ['127.16.0.1', '127.16.0.6']);
    assert.ok(etcd.calls.includes('delete /skydns/local/domeos/svc/default/web'));

    sync.onEvent('DELETED', service('web', '127.16.0.6'));
    await settle(sync);
    assert.deepEqual(etcd.hosts(), ['127.16.0.1']);

    // A relist without `kubernetes` deletes it.
    sync.onEvent('ADDED', service('api', '127.16.0.9'));
    sync.onSync([service('api', '127.16.0.9')]);
    await settle(sync);
    assert.deepEqual(etcd.hosts(), ['127.16.0.9']);
  });

  test('a mutation is retried while etcd is down, and goes through when it is back', async () => {
    const etcd = new FakeEtcd();
    etcd.down = true;
    const { sync, fatal } = makeSync(etcd);
    sync.onSync([service('kubernetes', '127.16.0.1')]);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(etcd.calls.length >= 2, 'retried');
    etcd.down = false;
    await settle(sync);
    assert.deepEqual(etcd.hosts(), ['127.16.0.1']);
    assert.deepEqual(fatal, []);
  });

  test('a mutation that fails for the mutation timeout is fatal, and nothing more is written', async () => {
    const etcd = new FakeEtcd();
    etcd.down = true;
    const { sync, fatal } = makeSync(etcd, 150);
    sync.onSync([service('kubernetes', '127.16.0.1')]);
    for (let i = 0; i < 100 && fatal.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fatal.length, 1);
    assert.match(fatal[0] ?? '', /^Failed to mutate etcd for 0\.15s using mutator \(add default\/kubernetes\)/);
    etcd.down = false;
    const calls = etcd.calls.length;
    sync.onEvent('ADDED', service('web', '127.16.0.5'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(etcd.calls.length, calls);
  });

  test('stopping ends the retries', async () => {
    const etcd = new FakeEtcd();
    etcd.down = true;
    const { sync, fatal, controller } = makeSync(etcd);
    sync.onSync([service('kubernetes', '127.16.0.1')]);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await settle(sync);
    const calls = etcd.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(etcd.calls.length, calls);
    assert.deepEqual(fatal, []);
  });
});
