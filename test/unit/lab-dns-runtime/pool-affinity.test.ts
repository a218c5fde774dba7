import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeRuntimePool } from '../../../src/lab/node-runtime/pool.ts';

// A host's containers live in the node runtime its kubelet started them in: every agent of a host goes there.
const dir = mkdtempSync(join(tmpdir(), 'ferry-pool-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('agents of one host share a node runtime, even past its capacity; another host gets another one', async () => {
  const pool = new NodeRuntimePool({ labDir: dir, capacity: 1 });
  try {
    const host = (name: string) => {
      const root = join(dir, 'hosts', name);
      mkdirSync(root, { recursive: true });
      // No apiserver given: both programs wait until stopped.
      return (program: 'kubelet' | 'kube-proxy') => ({ argv: [`/usr/sbin/${program}`], env: {}, cwd: root, logPath: join(root, `${program}.log`) });
    };
    const a = host('127.32.9.1');
    const b = host('127.32.9.2');
    const aKubelet = await pool.launch('kubelet', a('kubelet'));
    const aProxy = await pool.launch('kube-proxy', a('kube-proxy'));
    const bKubelet = await pool.launch('kubelet', b('kubelet'));
    assert.equal(aProxy.pid, aKubelet.pid);
    assert.notEqual(bKubelet.pid, aKubelet.pid);
    assert.equal(pool.stats().runtimes, 2);
    // A restarted kubelet of host a goes back to a's runtime.
    const exited = new Promise<void>((resolve) => aKubelet.onExit(() => resolve()));
    aKubelet.kill('SIGTERM');
    await exited;
    const again = await pool.launch('kubelet', a('kubelet'));
    assert.equal(again.pid, aProxy.pid);
  } finally {
    await pool.shutdown();
  }
  assert.deepEqual(pool.pids(), []);
});
