/**
 * The etcd version guard against real members: etcd 3.4 (Debian's) is moved; etcd 2.3.1 (DomeOS's own, built by
 * hand from its public source: FERRY_TEST_ETCD2_DIR names the folder holding its `etcd`) is refused with
 * ETCD_VERSION_UNSUPPORTED and the reason, never with a health verdict. Without FERRY_TEST_ETCD2_DIR that test is
 * skipped, saying what it would have run. Addresses: 127.50.3.x.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3Admin } from '../../src/adapters/etcd/client.ts';
import { isFerryError } from '../../src/errors.ts';
import type { readEtcdVersions} from '../../src/observe/etcd-versions.ts';
import { requireSupportedEtcd } from '../../src/observe/etcd-versions.ts';
import { startEtcdCluster, waitUntil } from '../helpers/etcd-cluster.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const scratch = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ferry-versions-'));
  dirs.push(d);
  return d;
};
const inventoryOf = (old: { name: string; clientURL: string }[], fresh: { name: string; clientURL: string }[] = []) =>
  ({ etcd: { old, new: fresh } }) as unknown as Parameters<typeof readEtcdVersions>[1];

describe('the etcd version guard', { timeout: 120_000 }, () => {
  test('etcd 3.4 members are read and allowed; a member not started yet is not judged', async () => {
    const cluster = await startEtcdCluster({ ips: ['127.50.3.31'], dataRoot: scratch() });
    const admin = new Etcd3Admin({ endpoints: cluster.endpoints, callTimeoutMs: 3000 });
    try {
      const inventory = inventoryOf([{ name: 'm1', clientURL: cluster.endpoints[0] as string }], [{ name: 'n1', clientURL: 'http://127.50.3.21:4012' }]);
      const readings = await requireSupportedEtcd(admin, inventory);
      assert.match(readings[0]?.version?.server ?? '', /^3\.4\./);
      assert.equal(readings[0]?.version?.cluster, '3.4.0');
      assert.ok(readings[1]?.error !== undefined && readings[1].version === undefined, JSON.stringify(readings[1]));
    } finally {
      await admin.close();
      await cluster.stop();
    }
  });

  const etcd2 = process.env['FERRY_TEST_ETCD2_DIR'];
  const etcd2Bin = etcd2 === undefined ? undefined : join(etcd2, 'etcd');
  test('etcd 2.3.1 is refused with ETCD_VERSION_UNSUPPORTED, naming the member, its version and why', { skip: etcd2Bin === undefined || !existsSync(etcd2Bin) ? 'FERRY_TEST_ETCD2_DIR is not set (a folder with etcd 2.x): would start one etcd 2.x member on 127.50.3.32 and check that ferry refuses it by version' : false }, async () => {
    const dataDir = join(scratch(), 'e2');
    const url = 'http://127.50.3.32:4012';
    const proc: ChildProcess = spawn(etcd2Bin as string, [
      '--name', 'domeosEtcd1', '--data-dir', dataDir,
      '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', 'http://127.50.3.32:4010', '--initial-advertise-peer-urls', 'http://127.50.3.32:4010',
      '--initial-cluster', 'domeosEtcd1=http://127.50.3.32:4010', '--initial-cluster-state', 'new',
    ], { stdio: 'ignore' });
    const admin = new Etcd3Admin({ endpoints: [url], callTimeoutMs: 3000 });
    try {
      await waitUntil('etcd 2.x healthy', 30_000, async () => {
        const r = await fetch(`${url}/health`).catch(() => undefined);
        return r !== undefined && /"health":\s*"true"/.test(await r.text());
      });
      await assert.rejects(requireSupportedEtcd(admin, inventoryOf([{ name: 'domeosEtcd1', clientURL: url }])), (err: unknown) => {
        assert.ok(isFerryError(err), String(err));
        assert.equal(err.code, 'ETCD_VERSION_UNSUPPORTED');
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /domeosEtcd1 2\.3\.1 \(cluster 2\.3\.0\)/);
        assert.match(err.hint ?? '', /no v3 API/);
        return true;
      });
    } finally {
      await admin.close();
      proc.kill('SIGKILL');
      await new Promise((resolve) => (proc.exitCode !== null ? resolve(undefined) : proc.once('exit', resolve)));
    }
  });
});
